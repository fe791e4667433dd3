// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiroutes.h"
#include "services/api/teamroutes.h"

#include "models/agent.h"
#include "models/task.h"
#include "services/api/apischemas.h"
#include "services/api/reviewcontroller.h"
#include "services/api/runnercontroller.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Hive::ApiRoutes {

using namespace ApiSchemas;
using Method = QHttpServerRequest::Method;

QString methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case Method::Get:
        return u"GET"_s;
    case Method::Post:
        return u"POST"_s;
    case Method::Delete:
        return u"DELETE"_s;
    case Method::Put:
        return u"PUT"_s;
    case Method::Patch:
        return u"PATCH"_s;
    case Method::Head:
        return u"HEAD"_s;
    case Method::Options:
        return u"OPTIONS"_s;
    default:
        return u"UNKNOWN"_s;
    }
}

QString routerPattern(const QString &path)
{
    QString p = path;
    return p.replace(u"{id}"_s, u"<arg>"_s);
}

const QList<ApiOperation> &operations()
{
    static const QList<ApiOperation> ops = [] {
        const QJsonObject agentStatus
            = queryParam(u"status"_s, enumOf(Agent::statusNames()), u"only agents in this state"_s);
        QList<ApiOperation> o;
        o.append({Method::Get,
                  u"/api/v1/health"_s,
                  u"getHealth"_s,
                  u"Whether PostgreSQL, Redis and tmux are reachable (no token needed)"_s,
                  false,
                  {},
                  {},
                  {{200, u"Health"_s}}});
        o.append({Method::Get,
                  u"/api/v1/agents"_s,
                  u"listAgents"_s,
                  u"All agents, oldest first"_s,
                  true,
                  {agentStatus},
                  {},
                  {{200, u"AgentList"_s}}});
        o.append({Method::Post,
                  u"/api/v1/agents"_s,
                  u"spawnAgent"_s,
                  u"Spawn an agent; its tmux session exists when this returns"_s,
                  true,
                  {},
                  u"SpawnRequest"_s,
                  {{201, u"Agent"_s}, {409, u"Error"_s}}});
        o.append({Method::Get,
                  u"/api/v1/agents/{id}"_s,
                  u"getAgent"_s,
                  u"One agent"_s,
                  true,
                  {},
                  {},
                  {{200, u"Agent"_s}}});
        o.append({Method::Delete,
                  u"/api/v1/agents/{id}"_s,
                  u"killAgent"_s,
                  u"Kill an agent: its session is gone, its running task goes back to the queue"_s,
                  true,
                  {},
                  {},
                  {{204, {}}}});
        o.append({Method::Post,
                  u"/api/v1/agents/{id}/input"_s,
                  u"typeInput"_s,
                  u"Type text literally into the agent's pane, then Enter and keys by name; says "
                  u"whether the "
                  "prompt reached the agent"_s,
                  true,
                  {},
                  u"InputRequest"_s,
                  {{202, u"Accepted"_s}, {409, u"Error"_s}}});
        o.append({Method::Post,
                  u"/api/v1/agents/{id}/restart"_s,
                  u"restartAgent"_s,
                  u"Kill the agent if it lives and spawn it again: same name, type, profile and "
                  u"folder, its "
                  "conversation resumed"_s,
                  true,
                  {},
                  {},
                  {{201, u"Agent"_s}, {404, u"Error"_s}, {409, u"Error"_s}}});
        o.append({Method::Post,
                  u"/api/v1/agents/{id}/hooks"_s,
                  u"reportHook"_s,
                  u"A Claude Code hook reports what the agent does (used by hive-runner hook)"_s,
                  true,
                  {},
                  u"HookPayload"_s,
                  {{202, {}}, {404, u"Error"_s}}});
        o.append({Method::Get,
                  u"/api/v1/agents/{id}/output"_s,
                  u"readOutput"_s,
                  u"The pane's last lines"_s,
                  true,
                  {queryParam(u"lines"_s, integer(1, 10000), u"how many lines (default 200)"_s)},
                  {},
                  {{200, u"Output"_s}, {409, u"Error"_s}}});
        ReviewController::addOperations(o);
        o.append(
            {Method::Get,
             u"/api/v1/tasks"_s,
             u"listTasks"_s,
             u"Task summaries, newest first (the whole task is getTask)"_s,
             true,
             {queryParam(u"status"_s, enumOf(Task::statusNames()), u"only tasks in this state"_s),
              queryParam(u"agent_type"_s, agentType(), u"only tasks for this agent type"_s),
              queryParam(u"agent_id"_s,
                         formatted(u"string"_s, u"uuid"_s),
                         u"only tasks this agent took (its last attempt)"_s),
              queryParam(u"before"_s,
                         formatted(u"string"_s, u"uuid"_s),
                         u"a task id: only the tasks after it in this order (the next page: the "
                         "id of the last task of the previous one)"_s),
              queryParam(u"limit"_s, integer(1, 1000), u"at most this many (default 100)"_s)},
             {},
             {{200, u"TaskList"_s}}});
        o.append({Method::Post,
                  u"/api/v1/tasks"_s,
                  u"createTask"_s,
                  u"Queue a task (blocked until its dependencies succeed)"_s,
                  true,
                  {},
                  u"TaskRequest"_s,
                  {{201, u"Task"_s}}});
        o.append({Method::Get,
                  u"/api/v1/tasks/{id}"_s,
                  u"getTask"_s,
                  u"One task, with its result once finished"_s,
                  true,
                  {},
                  {},
                  {{200, u"Task"_s}}});
        o.append(
            {Method::Delete,
             u"/api/v1/tasks/{id}"_s,
             u"cancelTask"_s,
             u"Cancel a task (a running one is stopped); 409 when it already succeeded or failed"_s,
             true,
             {},
             {},
             {{200, u"Task"_s}, {409, u"Error"_s}}});
        o.append({Method::Post,
                  u"/api/v1/tasks/{id}/retry"_s,
                  u"retryTask"_s,
                  u"Queue a failed or cancelled task again"_s,
                  true,
                  {},
                  {},
                  {{200, u"Task"_s}, {409, u"Error"_s}}});
        o.append(
            {Method::Get,
             u"/api/v1/events"_s,
             u"events"_s,
             u"Every state change as an Event, in seq order. WebSocket upgrade (TCP only; the "
             "token as a bearer header or ?token=): the events after ?since= from PostgreSQL, "
             "then live. Plain GET: one page of stored events after ?since="_s,
             true,
             {queryParam(u"token"_s,
                         type(u"string"_s),
                         u"the bearer token, for WebSocket clients that cannot set headers"_s),
              queryParam(u"since"_s,
                         type(u"integer"_s),
                         u"the seq of the last event the client has: the events after it "
                         "(plain GET: default 0, from the first; WebSocket: none, live only)"_s),
              queryParam(u"limit"_s,
                         integer(1, 1000),
                         u"plain GET: at most this many events (default 100)"_s)},
             {},
             {{101, u"Event"_s}, {200, u"EventPage"_s}}});
        o.append(
            {Method::Get,
             u"/api/v1/search"_s,
             u"search"_s,
             u"Search task prompts, answers and the agents' terminal logs: full text (PostgreSQL, "
             "websearch syntax: words, \"a phrase\", -word, or) or semantic (nearest tasks by "
             "embedding; 409 when no embeddings endpoint is configured)"_s,
             true,
             {queryParam(u"q"_s, type(u"string"_s), u"what to look for (required)"_s),
              queryParam(u"kind"_s, enumOf({u"text"_s, u"semantic"_s}), u"default text"_s),
              queryParam(u"limit"_s, integer(1, 100), u"default 20"_s)},
             {},
             {{200, u"SearchHitList"_s}, {409, u"Error"_s}}});
        TeamRoutes::appendOperations(o);
        o.append({Method::Get,
                  u"/api/v1/costs"_s,
                  u"getCosts"_s,
                  u"What the agents spent (the agent CLI's reported cost of each attempt) per "
                  "agent, per type and per UTC day, with today's spending, the daily budget and "
                  "the profiles paused by a rate limit"_s,
                  true,
                  {queryParam(u"days"_s,
                              integer(1, 366),
                              u"the last N days, today included "
                              "(default 7)"_s)},
                  {},
                  {{200, u"CostReport"_s}}});
        o.append({Method::Put,
                  u"/api/v1/budget"_s,
                  u"setBudget"_s,
                  u"Set the daily budget (US dollars, UTC days; null: none): an event "
                  "budget.warning at 80 %, budget.exhausted and no task handed out at 100 % "
                  "until the next day or a higher budget"_s,
                  true,
                  {},
                  u"Budget"_s,
                  {{200, u"CostReport"_s}, {422, u"Error"_s}}});
        o.append({Method::Get,
                  u"/api/v1/limits"_s,
                  u"listLimits"_s,
                  u"The profiles paused now because their agent CLI reported a rate or usage "
                  "limit, each until its reset"_s,
                  true,
                  {},
                  {},
                  {{200, u"ProfileLimitList"_s}}});
        o.append({Method::Delete,
                  u"/api/v1/limits/{id}"_s,
                  u"clearLimit"_s,
                  u"Resume a rate-limited profile now (id: the profile's name); 404 when it is "
                  "not paused"_s,
                  true,
                  {},
                  {},
                  {{204, QString()}, {404, u"Error"_s}}});
        o.append({Method::Get,
                  u"/api/v1/openapi.json"_s,
                  u"getOpenApi"_s,
                  u"This description"_s,
                  true,
                  {},
                  {},
                  {{200, u"OpenApi"_s}}});
        o.append(RunnerController::operations()); // hive-runner's routes
        return o;
    }();
    return ops;
}

const QList<ApiResource> &resources()
{
    static const QList<ApiResource> all = [] {
        QList<ApiResource> out;
        for (const ApiOperation &op : operations()) {
            auto it = std::find_if(
                out.begin(), out.end(), [&op](const ApiResource &r) { return r.path == op.path; });
            if (it == out.end()) {
                QString re = QRegularExpression::escape(op.path);
                re.replace(QRegularExpression::escape(u"{id}"_s), u"[^/]+"_s);
                out.append(
                    {op.path, QRegularExpression(QRegularExpression::anchoredPattern(re)), {}, {}});
                it = std::prev(out.end());
            }
            it->byMethod.insert(int(op.method), &op);
            it->allowed += (it->allowed.isEmpty() ? QString() : u", "_s) + methodName(op.method);
        }
        return out;
    }();
    return all;
}

const ApiResource *resourceOf(const QString &path)
{
    for (const ApiResource &r : resources())
        if (r.pattern.match(path).hasMatch())
            return &r;
    return nullptr;
}

QJsonObject openApi(const QString &version, const QString &serverUrl)
{
    QJsonObject paths;
    for (const ApiOperation &op : operations()) {
        QJsonObject responses;
        auto add = [&](int status, const QString &schema) {
            QJsonObject r{{u"description"_s, describe(status)}};
            if (!schema.isEmpty())
                r.insert(
                    u"content"_s,
                    QJsonObject{{u"application/json"_s, QJsonObject{{u"schema"_s, ref(schema)}}}});
            responses.insert(QString::number(status), r);
        };
        for (const auto &[status, schema] : op.responses)
            add(status, schema);
        if (!op.requestSchema.isEmpty() || !op.queryParameters.isEmpty())
            add(400, u"Error"_s);
        if (op.needsToken)
            add(401, u"Error"_s);
        add(403, u"Error"_s);
        if (op.path.contains(u"{id}"_s))
            add(404, u"Error"_s);
        if (!op.requestSchema.isEmpty()) {
            add(413, u"Error"_s);
            add(422, u"Error"_s);
        }
        if (op.id != u"getOpenApi"_s && op.id != u"getHealth"_s)
            add(503, u"Error"_s);

        QJsonObject operation{
            {u"operationId"_s, op.id}, {u"summary"_s, op.summary}, {u"responses"_s, responses}};
        QJsonArray parameters;
        if (op.path.contains(u"{id}"_s))
            parameters.append(QJsonObject{{u"name"_s, u"id"_s},
                                          {u"in"_s, u"path"_s},
                                          {u"required"_s, true},
                                          {u"schema"_s, formatted(u"string"_s, u"uuid"_s)}});
        for (const QJsonObject &p : op.queryParameters)
            parameters.append(p);
        if (!parameters.isEmpty())
            operation.insert(u"parameters"_s, parameters);
        if (!op.requestSchema.isEmpty())
            operation.insert(
                u"requestBody"_s,
                QJsonObject{{u"required"_s, true},
                            {u"content"_s,
                             QJsonObject{{u"application/json"_s,
                                          QJsonObject{{u"schema"_s, ref(op.requestSchema)}}}}}});
        operation.insert(u"security"_s,
                         op.needsToken ? QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}}}
                                       : QJsonArray{QJsonObject()});
        QJsonObject item = paths.value(op.path).toObject();
        item.insert(methodName(op.method).toLower(), operation);
        paths.insert(op.path, item);
    }
    return QJsonObject{
        {u"openapi"_s, u"3.1.0"_s},
        {u"info"_s,
         QJsonObject{
             {u"title"_s, u"Agent Hive API"_s},
             {u"version"_s, version},
             {u"description"_s,
              u"The local REST and WebSocket API of Agent Hive. TCP on 127.0.0.1 (a bearer token "
              u"from "
              "<data-dir>/api-token on every request but GET /api/v1/health) and the Unix socket "
              "<data-dir>/api.sock (mode 0600, no token). Every answer is JSON; errors are "
              "{\"error\":{\"code\",\"message\"}}. A known path with another method is 405 (with "
              "an Allow "
              "header); an unknown path 404. Bodies over 1 MiB are 413; unknown body fields and "
              "query "
              "parameters are 400."_s}}},
        {u"servers"_s, QJsonArray{QJsonObject{{u"url"_s, serverUrl}}}},
        {u"paths"_s, paths},
        {u"components"_s,
         QJsonObject{
             {u"schemas"_s, components()},
             {u"securitySchemes"_s,
              QJsonObject{{u"bearer"_s,
                           QJsonObject{{u"type"_s, u"http"_s}, {u"scheme"_s, u"bearer"_s}}}}}}},
    };
}

} // namespace Hive::ApiRoutes
