// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"
#include "services/api/apiroutes.h"
#include "services/store/database.h"

#include <QHash>
#include <QJsonObject>

namespace Hive {

// /api/v1/runners: what hive-runner asks of the app, instead of holding a PostgreSQL connection of
// its own (one per worker agent was 52 connections for 50 workers): its agent, the claim of a
// task it read from the queue, the task's start, its result (the output in pieces when it is
// large), the failure of a command that could not start, the hand-back of a task when it stops,
// its status, and its heartbeat (whose answer says what the runner must stop for: its task
// cancelled or taken away, its agent ended; "flags" has room for more). Each change is the store
// function the runner called before (Database::claimTask, finishTask, …), run by the engine's
// store and published like every other change, so claims and results are fenced exactly as they
// were. A runner on another host joins with POST /api/v1/runners (an agent without a tmux session
// here, judged by its heartbeat). Over api.sock without a token, over TCP with it. Not refused
// while Redis is away (the runner has work in hand; the queue is made to match PostgreSQL when
// Redis is back). Lives in the API thread.
class RunnerController : public ApiController
{
    Q_OBJECT

public:
    RunnerController(Engine *engine, QObject *parent);

    QHash<QString, Handler> handlers() override;
    // Its part of the route table and of components/schemas (ApiRoutes, ApiSchemas).
    static QList<ApiOperation> operations();
    static void addSchemas(QJsonObject &schemas);

    // A result's output is sent in pieces of at most this many characters (the API's body limit
    // is 1 MiB; JSON escapes make some characters six bytes).
    static constexpr qsizetype kOutputPiece = 128 * 1024;

private:
    QFuture<QHttpServerResponse> join(const Call &call);
    QFuture<QHttpServerResponse> agent(const Call &call);
    QFuture<QHttpServerResponse> status(const Call &call);
    QFuture<QHttpServerResponse> heartbeat(const Call &call);
    QFuture<QHttpServerResponse> claim(const Call &call);
    QFuture<QHttpServerResponse> start(const Call &call);
    QFuture<QHttpServerResponse> output(const Call &call);
    QFuture<QHttpServerResponse> finish(const Call &call);
    QFuture<QHttpServerResponse> fail(const Call &call);
    QFuture<QHttpServerResponse> release(const Call &call);
    QFuture<QHttpServerResponse> rateLimited(const Call &call);
    QFuture<QHttpServerResponse> hold(const Call &call);

    // The answer to a change: {"task": the task as the change left it, or null}.
    QFuture<QHttpServerResponse> change(std::function<Result<Change>(Database &)> change);
    // A request whose body is only {"task_id"} and whose change is one of the store's
    // (task, agent) changes: claim, start, release.
    using TaskAgentChange = Result<Change> (Database::*)(const QString &, const QString &);
    QFuture<QHttpServerResponse> taskChange(const Call &call, TaskAgentChange what);

    // The output pieces received for a task's result, by agent id: (task id, text so far).
    QHash<QString, std::pair<QString, QString>> m_outputs;
};

} // namespace Hive
