// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Hive {

// One agent: a tmux session running either hive-runner (worker) or an agent CLI (interactive).
// A plain value, copied freely between threads.
struct Agent
{
    enum class Status { Starting, Idle, Busy, WaitingInput, Stopped, Lost };

    QString id;
    QString name;
    QString type;
    QString profile;
    bool interactive = false;
    Status status = Status::Starting;
    QString tmuxSession;
    QString workdir;
    // What the agent CLI may do without asking (Claude Code's --permission-mode: default,
    // acceptEdits, plan, bypassPermissions, ...); empty when its profile has no such setting.
    QString permissionMode;
    QString currentTaskId;
    QDateTime createdAt;
    QDateTime lastHeartbeat;
    QString need;      // waiting_input: what the agent waits for, in words
    QString sessionId; // the agent CLI's conversation (Claude Code's session id), to resume it
    // What its process tree takes of the host, as last sampled (ResourceSampler); unset when not
    // sampled (not alive, or no sample yet). In JSON only when set: cpu_percent, rss_bytes.
    std::optional<double> cpuPercent;
    std::optional<qint64> rssBytes;
    bool paused = false; // a paused worker finishes its task and claims no new one
    QString teamId;      // the team it was spawned with (POST /api/v1/teams), empty: none
    QString team;        // that team's name

    QJsonObject toJson() const;
    static Agent fromJson(const QJsonObject &o);

    static QString statusName(Status s);
    static std::optional<Status> statusFromName(QStringView name);
    static QStringList statusNames();
    bool isAlive() const { return status != Status::Stopped && status != Status::Lost; }
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::Agent)
