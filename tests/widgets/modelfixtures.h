// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/event.h"
#include "models/task.h"

#include <QUuid>

// Agents, tasks and events as the engine sends them, for the model and widget tests.
namespace Hive::Test {

inline QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

inline Agent makeAgent(const QString &name,
                       Agent::Status status = Agent::Status::Idle,
                       const QString &type = QStringLiteral("dev"),
                       bool interactive = false)
{
    Agent a;
    a.id = newId();
    a.name = name;
    a.type = type;
    a.profile = interactive ? QStringLiteral("claude-interactive") : QStringLiteral("claude");
    a.interactive = interactive;
    a.status = status;
    a.tmuxSession = name;
    a.workdir = QStringLiteral("/tmp/workspace/") + name;
    a.createdAt = QDateTime::currentDateTimeUtc().addSecs(-90);
    return a;
}

inline Task makeTask(const QString &title,
                     Task::Status status = Task::Status::Queued,
                     const QString &type = QStringLiteral("dev"),
                     int priority = 0)
{
    Task t;
    t.id = newId();
    t.title = title;
    t.prompt = title + QStringLiteral(": do the thing");
    t.agentType = type;
    t.priority = priority;
    t.status = status;
    t.createdAt = QDateTime::currentDateTimeUtc();
    return t;
}

inline Event agentEvent(const QString &type, const Agent &a)
{
    return Event::forAgent(type, a);
}

inline Event taskEvent(const QString &type, const Task &t)
{
    return Event::forTask(type, t);
}

} // namespace Hive::Test
