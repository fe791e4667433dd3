// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apischemas.h"
#include "services/api/runnercontroller.h"

#include "services/api/reviewcontroller.h"
#include "services/api/teamroutes.h"

#include "models/validation.h"

#include "models/agent.h"
#include "models/task.h"
#include "services/agents/profiles.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive::ApiSchemas {

QJsonObject ref(const QString &schema)
{
    return {{u"$ref"_s, QString(u"#/components/schemas/"_s + schema)}};
}

QJsonObject type(const QString &t, const QString &description)
{
    QJsonObject o{{u"type"_s, t}};
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    return o;
}

QJsonObject nullable(const QString &t, const QString &format)
{
    QJsonObject o{{u"type"_s, QJsonArray{t, u"null"_s}}};
    if (!format.isEmpty())
        o.insert(u"format"_s, format);
    return o;
}

QJsonObject formatted(const QString &t, const QString &format)
{
    return {{u"type"_s, t}, {u"format"_s, format}};
}

QJsonObject integer(int min, int max, const QString &description)
{
    QJsonObject o{{u"type"_s, u"integer"_s}, {u"minimum"_s, min}, {u"maximum"_s, max}};
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    return o;
}

QJsonObject enumOf(const QStringList &values)
{
    return {{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray::fromStringList(values)}};
}

QJsonObject object(const QJsonObject &properties, const QStringList &required, bool closed)
{
    QJsonObject o{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
    if (!required.isEmpty())
        o.insert(u"required"_s, QJsonArray::fromStringList(required));
    if (closed)
        o.insert(u"additionalProperties"_s, false);
    return o;
}

QJsonObject queryParam(const QString &name, const QJsonObject &schema, const QString &description)
{
    return {{u"name"_s, name},
            {u"in"_s, u"query"_s},
            {u"required"_s, false},
            {u"schema"_s, schema},
            {u"description"_s, description}};
}

// The agent-type rule of models/validation.h, as a pattern.
QJsonObject agentType()
{
    return {{u"type"_s, u"string"_s}, {u"pattern"_s, Validation::agentTypePattern()}};
}

QJsonObject components()
{
    QJsonObject s;
    s.insert(
        u"Error"_s,
        object({{u"error"_s,
                 object({{u"code"_s, type(u"string"_s, u"stable, machine-readable"_s)},
                         {u"message"_s, type(u"string"_s, u"for a person; names the field"_s)}},
                        {u"code"_s, u"message"_s})}},
               {u"error"_s}));
    s.insert(u"Health"_s,
             object({{u"status"_s, enumOf({u"ok"_s, u"degraded"_s})},
                     {u"postgres"_s, type(u"boolean"_s)},
                     {u"redis"_s, type(u"boolean"_s)},
                     {u"tmux"_s, type(u"boolean"_s)},
                     {u"version"_s, type(u"string"_s)}},
                    {u"status"_s, u"postgres"_s, u"redis"_s, u"tmux"_s, u"version"_s}));
    s.insert(
        u"Agent"_s,
        object({{u"id"_s, formatted(u"string"_s, u"uuid"_s)},
                {u"name"_s, type(u"string"_s)},
                {u"type"_s, type(u"string"_s)},
                {u"profile"_s, type(u"string"_s)},
                {u"interactive"_s, type(u"boolean"_s)},
                {u"status"_s, enumOf(Agent::statusNames())},
                {u"tmux_session"_s, type(u"string"_s)},
                {u"workdir"_s, type(u"string"_s)},
                {u"permission_mode"_s,
                 QJsonObject{{u"type"_s, QJsonArray{u"string"_s, u"null"_s}},
                             {u"description"_s,
                              u"Claude Code's --permission-mode for this agent; null when "
                              "its profile has none"_s}}},
                {u"current_task_id"_s, nullable(u"string"_s, u"uuid"_s)},
                {u"created_at"_s, formatted(u"string"_s, u"date-time"_s)},
                {u"last_heartbeat"_s, nullable(u"string"_s, u"date-time"_s)},
                {u"need"_s,
                 type(u"string"_s,
                      u"waiting_input: what the agent waits for, in words; else empty"_s)},
                {u"session_id"_s, nullable(u"string"_s)},
                {u"paused"_s,
                 type(u"boolean"_s, u"a paused worker finishes its task and claims no new one"_s)},
                {u"team_id"_s, nullable(u"string"_s, u"uuid"_s)},
                {u"team"_s, nullable(u"string"_s)},
                {u"cpu_percent"_s,
                 type(u"number"_s,
                      u"CPU of its whole process tree, % of one core over the last few "
                      "seconds (live agents, once sampled)"_s)},
                {u"rss_bytes"_s,
                 type(u"integer"_s,
                      u"resident memory of its whole process tree (live agents, once "
                      "sampled)"_s)}},
               {u"id"_s,
                u"name"_s,
                u"type"_s,
                u"profile"_s,
                u"interactive"_s,
                u"status"_s,
                u"tmux_session"_s,
                u"workdir"_s,
                u"permission_mode"_s,
                u"current_task_id"_s,
                u"created_at"_s,
                u"last_heartbeat"_s}));
    // Beside the command's exit and output, what the agent CLI reported itself (Claude Code's
    // stream-json result event); null/empty for CLIs that report nothing.
    s.insert(
        u"TaskResult"_s,
        object(
            {{u"exit_code"_s, type(u"integer"_s)},
             {u"output"_s, type(u"string"_s, u"the raw output (stream-json lines): the log"_s)},
             {u"duration_ms"_s, type(u"integer"_s)},
             {u"cost_usd"_s, nullable(u"number"_s)},
             {u"answer"_s, nullable(u"string"_s)},
             {u"session_id"_s, nullable(u"string"_s)},
             {u"num_turns"_s, nullable(u"integer"_s)},
             {u"model"_s, nullable(u"string"_s)},
             {u"usage"_s,
              QJsonObject{
                  {u"oneOf"_s,
                   QJsonArray{object({{u"input_tokens"_s, type(u"integer"_s)},
                                      {u"output_tokens"_s, type(u"integer"_s)},
                                      {u"cache_creation_input_tokens"_s, type(u"integer"_s)},
                                      {u"cache_read_input_tokens"_s, type(u"integer"_s)}},
                                     {}),
                              type(u"null"_s)}}}},
             {u"is_error"_s, nullable(u"boolean"_s)},
             {u"subtype"_s, nullable(u"string"_s)},
             {u"terminal_reason"_s,
              QJsonObject{{u"type"_s, QJsonArray{u"string"_s, u"null"_s}},
                          {u"description"_s, u"completed, max_turns, api_error, ..."_s}}},
             {u"api_error_status"_s, nullable(u"integer"_s)},
             {u"api_error_type"_s, nullable(u"string"_s)},
             {u"errors"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, type(u"string"_s)}}},
             {u"permission_denials"_s,
              QJsonObject{{u"type"_s, u"array"_s},
                          {u"description"_s,
                           u"tool calls the permission mode refused; the task then fails "
                           "with \"needs permission: ...\""_s},
                          {u"items"_s,
                           object({{u"tool_name"_s, type(u"string"_s)},
                                   {u"tool_input"_s, type(u"object"_s)}},
                                  {u"tool_name"_s})}}}},
            {u"exit_code"_s, u"output"_s, u"duration_ms"_s, u"cost_usd"_s}));
    s.insert(u"Task"_s,
             object({{u"id"_s, formatted(u"string"_s, u"uuid"_s)},
                     {u"title"_s, type(u"string"_s)},
                     {u"prompt"_s, type(u"string"_s)},
                     {u"agent_type"_s, type(u"string"_s)},
                     {u"priority"_s, integer(0, 9)},
                     {u"status"_s, enumOf(Task::statusNames())},
                     {u"agent_id"_s, nullable(u"string"_s, u"uuid"_s)},
                     {u"depends_on"_s,
                      QJsonObject{{u"type"_s, u"array"_s},
                                  {u"items"_s, formatted(u"string"_s, u"uuid"_s)}}},
                     {u"attempts"_s, type(u"integer"_s)},
                     {u"max_attempts"_s, integer(1, 100)},
                     {u"created_at"_s, formatted(u"string"_s, u"date-time"_s)},
                     {u"started_at"_s, nullable(u"string"_s, u"date-time"_s)},
                     {u"finished_at"_s, nullable(u"string"_s, u"date-time"_s)},
                     {u"result"_s,
                      QJsonObject{{u"oneOf"_s, QJsonArray{ref(u"TaskResult"_s), type(u"null"_s)}}}},
                     {u"error"_s,
                      QJsonObject{{u"type"_s, QJsonArray{u"string"_s, u"null"_s}},
                                  {u"description"_s,
                                   u"why it failed without a result (a dependency, "
                                   "no attempts left, the command could not start)"_s}}}},
                    {u"id"_s,
                     u"title"_s,
                     u"prompt"_s,
                     u"agent_type"_s,
                     u"priority"_s,
                     u"status"_s,
                     u"agent_id"_s,
                     u"depends_on"_s,
                     u"attempts"_s,
                     u"max_attempts"_s,
                     u"created_at"_s,
                     u"started_at"_s,
                     u"finished_at"_s,
                     u"result"_s}));
    // What events carry (Task::toSummary): every small field; of the big ones their start or end
    // and their size. The whole task is GET /api/v1/tasks/{id}.
    s.insert(u"TaskResultSummary"_s, [&s] {
        QJsonObject r = s.value(u"TaskResult"_s).toObject();
        QJsonObject p = r.value(u"properties"_s).toObject();
        p.remove(u"output"_s);
        p.remove(u"answer"_s);
        p.insert(u"output_tail"_s, type(u"string"_s, u"the output's last 200 characters"_s));
        p.insert(u"output_bytes"_s, type(u"integer"_s, u"the whole output's size (UTF-8)"_s));
        p.insert(u"answer_preview"_s,
                 QJsonObject{{u"type"_s, QJsonArray{u"string"_s, u"null"_s}},
                             {u"description"_s, u"the answer's first 200 characters"_s}});
        p.insert(u"answer_bytes"_s, type(u"integer"_s, u"the whole answer's size (UTF-8)"_s));
        r.insert(u"properties"_s, p);
        r.insert(u"required"_s,
                 QJsonArray{u"exit_code"_s, u"output_tail"_s, u"output_bytes"_s, u"duration_ms"_s});
        return r;
    }());
    s.insert(u"TaskSummary"_s, [&s] {
        QJsonObject t = s.value(u"Task"_s).toObject();
        QJsonObject p = t.value(u"properties"_s).toObject();
        p.remove(u"prompt"_s);
        p.insert(u"prompt_preview"_s, type(u"string"_s, u"the prompt's first 200 characters"_s));
        p.insert(u"prompt_bytes"_s, type(u"integer"_s, u"the whole prompt's size (UTF-8)"_s));
        p.insert(
            u"result"_s,
            QJsonObject{{u"oneOf"_s, QJsonArray{ref(u"TaskResultSummary"_s), type(u"null"_s)}}});
        t.insert(u"properties"_s, p);
        QStringList required;
        for (const QJsonValue &v : t.value(u"required"_s).toArray())
            required << (v.toString() == u"prompt"_s ? u"prompt_preview"_s : v.toString());
        required << u"prompt_bytes"_s;
        t.insert(u"required"_s, QJsonArray::fromStringList(required));
        return t;
    }());
    s.insert(u"Event"_s,
             object({{u"type"_s,
                      enumOf({u"agent.spawned"_s,
                              u"agent.status"_s,
                              u"agent.killed"_s,
                              u"task.created"_s,
                              u"task.queued"_s,
                              u"task.assigned"_s,
                              u"task.started"_s,
                              u"task.succeeded"_s,
                              u"task.failed"_s,
                              u"task.cancelled"_s,
                              u"budget.changed"_s,
                              u"budget.warning"_s,
                              u"budget.exhausted"_s,
                              u"profile.rate_limited"_s,
                              u"profile.resumed"_s})},
                     {u"at"_s, formatted(u"string"_s, u"date-time"_s)},
                     {u"seq"_s,
                      type(u"integer"_s,
                           u"the id of the event in PostgreSQL: increasing, in commit order"_s)},
                     {u"agent"_s, ref(u"Agent"_s)},
                     {u"task"_s, ref(u"TaskSummary"_s)},
                     {u"data"_s,
                      type(u"object"_s,
                           u"budget.*: daily_budget_usd, today_usd (and percent); "
                           "profile.rate_limited: profile, until, reason; profile.resumed: "
                           "profile"_s)}},
                    {u"type"_s, u"at"_s, u"seq"_s}));
    s.insert(
        u"EventPage"_s,
        object({{u"events"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"Event"_s)}}},
                {u"next"_s,
                 type(u"integer"_s,
                      u"the seq to ask for next (?since=): the last event's, or since "
                      "when there was none"_s)}},
               {u"events"_s, u"next"_s}));
    s.insert(u"SpawnRequest"_s,
             object({{u"type"_s, agentType()},
                     {u"name"_s,
                      type(u"string"_s,
                           u"letters, digits, '_' and '-', 1 to 64; default <type>-<4 hex>"_s)},
                     {u"profile"_s, type(u"string"_s, u"default: claude, or claude-interactive"_s)},
                     {u"workdir"_s, type(u"string"_s, u"an existing absolute folder"_s)},
                     {u"repository"_s,
                      type(u"string"_s,
                           u"a git repository: the agent works in a worktree on "
                           "branch hive/<name>"_s)},
                     {u"interactive"_s, type(u"boolean"_s, u"default: as the profile says"_s)},
                     {u"permission_mode"_s,
                      [] {
                          QJsonObject o = enumOf(Profiles::permissionModes());
                          o.insert(u"description"_s,
                                   u"for profiles with {permission_mode} (claude): default, the "
                                   "profile's (acceptEdits) in the agent's own folder or worktree, "
                                   "else default; bypassPermissions is refused as root"_s);
                          return o;
                      }()}},
                    {u"type"_s},
                    true));
    s.insert(u"TaskRequest"_s,
             object({{u"prompt"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"minLength"_s, 1}}},
                     {u"title"_s, type(u"string"_s)},
                     {u"agent_type"_s,
                      [] {
                          QJsonObject o = agentType();
                          o.insert(u"default"_s, u"dev"_s);
                          return o;
                      }()},
                     {u"priority"_s, integer(0, 9, u"9 runs first; default 0"_s)},
                     {u"depends_on"_s,
                      QJsonObject{{u"type"_s, u"array"_s},
                                  {u"items"_s, formatted(u"string"_s, u"uuid"_s)},
                                  {u"description"_s, u"ids of existing tasks"_s}}},
                     {u"max_attempts"_s, integer(1, 100, u"default 3"_s)}},
                    {u"prompt"_s},
                    true));
    s.insert(
        u"InputRequest"_s,
        object({{u"text"_s, type(u"string"_s, u"typed literally (tmux send-keys -l)"_s)},
                {u"enter"_s, type(u"boolean"_s, u"press Enter after the text; default false"_s)},
                {u"keys"_s,
                 QJsonObject{
                     {u"type"_s, u"array"_s},
                     {u"items"_s, type(u"string"_s)},
                     {u"description"_s,
                      QString(u"keys by name after the text: "_s + Validation::keyNameRule())}}}},
               {},
               true));
    s.insert(u"HookPayload"_s,
             type(u"object"_s, u"a Claude Code hook's JSON input, as Claude Code gives it"_s));
    s.insert(u"Output"_s, object({{u"text"_s, type(u"string"_s)}}, {u"text"_s}));
    s.insert(
        u"Accepted"_s,
        object({{u"accepted"_s,
                 [] {
                     QJsonObject o = nullable(u"boolean"_s, {});
                     o.insert(
                         u"description"_s,
                         u"the prompt reached the agent (Claude Code's UserPromptSubmit hook); "
                         "null where nothing can tell"_s);
                     return o;
                 }()}},
               {u"accepted"_s}));
    s.insert(u"AgentList"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"Agent"_s)}});
    s.insert(u"TaskList"_s,
             QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"TaskSummary"_s)}});
    s.insert(
        u"SearchHit"_s,
        object(
            {{u"kind"_s, enumOf({u"prompt"_s, u"answer"_s, u"log"_s, u"task"_s})},
             {u"task_id"_s, nullable(u"string"_s, u"uuid"_s)},
             {u"agent_id"_s, nullable(u"string"_s, u"uuid"_s)},
             {u"agent_name"_s, nullable(u"string"_s)},
             {u"title"_s, type(u"string"_s, u"the task's title, or the agent's name for a log"_s)},
             {u"snippet"_s, type(u"string"_s, u"plain text around the words found"_s)},
             {u"matches"_s,
              QJsonObject{
                  {u"type"_s, u"array"_s},
                  {u"description"_s,
                   u"where the words are in snippet: [start, length] in Unicode code "
                   "points"_s},
                  {u"items"_s,
                   QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, type(u"integer"_s)}}}}},
             {u"score"_s, type(u"number"_s, u"higher is better"_s)},
             {u"at"_s, nullable(u"string"_s, u"date-time"_s)},
             {u"log_id"_s, nullable(u"integer"_s)}},
            {u"kind"_s, u"title"_s, u"snippet"_s, u"matches"_s, u"score"_s}));
    s.insert(u"SearchHitList"_s,
             QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"SearchHit"_s)}});
    // Money and limits (costcontroller.cpp).
    const auto costs = [](const QJsonObject &extra, const QStringList &required) {
        QJsonObject p = extra;
        p.insert(u"cost_usd"_s, type(u"number"_s));
        p.insert(u"runs"_s, type(u"integer"_s, u"attempts that reported a cost"_s));
        return QJsonObject{
            {u"type"_s, u"array"_s},
            {u"items"_s, object(p, required + QStringList{u"cost_usd"_s, u"runs"_s})}};
    };
    s.insert(u"ProfileLimit"_s,
             object({{u"profile"_s, type(u"string"_s)},
                     {u"until"_s, formatted(u"string"_s, u"date-time"_s)},
                     {u"reason"_s, type(u"string"_s, u"what the agent CLI said"_s)}},
                    {u"profile"_s, u"until"_s, u"reason"_s}));
    s.insert(u"ProfileLimitList"_s,
             QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"ProfileLimit"_s)}});
    s.insert(
        u"CostReport"_s,
        object({{u"days"_s, type(u"integer"_s)},
                {u"per_day"_s, costs({{u"day"_s, formatted(u"string"_s, u"date"_s)}}, {u"day"_s})},
                {u"per_agent"_s,
                 costs({{u"agent_id"_s, formatted(u"string"_s, u"uuid"_s)},
                        {u"name"_s, type(u"string"_s)},
                        {u"type"_s, type(u"string"_s)}},
                       {u"agent_id"_s, u"name"_s, u"type"_s})},
                {u"per_type"_s, costs({{u"type"_s, type(u"string"_s)}}, {u"type"_s})},
                {u"total_usd"_s, type(u"number"_s)},
                {u"today_usd"_s, type(u"number"_s, u"spent today (UTC)"_s)},
                {u"daily_budget_usd"_s, nullable(u"number"_s)},
                {u"budget_state"_s, enumOf({u"ok"_s, u"warning"_s, u"exhausted"_s})},
                {u"rate_limited"_s,
                 QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"ProfileLimit"_s)}}}},
               {u"days"_s,
                u"per_day"_s,
                u"per_agent"_s,
                u"per_type"_s,
                u"total_usd"_s,
                u"today_usd"_s,
                u"daily_budget_usd"_s,
                u"budget_state"_s,
                u"rate_limited"_s}));
    s.insert(u"Budget"_s, object({{u"daily_usd"_s, nullable(u"number"_s)}}, {u"daily_usd"_s}));
    TeamRoutes::insertSchemas(s);
    s.insert(u"OpenApi"_s, type(u"object"_s, u"this document"_s));
    ReviewController::addSchemas(s);
    RunnerController::addSchemas(s); // hive-runner's bodies and answers
    return s;
}

QString describe(int status)
{
    switch (status) {
    case 101:
        return u"Switching Protocols: the WebSocket stream of Event objects, one per text message"_s;
    case 200:
        return u"OK"_s;
    case 201:
        return u"Created"_s;
    case 202:
        return u"Accepted"_s;
    case 204:
        return u"No Content"_s;
    case 400:
        return u"malformed JSON, a wrong field type, an unknown field or enum value (the message names it)"_s;
    case 401:
        return u"missing or wrong bearer token (TCP only)"_s;
    case 403:
        return u"a Host other than localhost, 127.0.0.1 or [::1], or an Origin header"_s;
    case 404:
        return u"no such agent or task"_s;
    case 409:
        return u"the state does not allow it"_s;
    case 413:
        return u"the body is larger than 1 MiB"_s;
    case 422:
        return u"well-formed but invalid (the message names the field)"_s;
    case 426:
        return u"not a WebSocket upgrade"_s;
    case 503:
        return u"PostgreSQL or Redis unreachable (the message says which), or too many connections"_s;
    default:
        return {};
    }
}

} // namespace Hive::ApiSchemas
