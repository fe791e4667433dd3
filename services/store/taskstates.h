// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"
#include "services/core/result.h"

#include <QList>

// The task state machine's decisions, apart from the SQL that carries them out (taskstore.cpp,
// agentstore.cpp): blocked → queued → assigned → running → succeeded | failed | cancelled, a
// failed attempt under the limit back to queued. Pure functions.
namespace Hive::TaskStates {

// A new task, given the states of the tasks it depends on: failed at once when one of them failed
// or was cancelled, blocked while one has not succeeded yet, else queued.
Task::Status initial(const QList<Task::Status> &dependencies);

// After an attempt ended: succeeded, queued again (attempts left, and retryable: not a failure
// that another attempt would repeat, like a permission the agent lacks) or failed.
Task::Status afterAttempt(const Task &task, bool succeeded, bool retryable = true);

// The agent that held the task ended: killed (stopped) hands it back without counting the attempt;
// lost counts it, and fails the task when no attempts are left.
struct AgentEnded
{
    Task::Status status;
    bool attemptCounted;
};
AgentEnded afterAgentEnded(const Task &task, Agent::Status ended);

// Whether a task may be cancelled: true, false when it already is (nothing to do), or a conflict
// naming its state when it has already finished.
Result<bool> mayCancel(const Task &task);

// Only a failed or cancelled task can be retried.
Result<> mayRetry(const Task &task);

} // namespace Hive::TaskStates
