// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"

namespace Hive {

// GET /api/v1/search: full-text or semantic search over task prompts, answers and the agents'
// terminal logs. Lives in the API thread.
class SearchController : public ApiController
{
    Q_OBJECT

public:
    using ApiController::ApiController;

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> search(const Call &call);
};

} // namespace Hive
