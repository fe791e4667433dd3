// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QFuture>
#include <QList>
#include <QWidget>

#include <functional>

class QAction;
class QComboBox;
class QLineEdit;
class QMenu;
class QTimer;

namespace Hive {

class AgentFilterProxy;
class AgentModel;
class PlaceholderTreeView;

// The agent list: a sortable, filterable table (name, type, profile, status badge, current task,
// uptime) and the agent actions (spawn, kill, restart, open terminal, attach in an external
// terminal) with their shortcuts and enabled states. It only emits requests; the app carries
// them out. GUI thread.
class AgentPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AgentPanel(AgentModel *model, QWidget *parent = nullptr);
    ~AgentPanel() override;

    // The engine is there: spawning and the other actions become possible.
    void setReady(bool ready);
    bool isReady() const { return m_ready; }
    // Asking before a kill (the e2e test answers the question like a user).
    void setConfirmKill(bool confirm) { m_confirmKill = confirm; }

    // What killing these agents would leave behind (unmerged commits, uncommitted files), in
    // words, asked before the question; when it says something, the question is asked even with
    // setConfirmKill(false).
    using KillNote = std::function<QFuture<QString>(const QList<Agent> &)>;
    void setKillNote(KillNote note) { m_killNote = std::move(note); }
    // An action of the app in the list's context menu (after Open Terminal and Attach).
    void addContextAction(QAction *action) { m_contextActions.append(action); }

    QList<Agent> selectedAgents() const;
    void selectAgent(const QString &id);
    QString currentAgentId() const;

    QAction *spawnAction() const { return m_spawn; }
    QAction *killAction() const { return m_kill; }
    QAction *restartAction() const { return m_restart; }
    QAction *openTerminalAction() const { return m_openTerminal; }
    QAction *attachExternalAction() const { return m_attachExternal; }
    QAction *filterAction() const { return m_focusFilter; }
    QList<QAction *> actions() const;

    PlaceholderTreeView *view() const { return m_view; }
    AgentFilterProxy *proxy() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }

    // What the app keeps of the list between runs (column widths and order, the status filter).
    struct ViewState
    {
        QByteArray header;
        int statusFilter = 0;
    };
    ViewState viewState() const;
    void restoreViewState(const ViewState &state);

    // The question asked before killing these agents (also used for restart).
    static QString killQuestion(const QList<Agent> &agents);
    static QString killConsequence(const QList<Agent> &agents);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    void spawnRequested();
    void killRequested(const QList<Hive::Agent> &agents);
    void restartRequested(const QList<Hive::Agent> &agents);
    void openTerminalRequested(const QList<Hive::Agent> &agents);
    void attachExternalRequested(const Hive::Agent &agent);
    void currentAgentChanged(const QString &agentId);

private:
    void updateActions();
    void updateTypeFilter();
    void showContextMenu(const QPoint &pos);
    void confirmKill();
    void askKill(const QList<Agent> &agents, const QString &note);
    void confirmRestart();

    AgentModel *m_model;
    AgentFilterProxy *m_proxy;
    PlaceholderTreeView *m_view;
    QLineEdit *m_filter;
    QComboBox *m_statusFilter;
    QComboBox *m_typeFilter;
    QTimer *m_tick;
    QAction *m_spawn;
    QAction *m_kill;
    QAction *m_restart;
    QAction *m_openTerminal;
    QAction *m_attachExternal;
    QAction *m_focusFilter;
    bool m_ready = false;
    bool m_confirmKill = true;
    KillNote m_killNote;
    QList<QAction *> m_contextActions;
};

} // namespace Hive
