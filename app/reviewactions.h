// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>

class QAction;
class QDialog;
class QWidget;

namespace Hive {

class AgentPanel;
class DiffView;
class SessionController;

// Reviewing an agent's work from the window: Show Changes opens a diff view of its folder against
// where it started (refreshed when one of its tasks ends, and on Refresh), with Merge into the
// base branch; and the note the kill question shows when an agent has unmerged work. Everything
// through the engine's GitReview futures: the GUI thread never runs git. GUI thread.
class ReviewActions : public QObject
{
    Q_OBJECT

public:
    ReviewActions(SessionController *sessions, QWidget *window);

    QAction *showChangesAction() const { return m_showChanges; }
    // The action in the list's context menu, the kill question's note, the selected agent.
    void attach(AgentPanel *panel);
    // The agent the action applies to (the one selected in the list), or none.
    void setCurrentAgent(const Agent &agent);
    void showChanges(const Agent &agent);
    // What killing these agents would leave in their worktrees, in words; empty when nothing.
    QFuture<QString> killNote(const QList<Agent> &agents);
    // The diff view open for this agent, if any (tests).
    DiffView *viewOf(const QString &agentId) const;

private:
    void refresh(const QString &agentId);
    void merge(const QString &agentId);
    void connectEngine();

    SessionController *m_sessions;
    QWidget *m_window;
    QAction *m_showChanges;
    Agent m_current;
    QHash<QString, QPointer<QDialog>> m_dialogs; // agent id → its open diff view's dialog
    bool m_engineConnected = false;
};

} // namespace Hive
