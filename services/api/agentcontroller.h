// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"

namespace Hive {

// /agents: list, spawn, get, kill, and the pane of one (input typed into it, its last lines).
// Lives in the API thread.
class AgentController : public ApiController
{
    Q_OBJECT

public:
    AgentController(Engine *engine, QObject *parent);

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> list(const Call &call);
    QFuture<QHttpServerResponse> spawn(const Call &call);
    QFuture<QHttpServerResponse> get(const Call &call);
    QFuture<QHttpServerResponse> kill(const Call &call);
    QFuture<QHttpServerResponse> input(const Call &call);
    QFuture<QHttpServerResponse> output(const Call &call);
    QFuture<QHttpServerResponse> restart(const Call &call);
    QFuture<QHttpServerResponse> hook(const Call &call);
};

} // namespace Hive
