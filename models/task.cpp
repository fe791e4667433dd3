// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/task.h"

#include "models/jsonutil.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Hive {

namespace {
constexpr std::pair<Task::Status, const char *> kStatusNames[] = {
    {Task::Status::Blocked, "blocked"},
    {Task::Status::Queued, "queued"},
    {Task::Status::Assigned, "assigned"},
    {Task::Status::Running, "running"},
    {Task::Status::Succeeded, "succeeded"},
    {Task::Status::Failed, "failed"},
    {Task::Status::Cancelled, "cancelled"},
};
} // namespace

QString Task::statusName(Status s)
{
    for (const auto &[st, name] : kStatusNames)
        if (st == s)
            return QString::fromLatin1(name);
    return QStringLiteral("unknown");
}

std::optional<Task::Status> Task::statusFromName(QStringView name)
{
    for (const auto &[st, n] : kStatusNames)
        if (name == QLatin1StringView(n))
            return st;
    return std::nullopt;
}

QStringList Task::statusNames()
{
    QStringList out;
    for (const auto &[st, n] : kStatusNames)
        out << QString::fromLatin1(n);
    return out;
}

QString PermissionDenial::target(const QString &workdir) const
{
    for (const auto key : {u"file_path", u"notebook_path", u"path"}) {
        QString path = input.value(key).toString();
        if (path.isEmpty())
            continue;
        const QString base = workdir.endsWith(u'/') ? workdir : workdir + u'/';
        if (!workdir.isEmpty() && path.startsWith(base))
            path = path.mid(base.size());
        return path;
    }
    for (const auto key : {u"command", u"pattern", u"url", u"query"}) {
        const QString v = input.value(key).toString();
        if (!v.isEmpty())
            return v.size() > 120 ? v.left(119) + u'…' : v;
    }
    return {};
}

QJsonObject AgentReport::toJson() const
{
    auto optionalInt = [](const auto &v) {
        return v ? QJsonValue(qint64(*v)) : QJsonValue(QJsonValue::Null);
    };
    QJsonValue usageJson(QJsonValue::Null);
    if (usage)
        usageJson = QJsonObject{{u"input_tokens"_s, usage->inputTokens},
                                {u"output_tokens"_s, usage->outputTokens},
                                {u"cache_creation_input_tokens"_s, usage->cacheCreationTokens},
                                {u"cache_read_input_tokens"_s, usage->cacheReadTokens}};
    QJsonArray denials;
    for (const PermissionDenial &d : permissionDenials)
        denials.append(QJsonObject{{u"tool_name"_s, d.tool}, {u"tool_input"_s, d.input}});
    return QJsonObject{
        {u"answer"_s, Json::nullable(answer)},
        {u"session_id"_s, Json::nullable(sessionId)},
        {u"num_turns"_s, optionalInt(numTurns)},
        {u"model"_s, Json::nullable(model)},
        {u"usage"_s, usageJson},
        {u"is_error"_s, isError},
        {u"subtype"_s, Json::nullable(subtype)},
        {u"terminal_reason"_s, Json::nullable(terminalReason)},
        {u"api_error_status"_s, optionalInt(apiErrorStatus)},
        {u"api_error_type"_s, Json::nullable(apiErrorType)},
        {u"errors"_s, QJsonArray::fromStringList(errors)},
        {u"permission_denials"_s, denials},
    };
}

AgentReport AgentReport::fromJson(const QJsonObject &o)
{
    AgentReport r;
    r.answer = o.value(u"answer").toString();
    r.sessionId = o.value(u"session_id").toString();
    if (o.value(u"num_turns").isDouble())
        r.numTurns = o.value(u"num_turns").toInt();
    r.model = o.value(u"model").toString();
    if (o.value(u"usage").isObject()) {
        const QJsonObject u = o.value(u"usage").toObject();
        r.usage = Usage{u.value(u"input_tokens").toInteger(),
                        u.value(u"output_tokens").toInteger(),
                        u.value(u"cache_creation_input_tokens").toInteger(),
                        u.value(u"cache_read_input_tokens").toInteger()};
    }
    r.isError = o.value(u"is_error").toBool();
    r.subtype = o.value(u"subtype").toString();
    r.terminalReason = o.value(u"terminal_reason").toString();
    if (o.value(u"api_error_status").isDouble())
        r.apiErrorStatus = o.value(u"api_error_status").toInt();
    r.apiErrorType = o.value(u"api_error_type").toString();
    for (const QJsonValue &e : o.value(u"errors").toArray())
        r.errors << (e.isString()
                         ? e.toString()
                         : QString::fromUtf8(
                               QJsonDocument(e.toObject()).toJson(QJsonDocument::Compact)));
    for (const QJsonValue &v : o.value(u"permission_denials").toArray()) {
        const QJsonObject d = v.toObject();
        r.permissionDenials.append(
            {d.value(u"tool_name").toString(), d.value(u"tool_input").toObject()});
    }
    return r;
}

AgentReport AgentReport::fromResultEvent(const QJsonObject &event)
{
    // The event's own names, except: the answer is "result", the model only a key of modelUsage.
    AgentReport r = fromJson(event);
    r.answer = event.value(u"result").toString();
    const QStringList models = event.value(u"modelUsage").toObject().keys();
    if (!models.isEmpty()) {
        // Several models (a subagent on a smaller one): the one that produced most output.
        QString best = models.first();
        qint64 most = -1;
        for (const QString &m : models) {
            const qint64 out = event.value(u"modelUsage")
                                   .toObject()
                                   .value(m)
                                   .toObject()
                                   .value(u"outputTokens")
                                   .toInteger();
            if (out > most) {
                most = out;
                best = m;
            }
        }
        r.model = best;
    }
    return r;
}

QString AgentReport::deniedSummary(const QString &workdir) const
{
    QStringList parts;
    for (const PermissionDenial &d : permissionDenials) {
        const QString target = d.target(workdir);
        const QString part = target.isEmpty() ? d.tool : d.tool + u' ' + target;
        if (!parts.contains(part))
            parts << part;
    }
    return parts.join(u", "_s);
}

QJsonObject TaskResult::toJson() const
{
    // The report's fields sit beside exit_code and output (null/empty when nothing was reported),
    // so that every finished task has the same keys.
    QJsonObject o = (report ? *report : AgentReport()).toJson();
    if (!report) {
        o.insert(u"is_error"_s, QJsonValue(QJsonValue::Null));
        o.insert(u"permission_denials"_s, QJsonArray());
    }
    o.insert(u"exit_code"_s, exitCode);
    o.insert(u"output"_s, output);
    o.insert(u"duration_ms"_s, durationMs);
    o.insert(u"cost_usd"_s, costUsd ? QJsonValue(*costUsd) : QJsonValue(QJsonValue::Null));
    return o;
}

TaskResult TaskResult::fromJson(const QJsonObject &o)
{
    TaskResult r;
    r.exitCode = o.value(u"exit_code").toInt();
    r.output = o.value(u"output").toString();
    r.durationMs = o.value(u"duration_ms").toInteger();
    if (o.value(u"cost_usd").isDouble())
        r.costUsd = o.value(u"cost_usd").toDouble();
    if (o.value(u"is_error").isBool())
        r.report = AgentReport::fromJson(o);
    return r;
}

QJsonObject Task::toJson() const
{
    QJsonObject o{
        {u"id"_s, id},
        {u"title"_s, title},
        {u"prompt"_s, prompt},
        {u"agent_type"_s, agentType},
        {u"priority"_s, priority},
        {u"status"_s, statusName(status)},
        {u"agent_id"_s, Json::nullable(agentId)},
        {u"depends_on"_s, QJsonArray::fromStringList(dependsOn)},
        {u"attempts"_s, attempts},
        {u"max_attempts"_s, maxAttempts},
        {u"created_at"_s, Json::time(createdAt)},
        {u"started_at"_s, Json::time(startedAt)},
        {u"finished_at"_s, Json::time(finishedAt)},
        {u"result"_s, result ? QJsonValue(result->toJson()) : QJsonValue(QJsonValue::Null)},
        {u"error"_s, Json::nullable(error)},
    };
    return o;
}

Task Task::fromJson(const QJsonObject &o)
{
    Task t;
    t.id = o.value(u"id").toString();
    t.title = o.value(u"title").toString();
    t.prompt = o.value(u"prompt").toString();
    t.agentType = o.value(u"agent_type").toString();
    t.priority = o.value(u"priority").toInt();
    t.status = statusFromName(o.value(u"status").toString()).value_or(Status::Failed);
    t.agentId = o.value(u"agent_id").toString();
    for (const auto &v : o.value(u"depends_on").toArray())
        t.dependsOn << v.toString();
    t.attempts = o.value(u"attempts").toInt();
    t.maxAttempts = o.value(u"max_attempts").toInt();
    t.createdAt = Json::parseTime(o.value(u"created_at"));
    t.startedAt = Json::parseTime(o.value(u"started_at"));
    t.finishedAt = Json::parseTime(o.value(u"finished_at"));
    if (o.value(u"result").isObject())
        t.result = TaskResult::fromJson(o.value(u"result").toObject());
    t.error = o.value(u"error").toString();
    return t;
}

} // namespace Hive
