// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/event.h"
#include "models/task.h"

#include <QList>
#include <QString>

#include <optional>

namespace Hive {

// What a state change did: the events it recorded (to publish once committed) and the tasks that
// became queued (to put on the Redis queue).
struct Change
{
    QList<Event> events;
    QList<Task> enqueue;
    std::optional<Task> task;
    std::optional<Agent> agent;
    QString stopAgentId; // a running task was cancelled: the agent whose runner must stop it

    void merge(const Change &other);
};

// A page of tasks, newest first (created_at, then id, descending).
struct TaskFilter
{
    std::optional<Task::Status> status;
    QString agentType;
    QString agentId;
    QString before; // a task id: only the tasks listed after it (older); the next page
    int limit = 100;
    bool whole = false; // whole tasks (prompt, output) instead of summaries
};

} // namespace Hive
