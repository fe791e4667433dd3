// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/runnercontroller.h"

#include "services/api/apischemas.h"
#include "services/api/jsonbody.h"
#include "services/engine.h"

#include "models/validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

using Method = QHttpServerRequest::Method;

// The task id of a runner's request body: required, a UUID.
Result<QString> taskIdOf(const JsonBody &body)
{
    const auto id = body.string(u"task_id"_s);
    if (!id)
        return std::unexpected(id.error());
    if (!*id)
        return std::unexpected(Error::badRequest(u"task_id: required"_s));
    if (!Validation::isUuid(**id))
        return std::unexpected(Error::invalid(u"task_id: '%1' is not a UUID"_s.arg(**id)));
    return **id;
}

// A runner is the app's own (api.sock, or the token): a store failure is answered with what went
// wrong (the task's error quotes it when its result cannot be stored), not only a log id.
QHttpServerResponse failed(const Error &e)
{
    ApiError a = ApiError::from(e);
    if (e.kind == Error::Kind::Internal)
        a.message = e.message;
    return a.toResponse();
}

// A body that may hold U+0000 in its strings (a command's output, an error quoting it), which
// JsonBody refuses: the store replaces it (and says so in the output), as when the runner wrote
// itself. Only the known fields.
Result<QJsonObject> rawBody(const QByteArray &body, const QStringList &known)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::unexpected(Error::badRequest(u"body: expected a JSON object"_s));
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            return std::unexpected(Error::badRequest(u"%1: unknown field"_s.arg(it.key())));
    return o;
}

// rawBody, with its task_id: required, a UUID.
std::expected<std::pair<QJsonObject, QString>, ApiError> rawBodyWithTask(const QByteArray &body,
                                                                         const QStringList &known)
{
    const auto o = rawBody(body, known);
    if (!o)
        return std::unexpected(ApiError::from(o.error()));
    const QString task = o->value(u"task_id"_s).toString();
    if (!Validation::isUuid(task))
        return std::unexpected(ApiError::invalidValue(u"task_id: required, a UUID"_s));
    return std::pair{*o, task};
}

QHttpServerResponse taskAnswer(const std::optional<Task> &task)
{
    return jsonResponse(
        QJsonObject{{u"task"_s, task ? QJsonValue(task->toJson()) : QJsonValue(QJsonValue::Null)}});
}

} // namespace

RunnerController::RunnerController(Engine *engine, QObject *parent)
    : ApiController(engine, parent)
{}

QHash<QString, ApiController::Handler> RunnerController::handlers()
{
    return {
        {u"joinRunner"_s, bind(&RunnerController::join)},
        {u"getRunnerAgent"_s, bind(&RunnerController::agent)},
        {u"setRunnerStatus"_s, bind(&RunnerController::status)},
        {u"runnerHeartbeat"_s, bind(&RunnerController::heartbeat)},
        {u"claimTask"_s, bind(&RunnerController::claim)},
        {u"startTask"_s, bind(&RunnerController::start)},
        {u"sendTaskOutput"_s, bind(&RunnerController::output)},
        {u"finishTask"_s, bind(&RunnerController::finish)},
        {u"failTaskToStart"_s, bind(&RunnerController::fail)},
        {u"releaseTask"_s, bind(&RunnerController::release)},
        {u"finishRateLimited"_s, bind(&RunnerController::rateLimited)},
        {u"runnerHold"_s, bind(&RunnerController::hold)},
    };
}

QFuture<QHttpServerResponse>
RunnerController::change(std::function<Result<Change>(Database &)> change)
{
    return respond(m_engine->runnerChange(std::move(change)), [](Result<Change> c) {
        if (!c)
            return failed(c.error());
        return taskAnswer(c->task);
    });
}

QFuture<QHttpServerResponse> RunnerController::taskChange(const Call &call, TaskAgentChange what)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"task_id"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto task = taskIdOf(*body);
    if (!task)
        return ready(ApiError::from(task.error()));
    return change([what, t = *task, id = call.id](Database &db) { return (db.*what)(t, id); });
}

QFuture<QHttpServerResponse> RunnerController::join(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body
        = JsonBody::parse(call.body, {u"type"_s, u"name"_s, u"profile"_s, u"workdir"_s, u"host"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto type = body->string(u"type"_s);
    const auto name = body->string(u"name"_s);
    const auto profile = body->string(u"profile"_s);
    const auto workdir = body->string(u"workdir"_s);
    const auto host = body->string(u"host"_s);
    for (const auto *field : {&type, &name, &profile, &workdir, &host})
        if (!*field)
            return ready(ApiError::from(field->error()));
    if (!*type || !*host || !*workdir || !*profile)
        return ready(ApiError::missingField(u"type, profile, workdir and host are required"_s));
    if (!Validation::isAgentType(**type))
        return ready(ApiError::invalidValue(u"type: %1"_s.arg(Validation::agentTypeRule())));
    if (!Validation::isFileName(**profile))
        return ready(ApiError::invalidValue(u"profile: %1"_s.arg(Validation::fileNameRule())));
    if (host->value().isEmpty() || host->value().size() > 253)
        return ready(ApiError::invalidValue(u"host: 1 to 253 characters"_s));
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.type = **type;
    a.name = name->value_or(u"%1-%2"_s.arg(**type, a.id.left(8)));
    if (!Validation::isAgentName(a.name))
        return ready(ApiError::invalidValue(u"name: %1"_s.arg(Validation::agentNameRule())));
    a.profile = **profile;
    a.workdir = **workdir;
    a.status = Agent::Status::Starting;
    // No tmux session here: the agent lives on that host, and is judged by its heartbeat.
    a.tmuxSession = u"@"_s + **host;
    return respond(
        m_engine->runnerChange([a](Database &db) { return db.insertAgent(a); }),
        [](Result<Change> c) {
            if (!c)
                return ApiError::from(c.error()).toResponse();
            if (!c->agent)
                return ApiError::internal(Error::internal(u"no agent inserted"_s)).toResponse();
            return created(c->agent->toJson(), u"/api/v1/agents/"_s + c->agent->id);
        });
}

QFuture<QHttpServerResponse> RunnerController::agent(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->agent(call.id), [](Result<Agent> a) {
        if (!a)
            return ApiError::from(a.error()).toResponse();
        return jsonResponse(a->toJson());
    });
}

QFuture<QHttpServerResponse> RunnerController::status(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"status"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto status = body->string(u"status"_s);
    if (!status)
        return ready(ApiError::from(status.error()));
    // A runner only says it is ready: the rest of an agent's states are the app's to set.
    if (status->value_or(QString()) != u"idle"_s)
        return ready(ApiError::unknownValue(u"status: only 'idle'"_s));
    return change(
        [id = call.id](Database &db) { return db.setAgentStatus(id, Agent::Status::Idle); });
}

QFuture<QHttpServerResponse> RunnerController::heartbeat(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"task_id"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto taskId = body->string(u"task_id"_s);
    if (!taskId)
        return ready(ApiError::from(taskId.error()));
    const QString task = taskId->value_or(QString());
    if (!task.isEmpty() && !Validation::isUuid(task))
        return ready(ApiError::invalidValue(u"task_id: '%1' is not a UUID"_s.arg(task)));
    return respond(m_engine->runnerHeartbeat(call.id, task),
                   [agentId = call.id](Result<Engine::RunnerBeat> beat) {
                       if (!beat)
                           return ApiError::from(beat.error()).toResponse();
                       QJsonObject o{{u"agent_status"_s, Agent::statusName(beat->agent.status)},
                                     {u"agent_alive"_s, beat->agent.isAlive()},
                                     // What else the runner must obey: its agent paused
                                     // (it finishes its task and reads no more of the queue).
                                     {u"flags"_s, QJsonObject{{u"paused"_s, beat->agent.paused}}}};
                       if (beat->task) {
                           const Task &t = *beat->task;
                           const bool cancelled = t.status == Task::Status::Cancelled;
                           o.insert(u"task_status"_s, Task::statusName(t.status));
                           o.insert(u"task_cancelled"_s, cancelled);
                           o.insert(u"task_taken_away"_s,
                                    !cancelled
                                        && (t.agentId != agentId
                                            || (t.status != Task::Status::Assigned
                                                && t.status != Task::Status::Running)));
                       }
                       return jsonResponse(o);
                   });
}

QFuture<QHttpServerResponse> RunnerController::claim(const Call &call)
{
    return taskChange(call, &Database::claimTask);
}

QFuture<QHttpServerResponse> RunnerController::start(const Call &call)
{
    return taskChange(call, &Database::startTask);
}

QFuture<QHttpServerResponse> RunnerController::output(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto parsed = rawBodyWithTask(call.body, {u"task_id"_s, u"offset"_s, u"text"_s});
    if (!parsed)
        return ready(parsed.error());
    const auto &[fields, task] = *parsed;
    const QJsonValue at = fields.value(u"offset"_s);
    const QJsonValue text = fields.value(u"text"_s);
    if (!at.isDouble() || !text.isString())
        return ready(
            ApiError::missingField(u"offset (an integer) and text (a string) are required"_s));
    const qint64 offset = at.toInteger();
    auto &[taskId, so] = m_outputs[call.id];
    if (offset == 0 || taskId != task) {
        taskId = task;
        so.clear();
    }
    // A piece sent again (its answer was lost) replaces what followed it; one beyond the end
    // means the pieces before it are gone (the app restarted): the runner sends them all again.
    if (offset > so.size() || offset < 0)
        return ready(ApiError{
            409,
            u"output_incomplete"_s,
            u"offset %1: only %2 characters of this output are here"_s.arg(offset).arg(so.size())});
    so.truncate(offset);
    so += text.toString();
    return ready(jsonResponse(QJsonObject{{u"received"_s, so.size()}}));
}

QFuture<QHttpServerResponse> RunnerController::finish(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto parsed = rawBodyWithTask(call.body,
                                        {u"task_id"_s,
                                         u"result"_s,
                                         u"succeeded"_s,
                                         u"error"_s,
                                         u"retryable"_s,
                                         u"output_offset"_s});
    if (!parsed)
        return ready(parsed.error());
    const auto &[fields, task] = *parsed;
    const QJsonValue succeeded = fields.value(u"succeeded"_s);
    const QJsonValue error = fields.value(u"error"_s);
    const QJsonValue retryable = fields.value(u"retryable"_s);
    const QJsonValue offset = fields.value(u"output_offset"_s);
    if (!succeeded.isBool() || !fields.value(u"result"_s).isObject())
        return ready(
            ApiError::missingField(u"succeeded (a boolean) and result (an object) are required"_s));
    if ((!error.isUndefined() && !error.isString())
        || (!retryable.isUndefined() && !retryable.isBool())
        || (!offset.isUndefined() && !offset.isDouble()))
        return ready(ApiError::wrongType(
            u"error: a string, retryable: a boolean, output_offset: an integer"_s));
    TaskResult result = TaskResult::fromJson(fields.value(u"result"_s).toObject());
    const qint64 before = offset.toInteger(0);
    if (before > 0) {
        const auto it = m_outputs.constFind(call.id);
        if (it == m_outputs.cend() || it->first != task || it->second.size() != before)
            return ready(
                ApiError{409,
                         u"output_incomplete"_s,
                         u"output_offset %1: the output's first part is not here"_s.arg(before)});
        result.output.prepend(it->second);
    }
    m_outputs.remove(call.id);
    return change([t = task,
                   id = call.id,
                   result,
                   ok = succeeded.toBool(),
                   why = error.toString(),
                   again = retryable.toBool(true)](Database &db) {
        return db.finishTask(t, id, result, ok, why, again);
    });
}

QFuture<QHttpServerResponse> RunnerController::fail(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto parsed = rawBodyWithTask(call.body, {u"task_id"_s, u"error"_s});
    if (!parsed)
        return ready(parsed.error());
    const auto &[fields, task] = *parsed;
    const QString why = fields.value(u"error"_s).toString();
    if (why.isEmpty())
        return ready(ApiError::missingField(u"error: required, why the task failed"_s));
    return change(
        [t = task, id = call.id, why](Database &db) { return db.failTaskToStart(t, id, why); });
}

QFuture<QHttpServerResponse> RunnerController::release(const Call &call)
{
    return taskChange(call, &Database::releaseTask);
}

QFuture<QHttpServerResponse> RunnerController::rateLimited(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto parsed
        = rawBodyWithTask(call.body, {u"task_id"_s, u"result"_s, u"until"_s, u"reason"_s});
    if (!parsed)
        return ready(parsed.error());
    const auto &[fields, task] = *parsed;
    if (!fields.value(u"result"_s).isObject() || !fields.value(u"until"_s).isString())
        return ready(ApiError::missingField(
            u"result (an object) and until (an ISO 8601 time) are required"_s));
    const QDateTime until
        = QDateTime::fromString(fields.value(u"until"_s).toString(), Qt::ISODateWithMs);
    if (!until.isValid())
        return ready(ApiError::invalidValue(u"until: not an ISO 8601 time"_s));
    const TaskResult result = TaskResult::fromJson(fields.value(u"result"_s).toObject());
    m_outputs.remove(call.id);
    return change(
        [t = task, id = call.id, result, until, why = fields.value(u"reason"_s).toString()](
            Database &db) { return db.finishRateLimited(t, id, result, until, why); });
}

QFuture<QHttpServerResponse> RunnerController::hold(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->runnerHold(call.id), [](Result<std::optional<DispatchHold>> h) {
        if (!h)
            return ApiError::from(h.error()).toResponse();
        QJsonValue hold(QJsonValue::Null);
        if (*h)
            hold = QJsonObject{{u"code"_s, (*h)->code},
                               {u"message"_s, (*h)->message},
                               {u"until"_s, (*h)->until.toUTC().toString(Qt::ISODateWithMs)}};
        return jsonResponse(QJsonObject{{u"hold"_s, hold}});
    });
}

QList<ApiOperation> RunnerController::operations()
{
    using namespace ApiSchemas;
    const QList<std::pair<int, QString>> taskAnswer{
        {200, u"RunnerTaskAnswer"_s}, {404, u"Error"_s}, {503, u"Error"_s}};
    QList<ApiOperation> o;
    o.append({Method::Post,
              u"/api/v1/runners"_s,
              u"joinRunner"_s,
              u"A hive-runner on another host joins: a worker agent without a tmux session here, "
              "judged by its heartbeat"_s,
              true,
              {},
              u"RunnerJoin"_s,
              {{201, u"Agent"_s}, {409, u"Error"_s}, {422, u"Error"_s}}});
    o.append({Method::Get,
              u"/api/v1/runners/{id}"_s,
              u"getRunnerAgent"_s,
              u"The runner's agent (hive-runner, at its start)"_s,
              true,
              {},
              {},
              {{200, u"Agent"_s}, {404, u"Error"_s}}});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/status"_s,
              u"setRunnerStatus"_s,
              u"The runner is ready for tasks: its agent goes idle"_s,
              true,
              {},
              u"RunnerStatus"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/heartbeat"_s,
              u"runnerHeartbeat"_s,
              u"The runner lives; the answer says whether its task was cancelled or taken away "
              "and whether its agent still lives"_s,
              true,
              {},
              u"RunnerHeartbeat"_s,
              {{200, u"RunnerBeat"_s}, {404, u"Error"_s}, {503, u"Error"_s}}});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/claim"_s,
              u"claimTask"_s,
              u"Claim a task read from the queue: task is null when it is not claimable any more"_s,
              true,
              {},
              u"RunnerTaskRef"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/start"_s,
              u"startTask"_s,
              u"The claimed task's command started"_s,
              true,
              {},
              u"RunnerTaskRef"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/output"_s,
              u"sendTaskOutput"_s,
              u"A piece of a large result's output, before its finish"_s,
              true,
              {},
              u"RunnerOutput"_s,
              {{200, u"RunnerOutputAnswer"_s}, {409, u"Error"_s}}});
    o.append(
        {Method::Post,
         u"/api/v1/runners/{id}/finish"_s,
         u"finishTask"_s,
         u"The task's result (ignored when the task is no longer this agent's)"_s,
         true,
         {},
         u"RunnerFinish"_s,
         {{200, u"RunnerTaskAnswer"_s}, {404, u"Error"_s}, {409, u"Error"_s}, {503, u"Error"_s}}});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/fail"_s,
              u"failTaskToStart"_s,
              u"The task fails without a result (its command could not start)"_s,
              true,
              {},
              u"RunnerFail"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/release"_s,
              u"releaseTask"_s,
              u"The runner stops and hands its task back (queued again, the attempt not counted)"_s,
              true,
              {},
              u"RunnerTaskRef"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/rate-limited"_s,
              u"finishRateLimited"_s,
              u"The task's command hit a rate or usage limit: the run is recorded, the task queued "
              "again (the attempt not counted) and the agent's profile paused until `until`"_s,
              true,
              {},
              u"RunnerRateLimited"_s,
              taskAnswer});
    o.append({Method::Post,
              u"/api/v1/runners/{id}/hold"_s,
              u"runnerHold"_s,
              u"What holds dispatch back for the runner's agent now (a rate-limited profile, the "
              "day's budget spent), or null"_s,
              true,
              {},
              {},
              {{200, u"RunnerHold"_s}, {404, u"Error"_s}, {503, u"Error"_s}}});
    return o;
}

void RunnerController::addSchemas(QJsonObject &s)
{
    using namespace ApiSchemas;
    const QJsonObject uuid = formatted(u"string"_s, u"uuid"_s);
    s.insert(u"RunnerJoin"_s,
             object({{u"type"_s, agentType()},
                     {u"name"_s, type(u"string"_s, Validation::agentNameRule())},
                     {u"profile"_s, type(u"string"_s, u"the profile on the runner's host"_s)},
                     {u"workdir"_s, type(u"string"_s, u"the folder on the runner's host"_s)},
                     {u"host"_s, type(u"string"_s, u"the runner's host name"_s)}},
                    {u"type"_s, u"profile"_s, u"workdir"_s, u"host"_s},
                    true));
    s.insert(u"RunnerStatus"_s, object({{u"status"_s, enumOf({u"idle"_s})}}, {u"status"_s}, true));
    s.insert(u"RunnerTaskRef"_s, object({{u"task_id"_s, uuid}}, {u"task_id"_s}, true));
    s.insert(u"RunnerHeartbeat"_s,
             object({{u"task_id"_s, type(u"string"_s, u"the task it runs, if any"_s)}}, {}, true));
    s.insert(
        u"RunnerTaskAnswer"_s,
        object({{u"task"_s,
                 QJsonObject{{u"oneOf"_s,
                              QJsonArray{ref(u"Task"_s), QJsonObject{{u"type"_s, u"null"_s}}}}}}},
               {u"task"_s}));
    s.insert(u"RunnerBeat"_s,
             object({{u"agent_status"_s, enumOf(Agent::statusNames())},
                     {u"agent_alive"_s, type(u"boolean"_s)},
                     {u"task_status"_s, enumOf(Task::statusNames())},
                     {u"task_cancelled"_s, type(u"boolean"_s)},
                     {u"task_taken_away"_s,
                      type(u"boolean"_s, u"no longer this agent's: its result is not stored"_s)},
                     {u"flags"_s,
                      object({{u"paused"_s,
                               type(u"boolean"_s,
                                    u"its agent is paused: it finishes its task and claims no "
                                    "new one"_s)}},
                             {u"paused"_s})}},
                    {u"agent_status"_s, u"agent_alive"_s, u"flags"_s}));
    s.insert(u"RunnerOutput"_s,
             object({{u"task_id"_s, uuid},
                     {u"offset"_s, type(u"integer"_s, u"characters of the output sent before"_s)},
                     {u"text"_s, type(u"string"_s)}},
                    {u"task_id"_s, u"offset"_s, u"text"_s},
                    true));
    s.insert(u"RunnerOutputAnswer"_s,
             object({{u"received"_s, type(u"integer"_s)}}, {u"received"_s}));
    s.insert(u"RunnerFinish"_s,
             object({{u"task_id"_s, uuid},
                     {u"result"_s, type(u"object"_s, u"exit_code, output, duration_ms, …"_s)},
                     {u"succeeded"_s, type(u"boolean"_s)},
                     {u"error"_s, type(u"string"_s)},
                     {u"retryable"_s, type(u"boolean"_s)},
                     {u"output_offset"_s,
                      type(u"integer"_s, u"characters of the output sent before with /output"_s)}},
                    {u"task_id"_s, u"result"_s, u"succeeded"_s},
                    true));
    s.insert(u"RunnerRateLimited"_s,
             object({{u"task_id"_s, uuid},
                     {u"result"_s, type(u"object"_s, u"exit_code, output, duration_ms, …"_s)},
                     {u"until"_s, formatted(u"string"_s, u"date-time"_s)},
                     {u"reason"_s, type(u"string"_s)}},
                    {u"task_id"_s, u"result"_s, u"until"_s},
                    true));
    s.insert(u"RunnerHold"_s,
             object({{u"hold"_s,
                      QJsonObject{
                          {u"oneOf"_s,
                           QJsonArray{object({{u"code"_s,
                                               enumOf({u"rate_limited"_s, u"budget_exhausted"_s})},
                                              {u"message"_s, type(u"string"_s)},
                                              {u"until"_s, formatted(u"string"_s, u"date-time"_s)}},
                                             {u"code"_s, u"message"_s, u"until"_s}),
                                      QJsonObject{{u"type"_s, u"null"_s}}}}}}},
                    {u"hold"_s}));
    s.insert(u"RunnerFail"_s,
             object({{u"task_id"_s, uuid}, {u"error"_s, type(u"string"_s)}},
                    {u"task_id"_s, u"error"_s},
                    true));
}

} // namespace Hive
