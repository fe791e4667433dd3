// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agent.h"

#include "models/jsonutil.h"

namespace Hive {

namespace {
constexpr std::pair<Agent::Status, const char *> kStatusNames[] = {
    {Agent::Status::Starting, "starting"},
    {Agent::Status::Idle, "idle"},
    {Agent::Status::Busy, "busy"},
    {Agent::Status::WaitingInput, "waiting_input"},
    {Agent::Status::Stopped, "stopped"},
    {Agent::Status::Lost, "lost"},
};
} // namespace

QString Agent::statusName(Status s)
{
    for (const auto &[st, name] : kStatusNames)
        if (st == s)
            return QString::fromLatin1(name);
    return QStringLiteral("unknown");
}

std::optional<Agent::Status> Agent::statusFromName(QStringView name)
{
    for (const auto &[st, n] : kStatusNames)
        if (name == QLatin1StringView(n))
            return st;
    return std::nullopt;
}

QStringList Agent::statusNames()
{
    QStringList out;
    for (const auto &[st, n] : kStatusNames)
        out << QString::fromLatin1(n);
    return out;
}

QJsonObject Agent::toJson() const
{
    QJsonObject o{
        {u"id"_s, id},
        {u"name"_s, name},
        {u"type"_s, type},
        {u"profile"_s, profile},
        {u"interactive"_s, interactive},
        {u"status"_s, statusName(status)},
        {u"tmux_session"_s, tmuxSession},
        {u"workdir"_s, workdir},
        {u"permission_mode"_s, Json::nullable(permissionMode)},
        {u"current_task_id"_s, Json::nullable(currentTaskId)},
        {u"created_at"_s, Json::time(createdAt)},
        {u"last_heartbeat"_s, Json::time(lastHeartbeat)},
        {u"need"_s, need},
        {u"session_id"_s, Json::nullable(sessionId)},
        {u"paused"_s, paused},
        {u"team_id"_s, Json::nullable(teamId)},
        {u"team"_s, Json::nullable(team)},
    };
    if (cpuPercent)
        o.insert(u"cpu_percent"_s, *cpuPercent);
    if (rssBytes)
        o.insert(u"rss_bytes"_s, *rssBytes);
    return o;
}

Agent Agent::fromJson(const QJsonObject &o)
{
    Agent a;
    a.id = o.value(u"id").toString();
    a.name = o.value(u"name").toString();
    a.type = o.value(u"type").toString();
    a.profile = o.value(u"profile").toString();
    a.interactive = o.value(u"interactive").toBool();
    a.status = statusFromName(o.value(u"status").toString()).value_or(Status::Lost);
    a.tmuxSession = o.value(u"tmux_session").toString();
    a.workdir = o.value(u"workdir").toString();
    a.permissionMode = o.value(u"permission_mode").toString();
    a.currentTaskId = o.value(u"current_task_id").toString();
    a.createdAt = Json::parseTime(o.value(u"created_at"));
    a.lastHeartbeat = Json::parseTime(o.value(u"last_heartbeat"));
    a.need = o.value(u"need").toString();
    a.sessionId = o.value(u"session_id").toString();
    if (o.value(u"cpu_percent").isDouble())
        a.cpuPercent = o.value(u"cpu_percent").toDouble();
    if (o.value(u"rss_bytes").isDouble())
        a.rssBytes = o.value(u"rss_bytes").toInteger();
    a.paused = o.value(u"paused").toBool();
    a.teamId = o.value(u"team_id").toString();
    a.team = o.value(u"team").toString();
    return a;
}

} // namespace Hive
