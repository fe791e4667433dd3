// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "services/store/change.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPromise>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace Hive {

class Store;
class TmuxController;

// What interactive agents are doing, kept in PostgreSQL as their status and "need": from Claude
// Code's hooks for Claude agents (working, idle, waiting for a permission with its message), from
// the pane for what comes before the hooks (folder trust, the API key question) and for other
// CLIs (PaneWatcher's rules, looked at twice a second: one list-panes, then a capture-pane of each
// pane that printed since its last capture). Also tells when typed text reached Claude
// (its UserPromptSubmit hook). Lives in the orchestrator's thread.
class InteractiveAgents : public QObject
{
    Q_OBJECT

public:
    using Publish = std::function<void(const Change &)>;
    InteractiveAgents(Store *store, TmuxController *tmux, Publish publish, QObject *parent);
    ~InteractiveAgents() override;

    // The live interactive agents (after each reconcile, and a new one at spawn).
    void track(const QList<Agent> &agents);
    void add(const Agent &agent);
    void forget(const QString &agentId);

    void onHook(const QString &agentId, const QJsonObject &payload);

    // Resolves true when agentId's next prompt reaches Claude within ms, false when not; at once
    // nullopt for an agent without hooks (nothing can tell).
    QFuture<std::optional<bool>> promptAccepted(const Agent &agent, int ms);

private:
    struct Watched;
    void look();
    void capture(Watched &w);
    void unchanged(Watched &w);
    void apply(const QString &agentId, Agent::Status status, const QString &need);

    struct Watched
    {
        Agent agent;
        QByteArray digest;        // of the last screen
        bool paneWaiting = false; // the pane (not a hook) said "waiting": the pane may end it
        quint64 hooks = 0;        // hooks received: a screen captured before the last one is stale
        Agent::Status status = Agent::Status::Idle;
        QString need;
        QString paneNeed;       // what the last captured screen asked, if anything
        qint64 capturedAt = 0;  // second (since the epoch) of the last capture, 0: none yet
        bool capturing = false; // a capture-pane is on its way
    };
    Store *m_store;
    TmuxController *m_tmux;
    Publish m_publish;
    QTimer *m_timer;
    bool m_looking = false; // a list-panes is on its way
    QHash<QString, Watched> m_agents;
    QHash<QString, QList<std::shared_ptr<QPromise<std::optional<bool>>>>> m_waitingPrompts;
};

} // namespace Hive
