// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QString>

namespace Hive {

// Reads an interactive agent's screen (tmux capture-pane, lines joined) and tells what the agent
// is doing: waiting for the user (with the question as text), working (the screen changed since
// the last look) or idle. For what Claude Code asks before its hooks run (folder trust, the API
// key) and for CLIs without hooks. Pure: no tmux, no timers; the orchestrator feeds it.
class PaneWatcher
{
public:
    struct Reading
    {
        Agent::Status status = Agent::Status::Idle;
        QString need; // what the agent waits for, in words; empty unless WaitingInput
        bool operator==(const Reading &) const = default;
    };

    static Reading read(const QString &screen, bool changedSinceLastLook);

    // Whether need names one of the screens agents show before they can report anything
    // themselves (Claude Code's folder trust and API key questions).
    static bool isKnownScreen(const QString &need);

    // The question at the bottom of the screen that nothing but its choices follow, if any.
    static QString openQuestion(const QString &screen);
};

} // namespace Hive
