// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/agentcontroller.h"

#include "services/agents/profiles.h"
#include "services/api/jsonbody.h"
#include "services/engine.h"

#include "models/validation.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Hive {

AgentController::AgentController(Engine *engine, QObject *parent)
    : ApiController(engine, parent)
{}

QHash<QString, ApiController::Handler> AgentController::handlers()
{
    return {
        {u"listAgents"_s, bind(&AgentController::list)},
        {u"spawnAgent"_s, bind(&AgentController::spawn)},
        {u"getAgent"_s, bind(&AgentController::get)},
        {u"killAgent"_s, bind(&AgentController::kill)},
        {u"typeInput"_s, bind(&AgentController::input)},
        {u"readOutput"_s, bind(&AgentController::output)},
        {u"restartAgent"_s, bind(&AgentController::restart)},
        {u"reportHook"_s, bind(&AgentController::hook)},
    };
}

QFuture<QHttpServerResponse> AgentController::list(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"status"_s}))
        return ready(*e);
    std::optional<Agent::Status> status;
    if (const auto v = queryValue(call.query, u"status"_s)) {
        status = Agent::statusFromName(*v);
        if (!status)
            return ready(ApiError::unknownValue(
                u"status: '%1' is not one of %2"_s.arg(*v, Agent::statusNames().join(u", "_s))));
    }
    // What the engine keeps current (no round trip, the JSON made once per change).
    if (auto json = m_engine->agentsJson(status))
        return ready(jsonBytesResponse(*json));
    return respondInPool(m_engine->agents(status), [](Result<QList<Agent>> agents) {
        if (!agents)
            return ApiError::from(agents.error()).toResponse();
        QJsonArray out;
        for (const Agent &a : std::as_const(*agents))
            out.append(a.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> AgentController::spawn(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body,
                                      {u"type"_s,
                                       u"name"_s,
                                       u"profile"_s,
                                       u"workdir"_s,
                                       u"repository"_s,
                                       u"interactive"_s,
                                       u"permission_mode"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    SpawnRequest r;
    const auto type = body->string(u"type"_s);
    const auto name = body->string(u"name"_s);
    const auto profile = body->string(u"profile"_s);
    const auto workdir = body->string(u"workdir"_s);
    const auto repository = body->string(u"repository"_s);
    const auto interactive = body->boolean(u"interactive"_s);
    const auto permissionMode = body->string(u"permission_mode"_s);
    for (const auto *field : {&type, &name, &profile, &workdir, &repository, &permissionMode})
        if (!*field)
            return ready(ApiError::from(field->error()));
    if (!interactive)
        return ready(ApiError::from(interactive.error()));
    if (!*type)
        return ready(ApiError::missingField(u"type: required, the agent type (e.g. \"dev\")"_s));
    // The type and the name are checked by the engine (Validation), the same for every client.
    r.type = **type;
    r.name = name->value_or(QString());
    r.profile = profile->value_or(QString());
    r.workdir = workdir->value_or(QString());
    r.repository = repository->value_or(QString());
    r.interactive = *interactive;
    r.permissionMode = permissionMode->value_or(QString());
    // An unknown mode is an unknown enum value (400); whether the profile takes a mode at all,
    // and bypassPermissions as root, the engine decides (422).
    if (!r.permissionMode.isEmpty() && !Profiles::permissionModes().contains(r.permissionMode))
        return ready(ApiError::unknownValue(u"permission_mode: '%1' is not one of %2"_s.arg(
            r.permissionMode, Profiles::permissionModes().join(u", "_s))));
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->spawn(r), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return created(agent->toJson(), u"/api/v1/agents/"_s + agent->id);
    });
}

QFuture<QHttpServerResponse> AgentController::get(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto json = m_engine->agentJson(call.id))
        return ready(jsonBytesResponse(*json));
    return respond(m_engine->agent(call.id), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return jsonResponse(agent->toJson());
    });
}

QFuture<QHttpServerResponse> AgentController::kill(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->kill(call.id), [](Result<> killed) {
        if (!killed)
            return ApiError::from(killed.error()).toResponse();
        return emptyResponse(204);
    });
}

QFuture<QHttpServerResponse> AgentController::input(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"text"_s, u"enter"_s, u"keys"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto text = body->string(u"text"_s);
    if (!text)
        return ready(ApiError::from(text.error()));
    const auto enter = body->boolean(u"enter"_s);
    if (!enter)
        return ready(ApiError::from(enter.error()));
    const auto keys = body->stringList(u"keys"_s);
    if (!keys)
        return ready(ApiError::from(keys.error()));
    InputRequest r;
    r.text = text->value_or(QString());
    r.enter = enter->value_or(false);
    r.keys = keys->value_or(QStringList());
    if (!*text && !*keys)
        return ready(ApiError::missingField(u"text: required (or keys), the text to type"_s));
    if (r.text.isEmpty() && !r.enter && r.keys.isEmpty())
        return ready(
            ApiError::invalidValue(u"text: empty, and enter is not true: nothing to type"_s));
    if (r.keys.size() > 64)
        return ready(
            ApiError::invalidValue(u"keys: at most 64 at once, got %1"_s.arg(r.keys.size())));
    for (const QString &key : std::as_const(r.keys))
        if (!Validation::isKeyName(key))
            return ready(ApiError::invalidValue(u"keys: '%1' is not a key name (%2)"_s.arg(
                key.left(40), Validation::keyNameRule())));
    return respond(m_engine->input(call.id, r), [](Result<InputAck> typed) {
        if (!typed)
            return ApiError::from(typed.error()).toResponse();
        return jsonResponse(
            QJsonObject{
                {u"accepted"_s, typed->accepted ? QJsonValue(*typed->accepted) : QJsonValue()}},
            202);
    });
}

QFuture<QHttpServerResponse> AgentController::restart(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (!call.body.trimmed().isEmpty())
        return ready(ApiError::invalidValue(u"body: restart takes no body"_s));
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->restart(call.id), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return created(agent->toJson(), u"/api/v1/agents/"_s + agent->id);
    });
}

QFuture<QHttpServerResponse> AgentController::hook(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(call.body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return ready(ApiError::malformedJson(u"body: expected the hook's JSON object"_s));
    // What of it reaches PostgreSQL (ClaudeHooks::read: the session id, the words of what the agent
    // waits for) must not hold U+0000; the rest (a tool's output, a file's bytes) may.
    const QJsonObject payload = doc.object();
    QJsonObject read;
    for (const QString &key : {u"session_id"_s,
                               u"hook_event_name"_s,
                               u"notification_type"_s,
                               u"message"_s,
                               u"tool_name"_s})
        if (payload.contains(key))
            read.insert(key, payload.value(key));
    const QJsonObject toolInput = payload.value(u"tool_input"_s).toObject();
    QJsonObject toolRead;
    for (const QString &key : {u"file_path"_s, u"command"_s, u"url"_s})
        if (toolInput.contains(key))
            toolRead.insert(key, toolInput.value(key));
    if (!toolRead.isEmpty())
        read.insert(u"tool_input"_s, toolRead);
    if (auto e = JsonBody::nulRefusal(read))
        return ready(ApiError::from(*e));
    return respond(m_engine->hook(call.id, doc.object()), [](Result<> done) {
        if (!done)
            return ApiError::from(done.error()).toResponse();
        return emptyResponse(202);
    });
}

QFuture<QHttpServerResponse> AgentController::output(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"lines"_s}))
        return ready(*e);
    const auto lines = queryInt(call.query, u"lines"_s, 1, 10000, 200);
    if (!lines)
        return ready(ApiError::from(lines.error()));
    return respond(m_engine->output(call.id, *lines), [](Result<QString> text) {
        if (!text)
            return ApiError::from(text.error()).toResponse();
        return jsonResponse(QJsonObject{{u"text"_s, *text}});
    });
}

} // namespace Hive
