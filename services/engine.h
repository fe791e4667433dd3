// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/agents/spawnrequest.h"
#include "services/agents/teams.h"
#include "services/core/config.h"
#include "services/search/search.h"
#include "services/store/commitqueue.h"
#include "services/store/database.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QPromise>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace Hive {

class GitReview;
class AgentCache;
class Orchestrator;
class ResourceSampler;
class UsageBoard;
struct AgentUsage;
class Queue;
class Store;

// The engine every client (GUI, API, tests) talks to: the store, the queue and the orchestrator,
// each in its own thread. Its methods are thread-safe and return futures; every committed change
// is published (events, queue entries, stop requests) in commit order.
class Engine : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString dataDir;
        QString tmuxSocket = QStringLiteral("agenthive");
        QString databaseUrl;
        QString redisUrl;
        QString runnerPath;           // hive-runner
        int reconcileMs = 2000;       // how often tmux and heartbeats are compared with PostgreSQL
        int heartbeatGraceMs = 15000; // a worker without a heartbeat for this long is lost
        int maxAgents = Config::kDefaultMaxAgents; // live agents at most; beyond: 409 agent_limit
        int logCopyMs = 3000; // how often the agents' logs are copied for search
        QUrl embeddingsUrl;   // an OpenAI-compatible embeddings endpoint; empty: none
        QString embeddingsModel = QStringLiteral("text-embedding-3-small");
        QString embeddingsKey;
        // How often every queued task in PostgreSQL is checked for its entry in Redis (one missing
        // is added again); 0: only when Redis (re)connects.
        int queueSweepMs = 30000;
        // How long a killed or lost agent's runner may take to stop before it is killed.
        int stopGraceMs = 10000;
        // Live agents of a type at most (--max-agents-per-type); beyond: 409 agent_type_limit.
        QHash<QString, int> maxAgentsPerType;
        // A spawn is refused while the host has less memory available (409 low_memory); 0: off.
        qint64 minFreeMemoryBytes = qint64(Config::kDefaultMinFreeMemoryMb) * 1024 * 1024;
        int resourcesMs = 3000; // how often each agent's CPU and memory are sampled; 0: never
        // Whether to write dailyBudgetUsd (none: no budget) at start (--daily-budget-usd); else
        // the stored one stays.
        bool setDailyBudget = false;
        std::optional<double> dailyBudgetUsd;
        // An interactive agent idle this long is stopped, its conversation kept (--idle-stop);
        // 0: never.
        int idleStopMs = 0;
        // How often the agents table is read again whole into the agents the engine keeps (for
        // what changes without an event: a runner's heartbeat); 0: only at the start and when the
        // event subscription (re)connects.
        int agentRefreshMs = 3000;
        // Tasks created while a commit is in flight go into the next one, at most this many in a
        // transaction (group commit); 1: one transaction per task.
        int maxTasksPerCommit = 256;
        // Runners' changes (claim, start, finish…) waiting while a commit is in flight go into the
        // next one together, at most this many (each in a savepoint); 1: one transaction each.
        int maxChangesPerCommit = 64;
    };

    // What the engine can reach now.
    struct Health
    {
        bool postgres = false;
        bool redis = false;
        bool tmux = false;
        bool operator==(const Health &) const = default;
    };

    explicit Engine(const Options &options, QObject *parent = nullptr);
    ~Engine() override;

    QFuture<Result<QStringList>> start(); // connects, migrates, starts queue and orchestrator
    void stop();                          // ordered, blocking

    const Options &options() const { return m_options; }

    QFuture<Result<Agent>> spawn(const SpawnRequest &request);
    QFuture<Result<>> kill(const QString &agentId);
    QFuture<Result<QList<Agent>>> agents(std::optional<Agent::Status> status = std::nullopt);
    QFuture<Result<Agent>> agent(const QString &id);
    // The same as JSON bytes (an array; one agent's object), from what the engine keeps current
    // (AgentCache): no round trip to PostgreSQL, nothing serialized again. nullopt until the
    // engine has read the table once (and for an agent it does not know): ask agents()/agent().
    // agents()/agent() themselves read PostgreSQL: the window's first load must hold every event
    // up to the seq it starts from, and a runner's event may still be on its way through Redis.
    std::optional<QByteArray> agentsJson(std::optional<Agent::Status> status = std::nullopt) const;
    std::optional<QByteArray> agentJson(const QString &id) const;
    QFuture<Result<Task>> createTask(const Task &task);
    QFuture<Result<Task>> cancelTask(const QString &id);
    QFuture<Result<Task>> retryTask(const QString &id);
    QFuture<Result<QList<Task>>> tasks(const TaskFilter &filter = {});
    QFuture<Result<Task>> task(const QString &id);
    // The events after seq `since`, oldest first, at most limit (1…1000) of them, from PostgreSQL:
    // also those published while Redis was away. Each task in them is a summary.
    QFuture<Result<QList<Event>>> events(qint64 since, int limit);
    QFuture<Result<qint64>> lastEventSeq(); // the newest event's seq, 0 when there is none
    // The pane's last lines, and text typed literally into it (send-keys -l).
    QFuture<Result<QString>> output(const QString &agentId, int lines);
    QFuture<Result<InputAck>> input(const QString &agentId, const InputRequest &request);
    // A Claude Code hook payload reported for agentId (hive-runner hook, over the API).
    QFuture<Result<>> hook(const QString &agentId, const QJsonObject &payload);
    // Kills the agent if it lives and spawns it again with its conversation resumed.
    QFuture<Result<Agent>> restart(const QString &agentId);

    // hive-runner's side of the store (RunnerController): the state changes a runner made on its
    // own PostgreSQL connection before (claim, start, finish, release, its status), run by the
    // store and published like every other change. A failure while PostgreSQL is unreachable has
    // the code "postgres_unreachable" (the runner keeps trying, for as long as it takes).
    QFuture<Result<Change>> runnerChange(std::function<Result<Change>(Database &)> change);
    // A runner's heartbeat: stamped in PostgreSQL; the agent, and the task it runs (taskId, may be
    // empty), as they are now.
    struct RunnerBeat
    {
        Agent agent;
        std::optional<Task> task;
    };
    QFuture<Result<RunnerBeat>> runnerHeartbeat(const QString &agentId, const QString &taskId);
    // What holds dispatch back for a runner's agent now (Database::dispatchHold), or nothing.
    QFuture<Result<std::optional<DispatchHold>>> runnerHold(const QString &agentId);
    // Pause and resume a worker; stop an agent that is not busy and start it again (same agent,
    // its conversation resumed); the idle timeout (interactive agents; 0: off).
    QFuture<Result<Agent>> setPaused(const QString &agentId, bool paused);
    QFuture<Result<Agent>> stopAgent(const QString &agentId);
    QFuture<Result<Agent>> startAgent(const QString &agentId);
    void setIdleStopMs(int ms);
    // Teams: started from a template, listed, stopped together.
    QFuture<Result<Team>> spawnTeam(const TeamRequest &request);
    QFuture<Result<Team>> stopTeam(const QString &teamId);
    QFuture<Result<QList<Team>>> teams();
    QFuture<Result<Team>> team(const QString &teamId);
    QList<TeamTemplate> teamTemplates() const; // any thread
    // Full-text or semantic search over tasks, answers and the agents' logs; a log hit's chunk.
    QFuture<Result<QList<SearchHit>>> search(const QString &query, Search::Kind kind, int limit);
    QFuture<Result<LogText>> logText(qint64 id);
    QFuture<Result<int>> copyLogsNow();
    bool semanticSearchEnabled() const;
    // Reviewing the agents' folders: diffs, the files each task changed, merges, worktree removal
    // (services/agents/gitreview.h). Its methods are thread-safe and return futures.
    GitReview &review() const { return *m_review; }
    // Money and limits (enginemoney.cpp): costs per agent, type and day; the daily budget (none:
    // nullopt); the profiles paused by a rate or usage limit, and lifting one by hand.
    QFuture<Result<CostReport>> costs(int days);
    QFuture<Result<CostReport>> setDailyBudget(std::optional<double> usd);
    QFuture<Result<QList<ProfileLimit>>> profileLimits();
    QFuture<Result<>> clearProfileLimit(const QString &profile);
    // The last sample of every agent's CPU and memory, by tmux session (any thread).
    QHash<QString, AgentUsage> usage() const;
    QFuture<bool> postgresReachable();
    QFuture<Health> health();
    bool redisConnected() const { return m_redisConnected.load(); } // any thread

Q_SIGNALS:
    // Every event, from this process and from the runners, as published on Redis: in the order
    // Redis delivers them (publishers race: seq may go back), and none of those published while
    // Redis was away. EventSequencer makes of it every event once, in seq order.
    void eventReceived(const Hive::Event &event);
    void redisConnectionChanged(bool connected);
    // The subscription to the events is up (at the start, and again after Redis was away): what was
    // published meanwhile is only in events().
    void eventsConnected();
    // A new sample of the agents' CPU and memory (every resourcesMs): read it with usage().
    void resourcesSampled();

private:
    QFuture<Result<Task>> taskChange(std::function<Result<Change>(Database &)> change);
    void startMoney(); // the daily budget given, the resource sampler's thread
    void stopResources();
    void publish(const Change &change); // in the store's thread, in commit order
    void
    createPendingTasks(Database &db); // in the store's thread: one transaction for those waiting
    void refreshAgents();
    void applyPendingChanges(Database &db); // in the store's thread: one COMMIT for those waiting
    void scheduleTasks();                   // a run of createPendingTasks in the store's thread
    void scheduleChanges();                 // a run of applyPendingChanges

    struct PendingChange
    {
        std::function<Result<Change>(Database &)> change;
        std::shared_ptr<QPromise<Result<Change>>> promise;
    };

    struct PendingTask
    {
        Task task;
        std::shared_ptr<QPromise<Result<Task>>> promise;
    };

    Options m_options;
    std::unique_ptr<AgentCache> m_agentCache;
    std::unique_ptr<Store> m_store;
    CommitQueue<PendingTask> m_pendingTasks;     // created, waiting for the next commit
    CommitQueue<PendingChange> m_pendingChanges; // runners' changes waiting for the next commit
    QTimer *m_agentRefresh = nullptr;
    QThread m_queueThread;
    QThread m_orchestratorThread;
    Queue *m_queue = nullptr;
    Orchestrator *m_orchestrator = nullptr;
    std::unique_ptr<Search> m_search;
    std::unique_ptr<GitReview> m_review;
    QTimer *m_sweep = nullptr;
    bool m_started = false;
    std::atomic<bool> m_redisConnected = false;
    QThread m_resourcesThread;
    ResourceSampler *m_sampler = nullptr;
    std::shared_ptr<UsageBoard> m_usage;
};

} // namespace Hive
