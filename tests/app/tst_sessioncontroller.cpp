// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/agentactions.h"
#include "app/sessioncontroller.h"
#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// SessionController and AgentActions without a window, against the real engine (PostgreSQL,
// Redis, tmux, hive-runner running the fake agent CLI): the models show what the engine did,
// also when events come while the first load is on its way, when Redis was away (the missed
// events read from PostgreSQL, not everything loaded again), when an event never came through
// Redis, and when no event came at all.
class tst_SessionController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void loadShowsWhatIsThere();
    void eventsDuringTheLoadAreNotLost();
    void eventsRacingTheLoad();
    void laterEventWinsOverRefetch();
    void adoptKeepsWhatEventsSaid();
    void followsSpawnQueueKill();
    void catchesUpWhenRedisComesBack();
    void gapsAreFilledFromTheStore();
    void wholeTaskReplacesTheSummary();
    void olderTasksComePageByPage();
    void reconcileFindsWhatNoEventSaid();
    void actionsSpawnRestartKill();
    void actionErrorsAreReported();

private:
    template<typename T>
    T wait(QFuture<T> f, int ms = 30000)
    {
        return Test::await(std::move(f), ms);
    }
    void writeProfile(const QString &name, const QStringList &command);
    Agent spawnWorker(const QString &type, const QString &name = {});
    Task createTask(const QString &prompt, const QString &type);
    bool waitLoaded();
    // The agent or task as the engine has it now.
    Agent engineAgent(const QString &id) { return *wait(m_engine->agent(id)); }
    Task engineTask(const QString &id) { return *wait(m_engine->task(id)); }

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api; // hive-runner reaches the app through its api.sock
    std::unique_ptr<SessionController> m_sessions;
    QList<Event> m_events; // everything the engine published, in order
    // Another connection, as a hive-runner's: what it writes is never published here.
    Database m_probe;
};

void tst_SessionController::writeProfile(const QString &name, const QStringList &command)
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/%1.json"_s.arg(name)));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{u"name"_s, name},
                                      {u"command"_s, QJsonArray::fromStringList(command)},
                                      {u"interactive"_s, false}})
                .toJson());
}

void tst_SessionController::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s});
    Engine::Options o = m_fx->engineOptions();
    m_engine = std::make_unique<Engine>(o);
    connect(
        m_engine.get(), &Engine::eventReceived, this, [this](const Event &e) { m_events << e; });
    QVERIFY_OK(wait(m_engine->start()));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
    ApiServer::Options ao;
    ao.port = 0;
    ao.dataDir = m_fx->dir();
    m_api = std::make_unique<ApiServer>(ao, m_engine.get());
    QVERIFY_OK(wait(m_api->start()));
    QVERIFY_OK(m_probe.open(m_fx->databaseUrl(), u"probe"_s));
}

void tst_SessionController::cleanupTestCase()
{
    m_probe.close();
    m_sessions.reset();
    m_api.reset();
    m_engine.reset();
    m_fx.reset();
}

void tst_SessionController::init()
{
    m_sessions = std::make_unique<SessionController>();
}

void tst_SessionController::cleanup()
{
    m_sessions.reset();
}

bool tst_SessionController::waitLoaded()
{
    QSignalSpy loaded(m_sessions.get(), &SessionController::loaded);
    if (m_sessions->isLoaded())
        return true;
    return loaded.wait(30000) && m_sessions->isLoaded();
}

Agent tst_SessionController::spawnWorker(const QString &type, const QString &name)
{
    SpawnRequest r;
    r.type = type;
    r.name = name;
    r.profile = u"fake"_s;
    auto a = wait(m_engine->spawn(r));
    if (!a) {
        qWarning() << a.error().message;
        return {};
    }
    QDeadlineTimer d(30000);
    while (!d.hasExpired() && engineAgent(a->id).status != Agent::Status::Idle)
        QTest::qWait(50);
    return engineAgent(a->id);
}

Task tst_SessionController::createTask(const QString &prompt, const QString &type)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt.left(30);
    t.agentType = type;
    t.maxAttempts = 1;
    auto r = wait(m_engine->createTask(t));
    if (!r)
        qWarning() << r.error().message;
    return r ? *r : t;
}

void tst_SessionController::loadShowsWhatIsThere()
{
    const Agent a = spawnWorker(u"load"_s);
    QCOMPARE(a.status, Agent::Status::Idle);
    const Task t = createTask(u"nobody serves this"_s, u"load-none"_s);

    QSignalSpy finished(m_sessions.get(), &SessionController::loadFinished);
    m_sessions->start(m_engine.get());
    QVERIFY(m_sessions->isLoading());
    QVERIFY(waitLoaded());
    QCOMPARE(finished.size(), 1);
    AgentModel *agents = m_sessions->agentModel();
    TaskModel *tasks = m_sessions->taskModel();
    QVERIFY(agents->agent(a.id));
    QCOMPARE(agents->agent(a.id)->status, Agent::Status::Idle);
    QCOMPARE(agents->agent(a.id)->name, a.name);
    QVERIFY(tasks->task(t.id));
    QCOMPARE(tasks->task(t.id)->status, Task::Status::Queued);
    QVERIFY(m_sessions->knownTypes().contains(u"load"_s));
    QVERIFY(m_sessions->knownTypes().contains(u"load-none"_s));
    QVERIFY(m_sessions->takenNames().contains(a.name));
}

// Events that the engine delivers while the load's answers are on their way: about objects the
// load has, they may be older than the load (here they are: replayed from earlier), so the
// objects are asked for again; about objects the load does not have, they are applied.
void tst_SessionController::eventsDuringTheLoadAreNotLost()
{
    const qsizetype before = m_events.size();
    const Agent a = spawnWorker(u"during"_s);
    const Task done = createTask(u"quick lines=1"_s, u"during"_s);
    QDeadlineTimer d(30000);
    while (!d.hasExpired() && engineTask(done.id).status != Task::Status::Succeeded)
        QTest::qWait(50);
    QCOMPARE(engineTask(done.id).status, Task::Status::Succeeded);
    QTRY_COMPARE_WITH_TIMEOUT(engineAgent(a.id).status, Agent::Status::Idle, 10000);
    const Task cancelled = createTask(u"nobody serves this"_s, u"during-none"_s);
    QVERIFY_OK(wait(m_engine->cancelTask(cancelled.id)));
    // The events all came (to this test); their older ones say busy, running, queued.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (qsizetype i = before; i < m_events.size(); ++i)
                if (m_events.at(i).task && m_events.at(i).task->id == cancelled.id
                    && m_events.at(i).task->status == Task::Status::Cancelled)
                    return true;
            return false;
        }(),
        10000);
    std::optional<Event> agentBusy, taskRunning, taskQueued;
    for (qsizetype i = before; i < m_events.size(); ++i) {
        const Event &e = m_events.at(i);
        if (e.agent && e.agent->id == a.id && e.agent->status == Agent::Status::Busy && !agentBusy)
            agentBusy = e;
        if (e.task && e.task->id == done.id && e.task->status == Task::Status::Running
            && !taskRunning)
            taskRunning = e;
        if (e.task && e.task->id == cancelled.id && e.task->status == Task::Status::Queued
            && !taskQueued)
            taskQueued = e;
    }
    QVERIFY(agentBusy);
    QVERIFY(taskRunning);
    QVERIFY(taskQueued);
    m_sessions->start(m_engine.get());
    QVERIFY(m_sessions->isLoading());
    // Delivered now, before the load's answers can be: the GUI thread has not run since start().
    // They are older than the load (their seq is not after the newest event as it began).
    Q_EMIT m_engine->eventReceived(*agentBusy);
    Q_EMIT m_engine->eventReceived(*taskRunning);
    Q_EMIT m_engine->eventReceived(*taskQueued);
    // A task written by another connection while the load runs, announced as Redis would: the
    // load has it, or its event comes after the load's start.
    Task later;
    later.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    later.title = u"announced during the load"_s;
    later.prompt = later.title;
    later.agentType = u"during-none"_s;
    const Result<Change> made = m_probe.createTask(later);
    QVERIFY_OK(made);
    Q_EMIT m_engine->eventReceived(made->events.first());
    QVERIFY(waitLoaded());

    AgentModel *agents = m_sessions->agentModel();
    TaskModel *tasks = m_sessions->taskModel();
    QVERIFY(tasks->task(later.id));
    QCOMPARE(tasks->task(later.id)->status, Task::Status::Queued);
    // The others end as the engine has them, not as the old events said.
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(a.id)->status, Agent::Status::Idle, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(done.id)->status, Task::Status::Succeeded, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(cancelled.id)->status, Task::Status::Cancelled, 10000);
    // And they stay so (the answers to the second questions are in).
    QTest::qWait(500);
    QCOMPARE(agents->agent(a.id)->status, Agent::Status::Idle);
    QCOMPARE(tasks->task(done.id)->status, Task::Status::Succeeded);
    QCOMPARE(tasks->task(cancelled.id)->status, Task::Status::Cancelled);
}

// Real work started together with the load: whatever the order in which answers and events come,
// the models end where the engine is.
void tst_SessionController::eventsRacingTheLoad()
{
    const Agent a = spawnWorker(u"race"_s);
    m_sessions->start(m_engine.get());
    QList<QFuture<Result<Task>>> created;
    for (int i = 0; i < 5; ++i) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.prompt = u"race %1 lines=1"_s.arg(i);
        t.agentType = u"race"_s;
        created << m_engine->createTask(t);
    }
    QVERIFY(waitLoaded());
    QStringList ids;
    for (const auto &f : created) {
        const Result<Task> t = wait(f);
        QVERIFY_OK(t);
        ids << t->id;
    }
    TaskModel *tasks = m_sessions->taskModel();
    for (const QString &id : std::as_const(ids))
        QTRY_VERIFY_WITH_TIMEOUT(
            tasks->task(id) && tasks->task(id)->status == Task::Status::Succeeded, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_sessions->agentModel()->agent(a.id)->status, Agent::Status::Idle, 10000);
}

// A reload had the agent and an event about it came meanwhile, so it is asked for again; an event
// that comes before that answer is newer than the answer, which is then left out. (The events here
// are made up, with seqs far beyond the store's: the sequencer looks for the gap before them in
// PostgreSQL, finds nothing and lets them through in order.)
void tst_SessionController::laterEventWinsOverRefetch()
{
    const Agent a = spawnWorker(u"later"_s);
    QCOMPARE(a.status, Agent::Status::Idle);
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    const qint64 far = m_sessions->lastEventSeq() + 1000000;
    Event stale = Event::forAgent(u"agent.status"_s, a);
    stale.agent->status = Agent::Status::Starting;
    stale.seq = far;
    Event newer = Event::forAgent(u"agent.status"_s, a);
    newer.agent->status = Agent::Status::WaitingInput; // not what the engine has: only the event
    newer.seq = far + 1;
    // Right after the load, before the engine can answer the second question.
    connect(m_sessions.get(), &SessionController::loadFinished, this, [&] {
        Q_EMIT m_engine->eventReceived(newer);
    });
    QSignalSpy finished(m_sessions.get(), &SessionController::loadFinished);
    m_sessions->reload();
    Q_EMIT m_engine->eventReceived(stale);
    QVERIFY(finished.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions->lastEventSeq(), far + 1, 10000);
    QCOMPARE(m_sessions->agentModel()->agent(a.id)->status, Agent::Status::WaitingInput);
    QTest::qWait(1000); // the answer to the second question came and went
    QCOMPARE(m_sessions->agentModel()->agent(a.id)->status, Agent::Status::WaitingInput);
}

// What an action's answer says goes into the model when no event said it, never over an event.
void tst_SessionController::adoptKeepsWhatEventsSaid()
{
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = u"adopted"_s;
    a.type = u"dev"_s;
    a.status = Agent::Status::Starting;
    QCOMPARE(m_sessions->adopt(a).status, Agent::Status::Starting);
    QVERIFY(m_sessions->agentModel()->agent(a.id));
    Agent older = a;
    older.status = Agent::Status::Lost;
    m_sessions->agentModel()->upsert([&] {
        Agent busy = a;
        busy.status = Agent::Status::Busy;
        return busy;
    }());
    QCOMPARE(m_sessions->adopt(older).status, Agent::Status::Busy);
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"adopted"_s;
    m_sessions->adopt(t);
    QVERIFY(m_sessions->taskModel()->task(t.id));
}

void tst_SessionController::followsSpawnQueueKill()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    AgentModel *agents = m_sessions->agentModel();
    TaskModel *tasks = m_sessions->taskModel();
    QSignalSpy ended(m_sessions.get(), &SessionController::agentEnded);

    SpawnRequest r;
    r.type = u"follow"_s;
    r.name = u"follower"_s;
    r.profile = u"fake"_s;
    const Result<Agent> a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QTRY_VERIFY_WITH_TIMEOUT(agents->agent(a->id), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(a->id)->status, Agent::Status::Idle, 30000);
    QCOMPARE(agents->agent(a->id)->name, u"follower"_s);

    const Task t = createTask(u"follow me sleep=1"_s, u"follow"_s);
    QTRY_VERIFY_WITH_TIMEOUT(tasks->task(t.id), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(t.id)->status, Task::Status::Running, 20000);
    QCOMPARE(tasks->task(t.id)->agentId, a->id);
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(a->id)->status, Agent::Status::Busy, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(t.id)->status, Task::Status::Succeeded, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(a->id)->status, Agent::Status::Idle, 10000);

    QVERIFY_OK(wait(m_engine->kill(a->id)));
    QTRY_COMPARE_WITH_TIMEOUT(agents->rowOf(a->id), -1, 10000);
    QVERIFY(!ended.isEmpty());
    QCOMPARE(ended.last().at(0).value<Agent>().id, a->id);
}

// Events published while Redis is away never come through it: once it is back, they are read from
// PostgreSQL after the last seq applied, and nothing is loaded again.
void tst_SessionController::catchesUpWhenRedisComesBack()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    const Task seen = createTask(u"made while redis was up"_s, u"redis-none"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_sessions->taskModel()->task(seen.id), 10000);
    QSignalSpy finished(m_sessions.get(), &SessionController::loadFinished);
    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->redisConnected(), 10000);
    const Task unseen = createTask(u"made while redis was down"_s, u"redis-none"_s);
    QVERIFY_OK(wait(m_engine->cancelTask(seen.id)));
    QTest::qWait(300);
    QVERIFY(!m_sessions->taskModel()->task(unseen.id));
    QCOMPARE(m_sessions->taskModel()->task(seen.id)->status, Task::Status::Queued);
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(m_sessions->taskModel()->task(unseen.id), 10000);
    QCOMPARE(m_sessions->taskModel()->task(unseen.id)->status, Task::Status::Queued);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_sessions->taskModel()->task(seen.id)->status, Task::Status::Cancelled, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions->lastEventSeq(), *m_probe.lastEventSeq(), 10000);
    QVERIFY(finished.isEmpty()); // replayed, not reloaded
}

// An event that another connection committed and whose publication never came: the next event's
// seq shows the gap, which is read from PostgreSQL before the next event is applied.
void tst_SessionController::gapsAreFilledFromTheStore()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    Task quiet;
    quiet.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    quiet.prompt = u"written by another connection"_s;
    quiet.agentType = u"gap-none"_s;
    QVERIFY_OK(m_probe.createTask(quiet));
    const Task loud = createTask(u"published"_s, u"gap-none"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_sessions->taskModel()->task(loud.id), 10000);
    QVERIFY(m_sessions->taskModel()->task(quiet.id));
    QCOMPARE(m_sessions->taskModel()->task(quiet.id)->status, Task::Status::Queued);
}

// Events carry summaries (the prompt's start); the whole task is asked for when a view needs it,
// and goes into the model unless an event moved the task on meanwhile.
void tst_SessionController::wholeTaskReplacesTheSummary()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    TaskModel *tasks = m_sessions->taskModel();
    QString prompt = u"a long prompt\n"_s;
    while (prompt.size() < 100000)
        prompt += u"more of it "_s;
    const Task t = createTask(prompt, u"whole-none"_s);
    QTRY_VERIFY_WITH_TIMEOUT(tasks->task(t.id) && tasks->task(t.id)->summary, 10000);
    QCOMPARE(tasks->task(t.id)->prompt, prompt.left(Task::kPreviewChars));
    QCOMPARE(tasks->task(t.id)->promptBytes, qint64(prompt.toUtf8().size()));
    QCOMPARE(TaskModel::displayTitle(*tasks->task(t.id)), t.title);
    m_sessions->fetchWholeTask(t.id);
    QTRY_VERIFY_WITH_TIMEOUT(!tasks->task(t.id)->summary, 10000);
    QCOMPARE(tasks->task(t.id)->prompt, prompt);
    // The next event brings a summary again.
    QVERIFY_OK(wait(m_engine->cancelTask(t.id)));
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(t.id)->status, Task::Status::Cancelled, 10000);
    QVERIFY(tasks->task(t.id)->summary);
    // An answer about another state than the one shown is left out.
    Task moved = *tasks->task(t.id);
    moved.status = Task::Status::Running;
    m_sessions->fetchWholeTask(t.id);
    tasks->upsert(moved); // an event that came before the answer
    QTest::qWait(500);    // the answer came and went
    QVERIFY(tasks->task(t.id)->summary);
    QCOMPARE(tasks->task(t.id)->status, Task::Status::Running);
}

// Months of history: the load holds one page of the most recent tasks (summaries: no whole output)
// and every unfinished task however old; older pages come when a view asks for more (the task
// board scrolled to its end: TaskModel::fetchOlder), until the oldest task is there, each once.
void tst_SessionController::olderTasksComePageByPage()
{
    // 35 finished tasks with 50 KB outputs, older than anything else here, and an old queued one.
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    QVERIFY2(q.exec(u"INSERT INTO tasks (id, title, prompt, agent_type, status, created_at, "
                    "started_at, finished_at, exit_code, output, duration_ms) "
                    "SELECT gen_random_uuid(), 'history ' || i, 'old prompt ' || i, 'hist-none', "
                    "'succeeded', timestamptz '2020-01-01' + i * interval '1 minute', "
                    "timestamptz '2020-01-01' + i * interval '1 minute', "
                    "timestamptz '2020-01-01' + i * interval '1 minute', 0, "
                    "repeat('x ', 25000) || 'end ' || i, 10 FROM generate_series(1, 35) AS i"_s),
             qPrintable(q.lastError().text()));
    QVERIFY2(q.exec(u"INSERT INTO tasks (id, title, prompt, agent_type, status, created_at) "
                    "VALUES (gen_random_uuid(), 'old queued', 'waits', 'hist-none', 'queued', "
                    "timestamptz '2019-06-01')"_s),
             qPrintable(q.lastError().text()));
    QHash<QString, QString> byTitle;
    QVERIFY(q.exec(u"SELECT id::text, title FROM tasks WHERE agent_type = 'hist-none'"_s));
    while (q.next())
        byTitle.insert(q.value(1).toString(), q.value(0).toString());
    QCOMPARE(byTitle.size(), 36);
    QVERIFY(q.exec(u"SELECT count(*) FROM tasks"_s) && q.next());
    const int all = q.value(0).toInt();

    m_sessions->setPageSize(10);
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    TaskModel *tasks = m_sessions->taskModel();
    // One page and the unfinished ones, not the whole history.
    QVERIFY2(tasks->rowCount() < all, qPrintable(u"%1 of %2"_s.arg(tasks->rowCount()).arg(all)));
    QVERIFY(!tasks->task(byTitle.value(u"history 1"_s)));
    QVERIFY(tasks->task(byTitle.value(u"old queued"_s)));
    QVERIFY(tasks->hasMore());

    // As the board does when it is scrolled to its end.
    QDeadlineTimer deadline(30000);
    while (tasks->hasMore() && !deadline.hasExpired()) {
        tasks->fetchOlder(); // nothing while a page is on its way
        QTest::qWait(20);
    }
    QVERIFY(!tasks->hasMore()); // a short page: the oldest is here
    QVERIFY(tasks->task(byTitle.value(u"history 1"_s)));
    QCOMPARE(tasks->rowCount(), all);
    QSet<QString> seen;
    for (const Task &t : tasks->tasks())
        seen.insert(t.id);
    QCOMPARE(int(seen.size()), all);

    // Summaries, as events carry them: the output's end and its size, never the 50 KB.
    const Task old = *tasks->task(byTitle.value(u"history 7"_s));
    QVERIFY(old.summary);
    QVERIFY(old.result);
    QCOMPARE(old.result->outputBytes, qint64(50000 + 5)); // "x x … x end 7"
    QCOMPARE(old.result->output.size(), Task::kPreviewChars);
    QVERIFY(old.result->output.endsWith(u"x end 7"_s));
    QCOMPARE(old.prompt, u"old prompt 7"_s);
    QCOMPARE(old.promptBytes, qint64(12));
    // The same summary as the whole task's.
    QCOMPARE(old.toJson(), engineTask(old.id).toSummary().toJson());
}

// An agent no event told of (here the events are cut off) shows up by the periodic reconcile.
void tst_SessionController::reconcileFindsWhatNoEventSaid()
{
    m_sessions->setReconcileInterval(300);
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    disconnect(m_engine.get(), &Engine::eventReceived, m_sessions.get(), nullptr);
    const Agent a = spawnWorker(u"quiet"_s);
    QCOMPARE(a.status, Agent::Status::Idle);
    QTRY_VERIFY_WITH_TIMEOUT(m_sessions->agentModel()->agent(a.id), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_sessions->agentModel()->agent(a.id)->status, Agent::Status::Idle, 5000);
}

void tst_SessionController::actionsSpawnRestartKill()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    AgentActions actions(m_sessions.get());
    QSignalSpy spawned(&actions, &AgentActions::spawned);
    QSignalSpy restarted(&actions, &AgentActions::restarted);
    QSignalSpy killed(&actions, &AgentActions::killed);
    QSignalSpy errors(&actions, &AgentActions::errorOccurred);
    AgentModel *agents = m_sessions->agentModel();

    SpawnDialog::Request request;
    request.type = u"act"_s;
    request.name = u"actor"_s;
    request.profile = u"fake"_s;
    request.count = 2;
    actions.spawn(request, true);
    QTRY_COMPARE_WITH_TIMEOUT(spawned.size(), 2, 30000);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().at(1).toString()));
    QVERIFY(spawned.first().at(1).toBool());
    QStringList names;
    for (const auto &s : spawned) {
        const Agent a = s.at(0).value<Agent>();
        QVERIFY(agents->agent(a.id)); // in the model at once, event or not
        names << a.name;
    }
    names.sort();
    QCOMPARE(names, (QStringList{u"actor-1"_s, u"actor-2"_s}));

    const Agent before = spawned.first().at(0).value<Agent>();
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(before.id)->status, Agent::Status::Idle, 30000);
    const Agent current = *agents->agent(before.id);
    actions.restart({current});
    QVERIFY(actions.isRestarting(current.name));
    QTRY_COMPARE_WITH_TIMEOUT(restarted.size(), 1, 30000);
    QVERIFY(!actions.isRestarting(current.name));
    QCOMPARE(restarted.first().at(0).toString(), current.id);
    const Agent after = restarted.first().at(1).value<Agent>();
    QVERIFY(after.id != current.id);
    QCOMPARE(after.name, current.name);
    QCOMPARE(after.workdir, current.workdir);
    QTRY_COMPARE_WITH_TIMEOUT(agents->rowOf(current.id), -1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(agents->agent(after.id)->status, Agent::Status::Idle, 30000);
    QVERIFY(killed.isEmpty());

    actions.kill({*agents->agent(after.id)});
    QTRY_COMPARE_WITH_TIMEOUT(killed.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(agents->rowOf(after.id), -1, 10000);
    QVERIFY(errors.isEmpty());
}

void tst_SessionController::actionErrorsAreReported()
{
    m_sessions->start(m_engine.get());
    QVERIFY(waitLoaded());
    AgentActions actions(m_sessions.get());
    QSignalSpy errors(&actions, &AgentActions::errorOccurred);
    QSignalSpy queued(&actions, &AgentActions::queued);
    actions.cancel({QUuid::createUuid().toString(QUuid::WithoutBraces)});
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 10000);
    QCOMPARE(errors.first().at(0).toString(), u"Cannot Cancel the Task"_s);

    SpawnDialog::Request bad;
    bad.type = u"act"_s;
    bad.name = u"bad name"_s;
    bad.profile = u"fake"_s;
    actions.spawn(bad, false);
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 2, 10000);
    QCOMPARE(errors.at(1).at(0).toString(), u"Cannot Spawn bad name"_s);

    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"queued by the actions"_s;
    t.agentType = u"act-none"_s;
    actions.queue(t);
    QTRY_COMPARE_WITH_TIMEOUT(queued.size(), 1, 10000);
    QVERIFY(m_sessions->taskModel()->task(t.id)); // in the model at once, event or not
    actions.retry({t.id});                        // queued, not failed: the engine refuses
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 3, 10000);
    QCOMPARE(errors.at(2).at(0).toString(), u"Cannot Retry the Task"_s);
}

QTEST_GUILESS_MAIN(tst_SessionController)
#include "tst_sessioncontroller.moc"
