// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/notifier.h"

#include "models/agentmodel.h"
#include "models/taskmodel.h"

namespace Hive {

Notifier::Notifier(const AgentModel *agents, const TaskModel *tasks, QObject *parent)
    : QObject(parent)
    , m_agents(agents)
    , m_tasks(tasks)
{
    connect(agents, &AgentModel::agentStatusChanged, this, &Notifier::agentChanged);
    connect(agents, &AgentModel::agentNeedChanged, this, &Notifier::agentNeedChanged);
    connect(tasks, &TaskModel::taskStatusChanged, this, &Notifier::taskChanged);
}

void Notifier::agentChanged(const Agent &agent, Agent::Status previous)
{
    if (!m_enabled || !agent.interactive || agent.status != Agent::Status::WaitingInput
        || previous == Agent::Status::WaitingInput)
        return;
    notifyWaiting(agent);
}

void Notifier::agentNeedChanged(const Agent &agent, const QString &previousNeed)
{
    Q_UNUSED(previousNeed)
    // Still waiting, for something else now (the trust question answered, a permission next).
    if (!m_enabled || !agent.interactive || agent.status != Agent::Status::WaitingInput
        || agent.need.isEmpty())
        return;
    notifyWaiting(agent);
}

void Notifier::notifyWaiting(const Agent &agent)
{
    Q_EMIT notify(Kind::WaitingInput,
                  tr("%1 is waiting for you").arg(agent.name),
                  agent.need.isEmpty() ? tr("The agent asks something in its terminal.")
                                       : agent.need,
                  agent.id);
}

void Notifier::taskChanged(const Task &task, std::optional<Task::Status> previous)
{
    if (!task.isFinished() || (previous && *previous == task.status))
        return;
    ++m_finishedSinceIdle;
    if (!m_enabled)
        return;
    if (task.status == Task::Status::Failed)
        Q_EMIT notify(Kind::TaskFailed,
                      tr("Task failed: %1").arg(TaskModel::displayTitle(task)),
                      task.error.isEmpty() ? tr("Its last attempt ended with an error.")
                                           : task.error,
                      task.id);
    // The last unfinished task ended: the queue is empty and nothing runs.
    if (previous && m_tasks->unfinishedCount() == 0) {
        const int n = m_finishedSinceIdle;
        m_finishedSinceIdle = 0;
        Q_EMIT notify(Kind::AllDone,
                      tr("All queued work is done"),
                      tr("%n task(s) finished; nothing is queued or running.", nullptr, n),
                      {});
    }
}

} // namespace Hive
