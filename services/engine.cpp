// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/engine.h"

#include "services/agents/gitreview.h"
#include "services/agents/orchestrator.h"
#include "services/agents/resources.h"
#include "services/queue/queue.h"
#include "services/store/agentcache.h"
#include "services/store/store.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace Hive {

Engine::Engine(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_agentCache(std::make_unique<AgentCache>())
    , m_store(std::make_unique<Store>(options.databaseUrl))
    , m_usage(std::make_shared<UsageBoard>())
{
    qRegisterMetaType<Hive::Event>();
    m_queueThread.setObjectName(u"queue"_s);
    m_orchestratorThread.setObjectName(u"orchestrator"_s);
    m_queue = new Queue(options.redisUrl);
    m_queue->moveToThread(&m_queueThread);
    connect(&m_queueThread, &QThread::finished, m_queue, &QObject::deleteLater);
    // The runners' changes reach the agents the engine keeps as they arrive, in the queue's thread,
    // before anyone (a WebSocket client, the GUI) hears of them: a client that saw an event and
    // reads the agent sees it. First, so that it runs before the event is handed on.
    connect(
        m_queue,
        &Queue::eventReceived,
        this,
        [cache = m_agentCache.get()](const Hive::Event &e) { cache->apply(e); },
        Qt::DirectConnection);
    connect(m_queue, &Queue::eventReceived, this, &Engine::eventReceived);
    // Events published while Redis was away never arrive: read the table again.
    connect(m_queue, &Queue::eventsConnected, this, &Engine::refreshAgents);
    connect(m_queue, &Queue::eventsConnected, this, &Engine::eventsConnected);
    // Set in the queue's thread, read from any thread (the GUI's, the API's).
    connect(
        m_queue,
        &Queue::connected,
        this,
        [this] {
            m_redisConnected = true;
            Q_EMIT redisConnectionChanged(true);
        },
        Qt::DirectConnection);
    connect(
        m_queue,
        &Queue::disconnected,
        this,
        [this] {
            m_redisConnected = false;
            Q_EMIT redisConnectionChanged(false);
        },
        Qt::DirectConnection);
    Orchestrator::Options o;
    o.dataDir = options.dataDir;
    o.tmuxSocket = options.tmuxSocket;
    o.databaseUrl = options.databaseUrl;
    o.redisUrl = options.redisUrl;
    o.runnerPath = options.runnerPath;
    o.reconcileMs = options.reconcileMs;
    o.heartbeatGraceMs = options.heartbeatGraceMs;
    o.maxAgents = options.maxAgents;
    o.stopGraceMs = options.stopGraceMs;
    o.maxAgentsPerType = options.maxAgentsPerType;
    o.minFreeMemoryBytes = options.minFreeMemoryBytes;
    o.idleStopMs = options.idleStopMs;
    m_orchestrator = new Orchestrator(o, m_store.get(), m_queue);
    m_orchestrator->moveToThread(&m_orchestratorThread);
    connect(&m_orchestratorThread, &QThread::finished, m_orchestrator, &QObject::deleteLater);
    // After Redis came back (restarted, or the link broke), make its queue match PostgreSQL.
    connect(m_queue, &Queue::connected, m_orchestrator, &Orchestrator::rebuildQueue);
    // The sweep: a queued task must have its entry whatever went wrong in between (a runner gone
    // between reading an entry and claiming its task, an XADD lost with a connection).
    if (options.queueSweepMs > 0) {
        m_sweep = new QTimer(this);
        m_sweep->setInterval(options.queueSweepMs);
        connect(m_sweep, &QTimer::timeout, this, [this] {
            if (m_orchestrator && m_redisConnected)
                QMetaObject::invokeMethod(
                    m_orchestrator, &Orchestrator::rebuildQueue, Qt::QueuedConnection);
        });
    }
    if (options.agentRefreshMs > 0) {
        m_agentRefresh = new QTimer(this);
        m_agentRefresh->setInterval(options.agentRefreshMs);
        connect(m_agentRefresh, &QTimer::timeout, this, &Engine::refreshAgents);
    }
    Search::Options so;
    so.logsDir = QDir(options.dataDir).filePath(u"logs"_s);
    so.logCopyMs = options.logCopyMs;
    so.embeddingsUrl = options.embeddingsUrl;
    so.embeddingsModel = options.embeddingsModel;
    so.embeddingsKey = options.embeddingsKey;
    m_search = std::make_unique<Search>(so, m_store.get());
    m_review = std::make_unique<GitReview>(m_store.get());
    connect(this, &Engine::eventReceived, m_review.get(), &GitReview::onEvent);
}

Engine::~Engine()
{
    stop();
}

QFuture<Result<QStringList>> Engine::start()
{
    return m_store->start().then(this, [this](Result<QStringList> migrated) {
        if (!migrated)
            return migrated;
        m_store->run([cache = m_agentCache.get()](Database &db) {
            db.setAgentCache(cache);
            return true;
        });
        refreshAgents();
        if (m_agentRefresh)
            m_agentRefresh->start();
        m_queueThread.start();
        m_orchestratorThread.start();
        QMetaObject::invokeMethod(
            m_queue, [q = m_queue] { q->open(Queue::Events); }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(m_orchestrator, &Orchestrator::start, Qt::QueuedConnection);
        if (m_sweep)
            m_sweep->start();
        m_search->start();
        startMoney();
        m_started = true;
        return migrated;
    });
}

void Engine::stop()
{
    if (m_sweep)
        m_sweep->stop();
    if (m_agentRefresh)
        m_agentRefresh->stop();
    if (m_search)
        m_search->stop();
    if (m_review)
        m_review->stop();
    stopResources();
    if (m_orchestratorThread.isRunning()) {
        QMetaObject::invokeMethod(
            m_orchestrator, &Orchestrator::stop, Qt::BlockingQueuedConnection);
        m_orchestratorThread.quit();
        m_orchestratorThread.wait();
    }
    if (m_queueThread.isRunning()) {
        QMetaObject::invokeMethod(
            m_queue, [q = m_queue] { q->close(); }, Qt::BlockingQueuedConnection);
        m_queueThread.quit();
        m_queueThread.wait();
    }
    if (!m_started) {
        // Never moved into running threads: delete them here.
        delete m_orchestrator;
        delete m_queue;
        m_started = true;
    }
    m_orchestrator = nullptr;
    m_queue = nullptr;
    if (m_store)
        m_store->stop();
    m_agentCache->reset(); // nothing kept current any more: readers go to PostgreSQL (and fail)
}

void Engine::refreshAgents()
{
    if (!m_store)
        return;
    m_store->run([cache = m_agentCache.get()](Database &db) {
        auto table = db.agentsAsOfSeq();
        if (table)
            cache->load(table->first, table->second);
        return table.has_value();
    });
}

std::optional<QByteArray> Engine::agentsJson(std::optional<Agent::Status> status) const
{
    return m_agentCache->listJson(status);
}

std::optional<QByteArray> Engine::agentJson(const QString &id) const
{
    return m_agentCache->agentJson(id);
}

QFuture<Result<QList<SearchHit>>> Engine::search(const QString &query, Search::Kind kind, int limit)
{
    return m_search->search(query, kind, limit);
}

QFuture<Result<LogText>> Engine::logText(qint64 id)
{
    return m_search->logText(id);
}

QFuture<Result<int>> Engine::copyLogsNow()
{
    return m_search->copyLogsNow();
}

bool Engine::semanticSearchEnabled() const
{
    return m_search->semanticEnabled();
}

QFuture<Result<Agent>> Engine::spawn(const SpawnRequest &request)
{
    return m_orchestrator->spawn(request);
}

QFuture<Result<>> Engine::kill(const QString &agentId)
{
    return m_orchestrator->kill(agentId);
}

QFuture<Result<QList<Agent>>> Engine::agents(std::optional<Agent::Status> status)
{
    return m_store->run([status, board = m_usage](Database &db) {
        auto r = db.agents(status);
        if (r)
            fillUsage(*r, *board);
        return r;
    });
}

QFuture<Result<Agent>> Engine::agent(const QString &id)
{
    return m_store->run([id, board = m_usage](Database &db) -> Result<Agent> {
        auto r = db.agent(id);
        if (!r)
            return r;
        QList<Agent> one{*r};
        fillUsage(one, *board);
        return one.first();
    });
}

void Engine::publish(const Change &change)
{
    // Published from the store's thread in commit order.
    QMetaObject::invokeMethod(
        m_queue, [q = m_queue, change] { q->apply(change); }, Qt::QueuedConnection);
}

QFuture<Result<Task>> Engine::taskChange(std::function<Result<Change>(Database &)> change)
{
    return m_store->run([this, change](Database &db) -> Result<Task> {
        auto c = change(db);
        if (!c)
            return std::unexpected(c.error());
        publish(*c);
        if (!c->task)
            return std::unexpected(Error::internal(u"the change named no task"_s));
        return *c->task;
    });
}

// Group commit: tasks created while the store's thread is busy (with the previous commit) wait
// and go into the next transaction together; each future is fulfilled once its row is committed.
QFuture<Result<Task>> Engine::createTask(const Task &task)
{
    auto promise = std::make_shared<QPromise<Result<Task>>>();
    promise->start();
    QFuture<Result<Task>> future = promise->future();
    if (m_pendingTasks.add(PendingTask{task, promise}))
        scheduleTasks();
    return future;
}

void Engine::scheduleTasks()
{
    m_store->run([this](Database &db) {
        createPendingTasks(db);
        return true;
    });
}

void Engine::createPendingTasks(Database &db)
{
    const auto [batch, more] = m_pendingTasks.take(m_options.maxTasksPerCommit);
    if (more)
        scheduleTasks();
    if (batch.isEmpty())
        return;
    QList<Task> tasks;
    tasks.reserve(batch.size());
    for (const PendingTask &p : std::as_const(batch))
        tasks << p.task;
    const QList<Result<Change>> results = db.createTasks(tasks);
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const Result<Change> &c = results.at(i);
        Result<Task> answer = std::unexpected(Error::internal(u"the change named no task"_s));
        if (!c) {
            answer = std::unexpected(c.error());
        } else {
            publish(*c);
            if (c->task)
                answer = *c->task;
        }
        batch[i].promise->addResult(std::move(answer));
        batch[i].promise->finish();
    }
}

QFuture<Result<Task>> Engine::cancelTask(const QString &id)
{
    return taskChange([id](Database &db) { return db.cancelTask(id); });
}

QFuture<Result<Task>> Engine::retryTask(const QString &id)
{
    return taskChange([id](Database &db) { return db.retryTask(id); });
}

QFuture<Result<QList<Task>>> Engine::tasks(const TaskFilter &filter)
{
    return m_store->run([filter](Database &db) { return db.tasks(filter); });
}

QFuture<Result<Task>> Engine::task(const QString &id)
{
    return m_store->run([id](Database &db) { return db.task(id); });
}

QFuture<Result<QList<Event>>> Engine::events(qint64 since, int limit)
{
    return m_store->run(
        [since, limit = qBound(1, limit, 1000)](Database &db) { return db.events(since, limit); });
}

QFuture<Result<qint64>> Engine::lastEventSeq()
{
    return m_store->run([](Database &db) { return db.lastEventSeq(); });
}

QFuture<Result<QString>> Engine::output(const QString &agentId, int lines)
{
    return m_orchestrator->output(agentId, lines);
}

QFuture<Result<InputAck>> Engine::input(const QString &agentId, const InputRequest &request)
{
    return m_orchestrator->input(agentId, request);
}

QFuture<Result<>> Engine::hook(const QString &agentId, const QJsonObject &payload)
{
    return m_orchestrator->hook(agentId, payload);
}

QFuture<Result<Agent>> Engine::restart(const QString &agentId)
{
    return m_orchestrator->restart(agentId);
}

// Group commit, as for created tasks: the changes runners ask for while the store's thread is
// busy wait and share the next COMMIT (one fsync instead of one each); each in a savepoint, so
// that one refused is undone alone. Each answer only after that COMMIT.
QFuture<Result<Change>> Engine::runnerChange(std::function<Result<Change>(Database &)> change)
{
    auto promise = std::make_shared<QPromise<Result<Change>>>();
    promise->start();
    QFuture<Result<Change>> future = promise->future();
    if (m_pendingChanges.add(PendingChange{std::move(change), promise}))
        scheduleChanges();
    return future;
}

void Engine::scheduleChanges()
{
    m_store->run([this](Database &db) {
        applyPendingChanges(db);
        return true;
    });
}

void Engine::applyPendingChanges(Database &db)
{
    const auto [batch, more] = m_pendingChanges.take(m_options.maxChangesPerCommit);
    if (more)
        scheduleChanges();
    if (batch.isEmpty())
        return;
    auto unreachable = [&db](Error e) {
        if (e.kind == Error::Kind::Unavailable && !db.isOpen())
            e.code = u"postgres_unreachable"_s;
        return e;
    };
    QList<Result<Change>> results;
    results.reserve(batch.size());
    Result<> committed;
    if (batch.size() == 1) {
        results << batch.first().change(db);
    } else {
        // Optimistic: no savepoint per change (two round trips each). When one is refused, all
        // of them are undone and each is made again in a transaction of its own, so that only the
        // refused one fails.
        committed = db.inOneCommit([&]() -> Result<> {
            for (const PendingChange &p : std::as_const(batch)) {
                results << p.change(db);
                if (!results.last())
                    return failure(results.last().error());
            }
            return {};
        });
        if (!committed && db.isOpen()) {
            results.clear();
            committed = {};
            for (const PendingChange &p : std::as_const(batch))
                results << p.change(db);
        } else if (committed) {
            for (Result<Change> &c : results)
                if (c)
                    db.settle(*c);
        }
    }
    for (qsizetype i = 0; i < batch.size(); ++i) {
        Result<Change> answer = failure(u"not applied"_s);
        if (!committed)
            answer = failure(unreachable(committed.error()));
        else if (i >= results.size())
            answer = failure(unreachable(Error::unavailable(u"PostgreSQL unreachable"_s)));
        else if (!results[i])
            answer = failure(unreachable(results[i].error()));
        else
            answer = results[i];
        if (answer)
            publish(*answer); // in commit order
        batch[i].promise->addResult(std::move(answer));
        batch[i].promise->finish();
    }
}

QFuture<Result<Engine::RunnerBeat>> Engine::runnerHeartbeat(const QString &agentId,
                                                            const QString &taskId)
{
    return m_store->run([agentId, taskId](Database &db) -> Result<RunnerBeat> {
        (void)db.touchHeartbeat(agentId);
        auto agent = db.agent(agentId);
        if (!agent) {
            Error e = agent.error();
            if (e.kind == Error::Kind::Unavailable && !db.isOpen())
                e.code = u"postgres_unreachable"_s;
            return std::unexpected(e);
        }
        RunnerBeat beat{*agent, std::nullopt};
        if (!taskId.isEmpty())
            if (auto t = db.task(taskId))
                beat.task = *t;
        return beat;
    });
}

QFuture<Result<std::optional<DispatchHold>>> Engine::runnerHold(const QString &agentId)
{
    return m_store->run([agentId](Database &db) -> Result<std::optional<DispatchHold>> {
        auto h = db.dispatchHold(agentId);
        if (!h && h.error().kind == Error::Kind::Unavailable && !db.isOpen())
            h.error().code = u"postgres_unreachable"_s;
        return h;
    });
}

QFuture<Result<Agent>> Engine::setPaused(const QString &agentId, bool paused)
{
    return m_orchestrator->setPaused(agentId, paused);
}

QFuture<Result<Agent>> Engine::stopAgent(const QString &agentId)
{
    return m_orchestrator->stopAgent(agentId);
}

QFuture<Result<Agent>> Engine::startAgent(const QString &agentId)
{
    return m_orchestrator->startAgent(agentId);
}

void Engine::setIdleStopMs(int ms)
{
    m_orchestrator->setIdleStopMs(ms);
}

QFuture<Result<Team>> Engine::spawnTeam(const TeamRequest &request)
{
    return m_orchestrator->spawnTeam(request);
}

QFuture<Result<Team>> Engine::stopTeam(const QString &teamId)
{
    return m_orchestrator->stopTeam(teamId);
}

QFuture<Result<QList<Team>>> Engine::teams()
{
    return m_store->run([](Database &db) -> Result<QList<Team>> {
        auto agents = db.agents();
        if (!agents)
            return failure(agents.error());
        return Teams::group(*agents);
    });
}

QFuture<Result<Team>> Engine::team(const QString &teamId)
{
    return m_store->run([teamId](Database &db) -> Result<Team> {
        auto agents = db.teamAgents(teamId);
        if (!agents)
            return failure(agents.error());
        return Teams::group(*agents).value(0);
    });
}

QList<TeamTemplate> Engine::teamTemplates() const
{
    return Teams::all(m_options.dataDir);
}

QFuture<Engine::Health> Engine::health()
{
    return postgresReachable()
        .then(this,
              [this](bool pg) {
                  return m_orchestrator->tmuxAvailable().then(
                      this, [this, pg](bool tmux) { return Health{pg, redisConnected(), tmux}; });
              })
        .unwrap();
}

QFuture<bool> Engine::postgresReachable()
{
    return m_store->run([](Database &db) { return db.ping().has_value(); });
}

} // namespace Hive
