// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QList>
#include <QObject>

class QAction;
class QWidget;

namespace Hive {

class AgentPanel;
class SessionController;

// Running the hive: New Team… (the team dialog, then the engine's spawnTeam), Stop Team, and
// pause, resume and stop (its conversation and folder kept) of the agents selected in the agent
// panel. GUI
// thread, never waits: the templates are read on the thread pool before the dialog opens.
class OperateActions : public QObject
{
    Q_OBJECT

public:
    OperateActions(SessionController *sessions, AgentPanel *panel, QWidget *window);

    QAction *newTeamAction() const { return m_newTeam; }
    QAction *pauseAction() const { return m_pause; }
    QAction *resumeAction() const { return m_resume; }
    QAction *stopAction() const { return m_stop; }
    QAction *stopTeamAction() const { return m_stopTeam; }

    void showTeamDialog();

Q_SIGNALS:
    void finished(const QString &message);
    void errorOccurred(const QString &title, const QString &message);

private:
    void updateActions();
    void apply(const QString &verb, const QList<Agent> &agents);
    void stopTeams(const QStringList &teamIds);

    SessionController *m_sessions;
    AgentPanel *m_panel;
    QWidget *m_window;
    QAction *m_newTeam;
    QAction *m_pause;
    QAction *m_resume;
    QAction *m_stop;
    QAction *m_stopTeam;
};

} // namespace Hive
