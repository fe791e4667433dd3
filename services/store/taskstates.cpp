// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/taskstates.h"

using namespace Qt::StringLiterals;

namespace Hive::TaskStates {

Task::Status initial(const QList<Task::Status> &dependencies)
{
    Task::Status status = Task::Status::Queued;
    for (Task::Status d : dependencies) {
        if (d == Task::Status::Failed || d == Task::Status::Cancelled)
            return Task::Status::Failed;
        if (d != Task::Status::Succeeded)
            status = Task::Status::Blocked;
    }
    return status;
}

Task::Status afterAttempt(const Task &task, bool succeeded, bool retryable)
{
    if (succeeded)
        return Task::Status::Succeeded;
    return retryable && task.attempts < task.maxAttempts ? Task::Status::Queued
                                                         : Task::Status::Failed;
}

AgentEnded afterAgentEnded(const Task &task, Agent::Status ended)
{
    if (ended == Agent::Status::Stopped)
        return {Task::Status::Queued, false};
    return {task.attempts >= task.maxAttempts ? Task::Status::Failed : Task::Status::Queued, true};
}

Result<bool> mayCancel(const Task &task)
{
    if (task.status == Task::Status::Cancelled)
        return false;
    if (task.isFinished())
        return failure(Error::conflict(
            u"task %1 has already %2"_s.arg(task.id, Task::statusName(task.status))));
    return true;
}

Result<> mayRetry(const Task &task)
{
    if (task.status != Task::Status::Failed && task.status != Task::Status::Cancelled)
        return failure(
            Error::conflict(u"task %1 is %2; only a failed or cancelled task can be retried"_s.arg(
                task.id, Task::statusName(task.status))));
    return {};
}

} // namespace Hive::TaskStates
