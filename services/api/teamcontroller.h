// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "services/api/apicontroller.h"

namespace Hive {

// Teams (/api/v1/teams, /api/v1/team-templates): a template's agents started with one call,
// listed, stopped together. Lives in the API thread.
class TeamController : public ApiController
{
    Q_OBJECT

public:
    using ApiController::ApiController;

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> list(const Call &call);
    QFuture<QHttpServerResponse> start(const Call &call);
    QFuture<QHttpServerResponse> get(const Call &call);
    QFuture<QHttpServerResponse> stop(const Call &call);
    QFuture<QHttpServerResponse> templates(const Call &call);
};

// Pause, resume, stop and start one agent (/api/v1/agents/{id}/pause …). Lives in the API thread.
class AgentOpsController : public ApiController
{
    Q_OBJECT

public:
    using ApiController::ApiController;

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> pause(const Call &call);
    QFuture<QHttpServerResponse> resume(const Call &call);
    QFuture<QHttpServerResponse> stop(const Call &call);
    QFuture<QHttpServerResponse> start(const Call &call);
    QFuture<QHttpServerResponse> answer(const Call &call,
                                        QFuture<Result<Agent>> (*op)(Engine *, const QString &));
};

} // namespace Hive
