// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"

#include <QObject>

#include <optional>

namespace Hive {

class AgentModel;
class TaskModel;

// Decides what deserves a desktop notification, from the models' status changes: an interactive
// agent waiting for input (titled with its name, the body its need; again when the need changes
// while it waits), a failed task, all queued work done. It only emits notify(); the app
// shows it (tray message, or the status bar while the window is in front).
class Notifier : public QObject
{
    Q_OBJECT

public:
    enum class Kind { WaitingInput, TaskFailed, AllDone };

    Notifier(const AgentModel *agents, const TaskModel *tasks, QObject *parent = nullptr);

    void setEnabled(bool enabled) { m_enabled = enabled; }
    bool isEnabled() const { return m_enabled; }

Q_SIGNALS:
    void notify(Hive::Notifier::Kind kind,
                const QString &title,
                const QString &message,
                const QString &id);

private:
    void agentChanged(const Agent &agent, Agent::Status previous);
    void agentNeedChanged(const Agent &agent, const QString &previousNeed);
    void notifyWaiting(const Agent &agent);
    void taskChanged(const Task &task, std::optional<Task::Status> previous);

    const AgentModel *m_agents;
    const TaskModel *m_tasks;
    bool m_enabled = true;
    int m_finishedSinceIdle = 0;
};

} // namespace Hive
