// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"

namespace Hive {

// Money and limits: GET /api/v1/costs (per agent, type and day, with the budget), PUT
// /api/v1/budget, GET /api/v1/limits (profiles paused by a rate or usage limit) and DELETE
// /api/v1/limits/{profile} (resume it now). Lives in the API thread.
class CostController : public ApiController
{
    Q_OBJECT

public:
    using ApiController::ApiController;

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> costs(const Call &call);
    QFuture<QHttpServerResponse> setBudget(const Call &call);
    QFuture<QHttpServerResponse> limits(const Call &call);
    QFuture<QHttpServerResponse> clearLimit(const Call &call);
};

} // namespace Hive
