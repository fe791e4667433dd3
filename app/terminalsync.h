// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QObject>

namespace Hive {

class AgentActions;
class SessionController;
class TerminalArea;

// Keeps the terminal panes in step with the agents, as SessionController keeps the models: a pane
// shows its agent's state, closes when the agent stops (unless a restart is under way: then it
// follows the agent's next session), and opens for newly spawned agents when asked. GUI thread.
class TerminalSync : public QObject
{
    Q_OBJECT

public:
    TerminalSync(TerminalArea *terminals, SessionController *sessions, AgentActions *actions);

    // The agents' terminals, side by side when there are several; the last one is current.
    void open(const QList<Agent> &agents);

private:
    TerminalArea *m_terminals;
};

} // namespace Hive
