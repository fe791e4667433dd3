// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/task.h"

#include "models/jsonutil.h"

#include <QJsonArray>

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

QJsonObject TaskResult::toJson() const
{
    return QJsonObject{
        {u"exit_code"_s, exitCode},
        {u"output"_s, output},
        {u"duration_ms"_s, durationMs},
        {u"cost_usd"_s, costUsd ? QJsonValue(*costUsd) : QJsonValue(QJsonValue::Null)},
    };
}

TaskResult TaskResult::fromJson(const QJsonObject &o)
{
    TaskResult r;
    r.exitCode = o.value(u"exit_code").toInt();
    r.output = o.value(u"output").toString();
    r.durationMs = o.value(u"duration_ms").toInteger();
    if (o.value(u"cost_usd").isDouble())
        r.costUsd = o.value(u"cost_usd").toDouble();
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
