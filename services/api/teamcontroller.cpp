// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/teamcontroller.h"

#include "services/api/jsonbody.h"
#include "services/engine.h"

#include <QDir>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive {

QHash<QString, ApiController::Handler> TeamController::handlers()
{
    return {
        {u"listTeams"_s, bind(&TeamController::list)},
        {u"startTeam"_s, bind(&TeamController::start)},
        {u"getTeam"_s, bind(&TeamController::get)},
        {u"stopTeam"_s, bind(&TeamController::stop)},
        {u"listTeamTemplates"_s, bind(&TeamController::templates)},
    };
}

QFuture<QHttpServerResponse> TeamController::list(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respondInPool(m_engine->teams(), [](Result<QList<Team>> teams) {
        if (!teams)
            return ApiError::from(teams.error()).toResponse();
        QJsonArray out;
        for (const Team &t : std::as_const(*teams))
            out.append(t.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> TeamController::start(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"template"_s, u"repository"_s, u"name"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto repository = body->string(u"repository"_s);
    const auto name = body->string(u"name"_s);
    for (const auto *field : {&repository, &name})
        if (!*field)
            return ready(ApiError::from(field->error()));
    TeamRequest r;
    r.repository = repository->value_or(QString());
    r.name = name->value_or(QString());
    const QJsonValue tmpl = body->object().value(u"template"_s);
    if (tmpl.isString()) {
        r.templateName = tmpl.toString();
    } else if (tmpl.isObject()) {
        auto t = TeamTemplate::fromJson(tmpl.toObject());
        if (!t) {
            Error e = t.error();
            e.message = u"template."_s + e.message; // the field inside the body
            return ready(ApiError::from(e));
        }
        r.inlineTemplate = *t;
    } else if (tmpl.isUndefined() || tmpl.isNull()) {
        return ready(ApiError::missingField(
            u"template: required, a template's name (e.g. \"%1\") or a template"_s.arg(
                Teams::builtinName())));
    } else {
        return ready(ApiError::wrongType(
            u"template: expected a template's name (a string) or a template (an object)"_s));
    }
    if (!r.repository.isEmpty() && !QDir::isAbsolutePath(r.repository))
        return ready(ApiError::invalidValue(u"repository: must be an absolute path"_s));
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->spawnTeam(r), [](Result<Team> team) {
        if (!team)
            return ApiError::from(team.error()).toResponse();
        return created(team->toJson(), u"/api/v1/teams/"_s + team->id);
    });
}

QFuture<QHttpServerResponse> TeamController::get(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->team(call.id), [](Result<Team> team) {
        if (!team)
            return ApiError::from(team.error()).toResponse();
        return jsonResponse(team->toJson());
    });
}

QFuture<QHttpServerResponse> TeamController::stop(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->stopTeam(call.id), [](Result<Team> team) {
        if (!team)
            return ApiError::from(team.error()).toResponse();
        return jsonResponse(team->toJson());
    });
}

QFuture<QHttpServerResponse> TeamController::templates(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    QJsonArray out;
    for (const TeamTemplate &t : m_engine->teamTemplates())
        out.append(t.toJson());
    return ready(jsonResponse(out));
}

QHash<QString, ApiController::Handler> AgentOpsController::handlers()
{
    return {
        {u"pauseAgent"_s, bind(&AgentOpsController::pause)},
        {u"resumeAgent"_s, bind(&AgentOpsController::resume)},
        {u"stopAgent"_s, bind(&AgentOpsController::stop)},
        {u"startAgent"_s, bind(&AgentOpsController::start)},
    };
}

QFuture<QHttpServerResponse>
AgentOpsController::answer(const Call &call,
                           QFuture<Result<Agent>> (*op)(Engine *, const QString &))
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (!call.body.trimmed().isEmpty())
        return ready(ApiError::invalidValue(u"body: this action takes no body"_s));
    if (auto e = needsRedis())
        return ready(*e);
    return respond(op(m_engine, call.id), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return jsonResponse(agent->toJson());
    });
}

QFuture<QHttpServerResponse> AgentOpsController::pause(const Call &call)
{
    return answer(call, [](Engine *e, const QString &id) { return e->setPaused(id, true); });
}

QFuture<QHttpServerResponse> AgentOpsController::resume(const Call &call)
{
    return answer(call, [](Engine *e, const QString &id) { return e->setPaused(id, false); });
}

QFuture<QHttpServerResponse> AgentOpsController::stop(const Call &call)
{
    return answer(call, [](Engine *e, const QString &id) { return e->stopAgent(id); });
}

QFuture<QHttpServerResponse> AgentOpsController::start(const Call &call)
{
    return answer(call, [](Engine *e, const QString &id) { return e->startAgent(id); });
}

} // namespace Hive
