// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/change.h"

namespace Hive {

void Change::merge(const Change &other)
{
    events += other.events;
    enqueue += other.enqueue;
    if (other.task)
        task = other.task;
    if (other.agent)
        agent = other.agent;
    if (!other.stopAgentId.isEmpty())
        stopAgentId = other.stopAgentId;
}

} // namespace Hive
