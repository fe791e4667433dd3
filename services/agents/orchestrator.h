// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/agents/profiles.h"
#include "services/agents/spawnrequest.h"
#include "services/agents/teams.h"
#include "services/core/config.h"
#include "services/store/database.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

class QTimer;

namespace Hive {

class InteractiveAgents;
class Queue;
class Store;
class TmuxController;

// Spawns and kills agents (tmux sessions running hive-runner or an agent CLI), reconciles every
// few seconds what tmux and the heartbeats say with what PostgreSQL says (agents whose session or
// heartbeat is gone are `lost`, their tasks go back to the queue), adopts the sessions that
// survived a restart, and watches interactive agents' panes (working, idle, waiting for input).
// Lives in its own thread; the public methods may be called from any thread and return futures.
class Orchestrator : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString dataDir;
        QString tmuxSocket = QStringLiteral("agenthive");
        QString databaseUrl;
        QString redisUrl;
        QString runnerPath; // hive-runner
        int reconcileMs = 2000;
        int heartbeatGraceMs = 15000;
        int maxAgents = Config::kDefaultMaxAgents; // live agents at most (--max-agents)
        QHash<QString, int> maxAgentsPerType;      // of a type at most (--max-agents-per-type)
        qint64 minFreeMemoryBytes = 0;             // MemAvailable a spawn needs; 0: no guard
        // How long a runner whose session was killed may take to stop (hand its task back) before
        // it and what it started are killed.
        int stopGraceMs = 10000;
        // An interactive agent idle this long is stopped (its conversation and folder kept, to be
        // started again); 0: never.
        int idleStopMs = 0;
    };

    Orchestrator(const Options &options, Store *store, Queue *queue);
    ~Orchestrator() override;

    // Thread-safe entry points.
    QFuture<Result<Agent>> spawn(const SpawnRequest &request);
    QFuture<Result<>> kill(const QString &agentId);
    QFuture<Result<QString>> output(const QString &agentId, int lines);
    QFuture<Result<InputAck>> input(const QString &agentId, const InputRequest &request);
    // A Claude Code hook's payload for agentId (hive-runner hook, through the API).
    QFuture<Result<>> hook(const QString &agentId, const QJsonObject &payload);
    // Kills the agent if it lives, then spawns it again: same name, type, profile, folder, and
    // its conversation resumed (Claude Code's --resume).
    QFuture<Result<Agent>> restart(const QString &agentId);
    // A paused worker finishes its task and claims no new one until it is resumed.
    QFuture<Result<Agent>> setPaused(const QString &agentId, bool paused);
    // Stops an agent that is not busy (its memory freed; its row, folder and conversation kept)…
    QFuture<Result<Agent>> stopAgent(const QString &agentId, const QString &reason = {});
    // … and starts it again: the same agent (id, name, folder), its conversation resumed.
    QFuture<Result<Agent>> startAgent(const QString &agentId);
    void setIdleStopMs(int ms); // thread-safe; 0: off
    // Teams (teams.cpp): all of a template's agents spawned, or none; stopped together.
    QFuture<Result<Team>> spawnTeam(const TeamRequest &request);
    QFuture<Result<Team>> stopTeam(const QString &teamId);
    QFuture<bool> tmuxAvailable();

public Q_SLOTS:
    void start(); // in its thread: tmux client, first reconcile (adoption), timers
    void stop();
    void reconcile();
    void rebuildQueue();

Q_SIGNALS:
    void tmuxHealthChanged(bool ok);

private:
    Result<Agent> prepareAgent(const SpawnRequest &request, Profile &profile);
    QFuture<Result<Agent>> admit(const Agent &agent,
                                 const Profile &profile,
                                 const SpawnRequest &request,
                                 const Result<QList<Agent>> &live);
    QFuture<Result<Agent>> place(Agent agent,
                                 const Profile &profile,
                                 bool resume,
                                 bool revive,
                                 const Result<QString> &workdir);
    QFuture<Result<>> end(const QString &agentId, const QString &reason);
    void stopIdle(const QList<Agent> &interactive);
    QFuture<Result<Team>> spawnTeamNext(Team team, QList<std::pair<QString, SpawnRequest>> rest);
    QFuture<QString> stopAgents(QList<Agent> agents);
    void spawnSettled(const Agent &agent); // admitted, and now inserted or given up
    // The per-type cap and the free-memory guard: the refusal, or nullopt when the spawn may go.
    std::optional<Error> hostLimits(const Agent &agent, const QList<Agent> &live) const;
    Result<QStringList>
    sessionCommand(const Agent &agent, const Profile &profile, bool resume) const;
    void publish(const Change &change);
    void endAgents(const QList<std::pair<Agent, QString>> &lost);
    // Kills the agent's session (if it is there) and finishes once its pane's process and the
    // processes of its group (what it started) are gone, killed with SIGKILL after stopGraceMs;
    // lastKnownPid (the last reconcile's) is the one waited for when the session is gone already.
    // An error only when tmux cannot tell whether the session is there.
    QFuture<Result<>> endSession(const Agent &agent, qint64 lastKnownPid);
    QFuture<Result<>> waitGone(qint64 pid);
    // The agent's row has ended: publish the change, release its queue consumer.
    void agentEnded(const Agent &agent, const Change &change);
    QFuture<Result<Agent>> startSession(const Agent &agent,
                                        const Profile &profile,
                                        bool resume,
                                        const Result<Change> &inserted);
    QFuture<Result<Agent>> sessionStarted(const Agent &agent, const Result<> &made);
    QFuture<Result<Agent>> liveAgent(const QString &agentId); // an error unless it is alive
    QFuture<Result<>> pressKeys(const QString &session, QStringList keys);

    Options m_options;
    Store *m_store;
    Queue *m_queue;
    TmuxController *m_tmux = nullptr;
    InteractiveAgents *m_interactive = nullptr;
    QTimer *m_timer = nullptr;
    QTimer *m_debounce = nullptr;
    bool m_reconciling = false;
    bool m_tmuxOk = true;
    QSet<QString> m_spawning; // inserted in PostgreSQL, session not made yet: not lost
    // Admitted under --max-agents, not inserted yet (their folder being made): counted with the
    // live agents, so that spawns at the same time cannot pass the limit together.
    int m_admitted = 0;
    QHash<QString, int> m_admittedByType; // the same, by agent type (--max-agents-per-type)
    QSet<QString> m_preparing; // names whose folder is being made: one spawn of a name at a time
    QSet<QString> m_ending;    // being killed or ended: its session going, its row not ended yet
    QHash<QString, qint64> m_panePids;  // agent id → its pane's pid, as the last reconcile saw
    QHash<QString, qint64> m_idleSince; // interactive agent id → m_running's ms when seen idle
    QElapsedTimer m_running; // heartbeats are judged only after runners had time to reconnect
};

} // namespace Hive
