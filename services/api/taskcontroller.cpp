// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/taskcontroller.h"

#include "models/validation.h"
#include "services/api/jsonbody.h"
#include "services/engine.h"

#include <QJsonArray>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive {

TaskController::TaskController(Engine *engine, QObject *parent)
    : ApiController(engine, parent)
{}

QHash<QString, ApiController::Handler> TaskController::handlers()
{
    return {
        {u"listTasks"_s, bind(&TaskController::list)},
        {u"createTask"_s, bind(&TaskController::create)},
        {u"getTask"_s, bind(&TaskController::get)},
        {u"cancelTask"_s, bind(&TaskController::cancel)},
        {u"retryTask"_s, bind(&TaskController::retry)},
    };
}

QFuture<QHttpServerResponse> TaskController::answer(QFuture<Result<Task>> task)
{
    return respond(task, [](Result<Task> t) {
        if (!t)
            return ApiError::from(t.error()).toResponse();
        return jsonResponse(t->toJson());
    });
}

QFuture<QHttpServerResponse> TaskController::list(const Call &call)
{
    if (auto e = checkQuery(call.query,
                            {u"status"_s, u"agent_type"_s, u"agent_id"_s, u"before"_s, u"limit"_s}))
        return ready(*e);
    TaskFilter filter;
    if (const auto v = queryValue(call.query, u"status"_s)) {
        filter.status = Task::statusFromName(*v);
        if (!filter.status)
            return ready(ApiError::unknownValue(
                u"status: '%1' is not one of %2"_s.arg(*v, Task::statusNames().join(u", "_s))));
    }
    if (const auto v = queryValue(call.query, u"agent_type"_s)) {
        if (!Validation::isAgentType(*v))
            return ready(
                ApiError::invalidParameter(u"agent_type: '%1' is not an agent type (%2)"_s.arg(
                    *v, Validation::agentTypeRule())));
        filter.agentType = *v;
    }
    if (const auto v = queryValue(call.query, u"agent_id"_s)) {
        if (!Validation::isUuid(*v))
            return ready(
                ApiError::invalidParameter(u"agent_id: '%1' is not an agent id"_s.arg(*v)));
        filter.agentId = *v;
    }
    if (const auto v = queryValue(call.query, u"before"_s)) {
        if (!Validation::isUuid(*v))
            return ready(ApiError::invalidParameter(u"before: '%1' is not a task id"_s.arg(*v)));
        filter.before = *v;
    }
    const auto limit = queryInt(call.query, u"limit"_s, 1, 1000, 100);
    if (!limit)
        return ready(ApiError::from(limit.error()));
    filter.limit = *limit;
    return respondInPool(m_engine->tasks(filter), [](Result<QList<Task>> tasks) {
        if (!tasks)
            return ApiError::from(tasks.error()).toResponse();
        QJsonArray out;
        for (const Task &t : std::as_const(*tasks))
            out.append(t.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> TaskController::create(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body,
                                      {u"prompt"_s,
                                       u"title"_s,
                                       u"agent_type"_s,
                                       u"priority"_s,
                                       u"depends_on"_s,
                                       u"max_attempts"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto prompt = body->string(u"prompt"_s);
    const auto title = body->string(u"title"_s);
    const auto agentType = body->string(u"agent_type"_s);
    for (const auto *field : {&prompt, &title, &agentType})
        if (!*field)
            return ready(ApiError::from(field->error()));
    const auto priority = body->integer(u"priority"_s);
    const auto maxAttempts = body->integer(u"max_attempts"_s);
    for (const auto *field : {&priority, &maxAttempts})
        if (!*field)
            return ready(ApiError::from(field->error()));
    const auto dependsOn = body->stringList(u"depends_on"_s);
    if (!dependsOn)
        return ready(ApiError::from(dependsOn.error()));

    Task t;
    if (!*prompt)
        return ready(ApiError::missingField(u"prompt: required, what the agent should do"_s));
    if ((*prompt)->trimmed().isEmpty())
        return ready(ApiError::invalidValue(u"prompt: must not be empty"_s));
    t.prompt = **prompt;
    t.title = title->value_or(QString());
    t.agentType = agentType->value_or(u"dev"_s);
    if (!Validation::isAgentType(t.agentType))
        return ready(ApiError::invalidValue(u"agent_type: unknown agent type '%1' (%2)"_s.arg(
            t.agentType, Validation::agentTypeRule())));
    const qint64 p = priority->value_or(0);
    if (p < 0 || p > 9)
        return ready(ApiError::invalidValue(u"priority: must be from 0 to 9, got %1"_s.arg(p)));
    t.priority = int(p);
    const qint64 m = maxAttempts->value_or(3);
    if (m < 1 || m > 100)
        return ready(
            ApiError::invalidValue(u"max_attempts: must be from 1 to 100, got %1"_s.arg(m)));
    t.maxAttempts = int(m);
    // Ids that are not UUIDs, or name no task, are the store's refusal (422, naming the id).
    for (const QString &dep : dependsOn->value_or(QStringList()))
        if (!t.dependsOn.contains(dep))
            t.dependsOn << dep;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.status = Task::Status::Queued;
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->createTask(t), [](Result<Task> task) {
        if (!task)
            return ApiError::from(task.error()).toResponse();
        return created(task->toJson(), u"/api/v1/tasks/"_s + task->id);
    });
}

QFuture<QHttpServerResponse> TaskController::get(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return answer(m_engine->task(call.id));
}

QFuture<QHttpServerResponse> TaskController::cancel(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return answer(m_engine->cancelTask(call.id));
}

QFuture<QHttpServerResponse> TaskController::retry(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return answer(m_engine->retryTask(call.id));
}

} // namespace Hive
