// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/costs.h"
#include "models/event.h"
#include "models/searchhit.h"
#include "models/task.h"
#include "models/workspacediff.h"
#include "services/core/result.h"
#include "services/store/change.h"
#include "services/store/coststore.h"
#include "services/store/rows.h"
#include "services/store/searchstore.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <expected>
#include <memory>
#include <optional>

class QSqlQuery;

namespace Hive {

class AgentCache;

// All SQL of Agent Hive, over one QPSQL connection used only in the thread that opened it (the
// store's thread in the app, the main thread in hive-runner). Every state change is written
// together with its event row in one transaction. Blocking by nature: never on the GUI thread.
class Database
{
public:
    Database();
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // postgresql://user:password@host:port/dbname?host=/socket/dir
    Result<> open(const QString &url, const QString &connectionName);
    void close();
    bool isOpen() const;
    Result<> ping();

    // The app's connection keeps this cache current: at each COMMIT, with the agent events the
    // transaction recorded (before the caller hears of the commit), and with the changes that
    // record no event (session id, heartbeat). hive-runner's connection has none.
    void setAgentCache(AgentCache *cache) { m_agentCache = cache; }

    // Applies the numbered SQL files of migrationsDir (":/migrations") not applied yet, each in its
    // own transaction, under an advisory lock. Returns the versions applied now.
    Result<QStringList> migrate(const QString &migrationsDir = QStringLiteral(":/migrations"));

    // Agents
    Result<Change> insertAgent(const Agent &agent);
    // need: what an agent waiting for input waits for, in words (kept only while it waits).
    Result<Change>
    setAgentStatus(const QString &agentId, Agent::Status status, const QString &need = {});
    Result<> setAgentSession(const QString &agentId, const QString &sessionId);
    // stopped (killed) or lost (session or heartbeat gone): the agent's running task goes back to
    // the queue with the attempt counted, or fails when its attempts are used up.
    Result<Change> endAgent(const QString &agentId, Agent::Status status, const QString &reason);
    Result<> touchHeartbeat(const QString &agentId);
    // A stopped (or lost) agent starts again with its id, name, folder and conversation: status,
    // session, folder and permission mode from `agent`; an error when it is alive.
    Result<Change> reviveAgent(const Agent &agent);
    // A paused worker claims no task (claimTask refuses it) until it is resumed.
    Result<Change> setAgentPaused(const QString &agentId, bool paused);
    // The agents of one team (alive or not), oldest first; not found when there are none.
    Result<QList<Agent>> teamAgents(const QString &teamId);
    Result<QList<Agent>> agents(std::optional<Agent::Status> status = std::nullopt);
    Result<QList<Agent>> liveAgents();
    Result<Agent> agent(const QString &id);
    // Every agent and the newest event seq, read in one statement (one snapshot): the table as of
    // that seq (AgentCache::load).
    Result<std::pair<QList<Agent>, qint64>> agentsAsOfSeq();

    // Tasks
    Result<Change> createTask(const Task &task);
    // Several tasks in one transaction (one COMMIT, kEventOrderLock taken once): a result for each,
    // in order. When one of them is refused, the others are created each in its own transaction,
    // so that only the refused one fails.
    QList<Result<Change>> createTasks(const QList<Task> &tasks);
    // queued → assigned to agentId; nullopt task in the Change when it is not claimable (not
    // queued any more, or not a task id). A task already assigned to agentId comes back as it is
    // (a claim asked again after its answer was lost). Output, error and report texts are stored
    // with NUL characters replaced by U+FFFD (finishTask, failTaskToStart).
    Result<Change> claimTask(const QString &taskId, const QString &agentId);
    Result<Change> startTask(const QString &taskId, const QString &agentId);
    // A finished attempt. Ignored (empty Change) when the task is no longer this agent's (it was
    // cancelled, or handed to another agent meanwhile). A failure is retried while attempts are
    // left, unless it is not retryable (another attempt would fail the same way: a permission the
    // agent does not have).
    Result<Change> finishTask(const QString &taskId,
                              const QString &agentId,
                              const TaskResult &result,
                              bool succeeded,
                              const QString &error = {},
                              bool retryable = true);
    // A task that fails at once, without a result and without a retry: its command could not
    // even start (command not found), or its result could not be stored (error says why).
    Result<Change>
    failTaskToStart(const QString &taskId, const QString &agentId, const QString &error);
    // A runner that stops (SIGTERM) hands its task back: queued again, the attempt not counted.
    Result<Change> releaseTask(const QString &taskId, const QString &agentId);
    Result<Change> cancelTask(const QString &taskId);
    Result<Change> retryTask(const QString &taskId);
    Result<QList<Task>> tasks(const TaskFilter &filter = {});
    Result<Task> task(const QString &id);
    Result<QList<Task>> queuedTasks();
    // The oldest queued tasks (at most limit), with only id, agent type and priority: what the
    // queue needs to see whether each has its stream entry.
    Result<QList<Task>> queuedTaskKeys(int limit);

    // Money and limits (coststore.cpp). Costs per agent, type and UTC day over the last `days`
    // days; the daily budget (none: nullopt) with its 80 % and 100 % events once a day; profiles
    // paused by a rate or usage limit. claimTask refuses (an error with the hold's code) while
    // dispatchHold says why the agent may not take a task.
    Result<CostReport> costs(int days);
    Result<std::optional<double>> dailyBudget();
    Result<double> spentToday();
    Result<Change> setDailyBudget(std::optional<double> usd);
    Result<std::optional<DispatchHold>> dispatchHold(const QString &agentId);
    // The agent CLI hit a rate or usage limit: the run is recorded, the task queued again without
    // counting the attempt, and the agent's profile paused until `until`.
    Result<Change> finishRateLimited(const QString &taskId,
                                     const QString &agentId,
                                     const TaskResult &result,
                                     const QDateTime &until,
                                     const QString &reason);
    Result<QList<ProfileLimit>> profileLimits(); // the limits in force now
    Result<Change> clearProfileLimit(const QString &profile);

    // Events
    // The events after seq `since` (events.id), oldest first, at most limit of them, each task a
    // summary. Safe to page through with the last seq read: ids are handed out in commit order
    // (every writing transaction first takes kEventOrderLock, so the next one's ids come after
    // this one's commit), so an event with a smaller seq can never commit later than one that was
    // read. The events table must keep a sequence with CACHE 1 (the default) for this.
    Result<QList<Event>> events(qint64 since, int limit);
    Result<qint64> lastEventSeq(); // 0 when there is none yet
    // The advisory lock every writing transaction takes first (in every process writing events:
    // the app and each hive-runner), so that events.id follows commit order.
    static constexpr qint64 kEventOrderLock = 4242002;

    // Search (searchstore.cpp). Full text over prompts, answers and log chunks, best first; an
    // empty list when the query has no words to look for.
    Result<QList<SearchHit>> search(const QString &query, int limit);
    // Tasks nearest to an embedding of the same model (cosine distance), best first.
    Result<QList<SearchHit>>
    nearestTasks(const QList<float> &embedding, const QString &model, int limit);
    Result<QList<EmbeddingJob>> tasksToEmbed(const QString &model, int limit);
    Result<> storeEmbedding(const QString &taskId, const QString &model, const QList<float> &v);
    // How far logs/<file> has been copied, and the next chunks with the new offset (one
    // transaction). agentId: the agent the file belongs to now.
    Result<qint64> logOffset(const QString &file);
    Result<> appendLog(const QString &file,
                       const QString &agentId,
                       const QList<LogChunk> &chunks,
                       qint64 newOffset);
    // The newest agent of each name (a log file is named after its agent).
    Result<QHash<QString, QString>> agentIdsByName();
    Result<LogText> logText(qint64 id);

    // Review (reviewstore.cpp, migration 0006): where an agent folder started (the first record of
    // a folder is kept), and the files each task changed.
    // replace: a record of the folder is replaced (the folder was made again from elsewhere).
    Result<> recordWorkspace(const WorkspaceBase &base, bool replace = false);
    Result<std::optional<WorkspaceBase>> workspace(const QString &workdir);
    Result<> forgetWorkspace(const QString &workdir);
    Result<> recordTaskChanges(const TaskChanges &changes);
    Result<std::optional<TaskChanges>> taskChanges(const QString &taskId);
    // The snapshot tree of the newest task recorded in workdir, empty when there is none.
    Result<QString> lastTaskTree(const QString &workdir);

    // Several changes in one COMMIT (group commit): body runs inside one transaction, and the
    // changes it makes through the functions above run in it without savepoints: body must fail
    // when one of them fails (that one may have done part of its work), and then all of them are
    // undone. The caller hears of none of them before this returns success: when the COMMIT
    // fails, all of them are undone too.
    template<typename F>
    auto inOneCommit(F &&body) -> decltype(body())
    {
        const bool was = std::exchange(m_oneCommit, true);
        auto r = transaction(std::forward<F>(body));
        m_oneCommit = was;
        return r;
    }
    bool inTransaction() const { return m_depth > 0; }
    // The events of a change made inside inOneCommit carry stand-in seqs until its COMMIT: this
    // gives them the seq and time they got (after inOneCommit returned success).
    void settle(Change &change) const;

private:
    Result<Rows> exec(const QString &sql, const QVariantList &binds = {});
    void dropStatements();
    Result<> begin();
    Result<> commit();
    void rollback();
    Error sqlError(const QString &what, const QSqlQuery &q);
    // Records an event in the open transaction. Its row is written with the others at COMMIT (one
    // statement for all of them, ids in the order they were recorded); until then the event
    // carries a stand-in seq (negative), which settle() replaces.
    Result<Event>
    record(const QString &type, const std::optional<Agent> &agent, const std::optional<Task> &task);
    Event defer(Event e, const QString &agentId, const QString &taskId);
    Result<> flushEvents(); // the recorded events' rows, before COMMIT
    Result<Task> updateTask(const QString &sql, const QVariantList &binds);
    Result<Agent> updateAgent(const QString &sql, const QVariantList &binds);
    Result<Change> insertTask(const Task &task);  // createTask's body, inside a transaction
    Result<Task> lockTask(const QString &taskId); // its row, locked FOR UPDATE in the transaction
    Result<Change> settleDependents(const Task &finished);
    Result<Change> failDependents(const Task &finished, QStringList &visited);
    Result<Change> agentToIdle(const QString &agentId, const QString &taskId);
    // Records an event of the change (in the change's transaction) and adds it to change.events.
    Result<> recordInto(Change &change,
                        const QString &type,
                        const std::optional<Agent> &agent,
                        const std::optional<Task> &task);
    static Error notFound(const QString &what, const QString &id);
    // An event about neither an agent nor a task (budget, profile limits), with its data.
    Result<> recordData(Change &change, const QString &type, const QJsonObject &data);
    Result<> budgetAlerts(Change &change); // 80 % / 100 % of today's budget, once a day each
    // Whether the agent is paused, and what else holds it from a claim (dispatchHold); lock: its
    // row locked FOR UPDATE in the open transaction.
    Result<std::pair<bool, std::optional<DispatchHold>>> claimCheck(const QString &agentId,
                                                                    bool lock);

    // Runs body (returning a Result) in one transaction: committed when it succeeds, rolled back
    // when it fails. Transactions run one at a time across all connections (kEventOrderLock).
    // Inside another transaction it is a savepoint of that one: released when body succeeds,
    // rolled back to when it fails (the outer transaction goes on); inside inOneCommit, only a
    // part of that one.
    template<typename F>
    auto transaction(F &&body) -> decltype(body())
    {
        if (m_oneCommit && m_depth > 0)
            return body();
        if (auto b = begin(); !b)
            return failure(b.error());
        auto r = body();
        if (!r) {
            rollback();
            return r;
        }
        const bool outermost = m_depth == 1;
        if (auto c = commit(); !c)
            return failure(c.error());
        if constexpr (std::is_same_v<decltype(body()), Result<Change>>) {
            if (outermost)
                settle(*r);
        }
        return r;
    }

    AgentCache *m_agentCache = nullptr;
    struct PendingEvent
    {
        Event event; // seq: its stand-in
        QString agentId;
        QString taskId;
        QString payload;
    };
    QList<PendingEvent> m_pendingEvents; // recorded in the open transaction, not written yet
    QList<Event> m_recorded;             // agent events written, for m_agentCache at COMMIT
    // Stand-in seq → (seq, time) of the events of the last transaction (for settle()).
    QHash<qint64, std::pair<qint64, QDateTime>> m_assigned;
    qint64 m_lastStandIn = 0;
    int m_depth = 0;                 // 0: no transaction; 1: one; more: savepoints inside it
    QList<qsizetype> m_savedPending; // m_pendingEvents' size at each open savepoint
    // A statement failed inside the open transaction and no savepoint undid it: PostgreSQL has
    // aborted the transaction, and its COMMIT would be a silent ROLLBACK.
    bool m_aborted = false;
    bool m_oneCommit = false; // in inOneCommit: nested transactions are parts of it
    QString m_connection;
    QString m_url;
    // Prepared once per connection and executed again with new values: one round trip a statement.
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements;
};

} // namespace Hive
