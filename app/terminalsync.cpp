// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/terminalsync.h"

#include "app/agentactions.h"
#include "app/sessioncontroller.h"
#include "models/agentmodel.h"
#include "widgets/terminalarea.h"

namespace Hive {

TerminalSync::TerminalSync(TerminalArea *terminals,
                           SessionController *sessions,
                           AgentActions *actions)
    : QObject(terminals)
    , m_terminals(terminals)
{
    const AgentModel *agents = sessions->agentModel();
    connect(agents,
            &AgentModel::agentStatusChanged,
            this,
            [terminals](const Agent &a, Agent::Status) { terminals->updateAgent(a); });
    // A full load replaced the models' rows without telling each change.
    connect(sessions, &SessionController::loadFinished, this, [terminals, agents] {
        for (TerminalPane *p : terminals->panes())
            if (auto a = agents->agent(p->agentId()))
                terminals->updateAgent(*a);
    });
    connect(sessions, &SessionController::agentEnded, this, [terminals, actions](const Agent &a) {
        if (actions->isRestarting(a.name))
            terminals->updateAgent(a);
        else
            terminals->closeAgent(a.id);
    });
    connect(actions, &AgentActions::spawned, this, [terminals](const Agent &a, bool openTerminal) {
        // Interactive agents are there to be typed to, workers to be watched.
        if (openTerminal && a.isAlive())
            terminals->open(a, !a.interactive, a.interactive);
    });
    connect(actions, &AgentActions::killed, this, [terminals](const Agent &a) {
        terminals->closeAgent(a.id);
    });
    connect(actions,
            &AgentActions::restarted,
            this,
            [terminals](const QString &oldId, const Agent &a) { terminals->retarget(oldId, a); });
}

void TerminalSync::open(const QList<Agent> &agents)
{
    if (agents.size() > 1)
        m_terminals->setGrid(true);
    for (int i = 0; i < agents.size(); ++i) {
        const Agent &a = agents.at(i);
        // Interactive agents are there to be typed to; workers to be watched. An open terminal
        // keeps what the user chose.
        const TerminalPane *open = m_terminals->pane(a.id);
        m_terminals->open(a, open ? open->isReadOnly() : !a.interactive, i == agents.size() - 1);
    }
}

} // namespace Hive
