// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// The outcome of a finished task (its last attempt).
struct TaskResult
{
    int exitCode = 0;
    QString output;
    qint64 durationMs = 0;
    std::optional<double> costUsd;

    QJsonObject toJson() const;
    static TaskResult fromJson(const QJsonObject &o);
};

// One unit of work: a prompt for an agent of a type. A plain value.
struct Task
{
    enum class Status { Blocked, Queued, Assigned, Running, Succeeded, Failed, Cancelled };

    QString id;
    QString title;
    QString prompt;
    QString agentType;
    int priority = 0;
    Status status = Status::Queued;
    QString agentId;
    QStringList dependsOn;
    int attempts = 0;
    int maxAttempts = 3;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    std::optional<TaskResult> result;
    QString error; // why it failed, when it failed without running (dependency, attempts, start)

    QJsonObject toJson() const;
    static Task fromJson(const QJsonObject &o);

    static QString statusName(Status s);
    static std::optional<Status> statusFromName(QStringView name);
    static QStringList statusNames();
    bool isFinished() const
    {
        return status == Status::Succeeded || status == Status::Failed
               || status == Status::Cancelled;
    }
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::Task)
