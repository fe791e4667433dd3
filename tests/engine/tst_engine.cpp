// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "services/core/process.h"
#include "services/queue/queue.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// The whole engine against real PostgreSQL, Redis and tmux, with hive-runner running the fake
// agent CLI in real tmux sessions: tasks in, results out, priorities, dependencies, cancel, and
// nothing lost when runners, the app, Redis or PostgreSQL go away.
class tst_Engine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void taskRunsAndEventsArePublished();
    void streamJsonCost();
    void prioritiesAreHonoured();
    void dependenciesAreHonoured();
    void cancelStopsARunningTask();
    void commandThatCannotStartFails();
    void textArrivesByteForByteAndRunsNothing();
    void badNamesAreRefused_data();
    void badNamesAreRefused();
    void killedRunnerTaskRunsAgainExactlyOnce();
    void appRestartAdoptsAgentsAndKeepsTasks();
    void redisRestartIsSurvived();
    void redisDataLossIsRebuiltFromPostgres();
    void postgresOutageIsSurvived();
    void killAgentHandsTaskBack();
    void interactiveAgentWaitsForInput();
    void repositoryGivesAWorktree();

private:
    template<typename T>
    T wait(QFuture<T> f, int ms = 30000)
    {
        QDeadlineTimer d(ms);
        while (!f.isFinished() && !d.hasExpired())
            QTest::qWait(5);
        if (!f.isFinished())
            qFatal("future did not finish");
        return f.result();
    }
    void startEngine();
    Agent spawnWorker(const QString &type, const QString &profile = u"fake"_s, const QString &name = {});
    Task createTask(const QString &prompt, const QString &type, int priority = 0,
                    const QStringList &deps = {}, int maxAttempts = 3);
    Task waitTask(const QString &id, std::function<bool(const Task &)> until, int ms = 30000);
    Agent waitAgent(const QString &id, std::function<bool(const Agent &)> until, int ms = 30000);
    int runsWithOutcome(const QString &taskId, const QString &outcome);
    qint64 panePid(const QString &session);
    void writeProfile(const QString &name, const QStringList &command);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    QList<Event> m_events;
};

void tst_Engine::writeProfile(const QString &name, const QStringList &command)
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/%1.json"_s.arg(name)));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QJsonArray cmd = QJsonArray::fromStringList(command);
    f.write(QJsonDocument(QJsonObject{{u"name"_s, name}, {u"command"_s, cmd}, {u"interactive"_s, false}})
                .toJson());
}

void tst_Engine::startEngine()
{
    Engine::Options o;
    o.dataDir = m_fx->dir();
    o.tmuxSocket = m_fx->tmuxSocket();
    o.databaseUrl = m_fx->databaseUrl();
    o.redisUrl = m_fx->redisUrl();
    o.runnerPath = Test::HiveFixture::binDir() + u"/hive-runner"_s;
    o.reconcileMs = 300;
    o.heartbeatGraceMs = 4000;
    m_engine = std::make_unique<Engine>(o);
    connect(m_engine.get(), &Engine::eventReceived, this, [this](const Event &e) { m_events << e; });
    auto started = wait(m_engine->start());
    QVERIFY_OK(started);
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
}

void tst_Engine::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s});
    writeProfile(u"fake-json"_s, {Test::HiveFixture::fakeAgent(), u"--stream-json"_s, u"{prompt}"_s});
    writeProfile(u"missing"_s, {u"/nonexistent/agent-cli"_s, u"{prompt}"_s});
    startEngine();
}

void tst_Engine::init()
{
    // A test that failed half-way may have left the engine stopped.
    if (!m_engine)
        startEngine();
}

void tst_Engine::cleanupTestCase()
{
    m_engine.reset();
    m_fx.reset();
}

Agent tst_Engine::spawnWorker(const QString &type, const QString &profile, const QString &name)
{
    SpawnRequest r;
    r.type = type;
    r.profile = profile;
    r.name = name;
    auto a = wait(m_engine->spawn(r));
    if (!a)
        qWarning() << a.error().message;
    return a ? waitAgent(a->id, [](const Agent &x) { return x.status == Agent::Status::Idle; }) : Agent();
}

Task tst_Engine::createTask(const QString &prompt, const QString &type, int priority, const QStringList &deps,
                            int maxAttempts)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt.left(30);
    t.agentType = type;
    t.priority = priority;
    t.dependsOn = deps;
    t.maxAttempts = maxAttempts;
    auto r = wait(m_engine->createTask(t));
    if (!r)
        qWarning() << r.error().message;
    return r ? *r : t;
}

Task tst_Engine::waitTask(const QString &id, std::function<bool(const Task &)> until, int ms)
{
    QDeadlineTimer d(ms);
    Task last;
    while (!d.hasExpired()) {
        auto t = wait(m_engine->task(id));
        if (t) {
            last = *t;
            if (until(last))
                return last;
        }
        QTest::qWait(50);
    }
    qWarning() << "task" << id << "stayed" << Task::statusName(last.status) << last.error;
    return last;
}

Agent tst_Engine::waitAgent(const QString &id, std::function<bool(const Agent &)> until, int ms)
{
    QDeadlineTimer d(ms);
    Agent last;
    while (!d.hasExpired()) {
        auto a = wait(m_engine->agent(id));
        if (a) {
            last = *a;
            if (until(last))
                return last;
        }
        QTest::qWait(50);
    }
    qWarning() << "agent" << id << "stayed" << Agent::statusName(last.status);
    return last;
}

int tst_Engine::runsWithOutcome(const QString &taskId, const QString &outcome)
{
    Database db;
    if (!db.open(m_fx->databaseUrl(), u"probe"_s))
        return -1;
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    q.prepare(u"SELECT count(*) FROM task_runs WHERE task_id = ?::uuid AND outcome = ?"_s);
    q.addBindValue(taskId);
    q.addBindValue(outcome);
    q.exec();
    q.next();
    const int n = q.value(0).toInt();
    return n;
}

qint64 tst_Engine::panePid(const QString &session)
{
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, m_fx->tmuxSocket(), u"list-panes"_s, u"-t"_s, u"="_s + session + u":"_s, u"-F"_s,
                        u"#{pane_pid}"_s});
    p.waitForFinished(5000);
    return p.readAllStandardOutput().trimmed().toLongLong();
}

static bool finished(const Task &t)
{
    return t.isFinished();
}

void tst_Engine::taskRunsAndEventsArePublished()
{
    const Agent a = spawnWorker(u"dev"_s);
    QCOMPARE(a.status, Agent::Status::Idle);
    QVERIFY(QFile::exists(m_fx->path(u"workspace/%1"_s.arg(a.name))));
    m_events.clear();
    const Task t = createTask(u"hello world"_s, u"dev"_s);
    QCOMPARE(t.status, Task::Status::Queued);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result);
    QCOMPARE(done.result->exitCode, 0);
    QVERIFY2(done.result->output.contains(u"PROMPT:hello world"_s), qPrintable(done.result->output));
    QVERIFY(done.result->durationMs >= 0);
    QCOMPARE(done.agentId, a.id);
    QCOMPARE(done.attempts, 1);
    // The events, in order, with increasing sequence numbers.
    QStringList types;
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        types.clear();
        for (const Event &e : std::as_const(m_events))
            if (e.task && e.task->id == t.id)
                types << e.type;
        return types.contains(u"task.succeeded"_s);
    }(), 5000);
    QCOMPARE(types, (QStringList{u"task.created"_s, u"task.assigned"_s, u"task.started"_s, u"task.succeeded"_s}));
    qint64 seq = 0;
    for (const Event &e : std::as_const(m_events)) {
        if (e.task && e.task->id == t.id) {
            QVERIFY(e.seq > seq);
            seq = e.seq;
        }
    }
    // The pane's log file (pipe-pane) has the agent's output.
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        QFile log(m_fx->path(u"logs/%1.log"_s.arg(a.name)));
        return log.open(QIODevice::ReadOnly) && log.readAll().contains("PROMPT:hello world");
    }(), 5000);
}

void tst_Engine::streamJsonCost()
{
    const Agent a = spawnWorker(u"json"_s, u"fake-json"_s);
    const Task t = createTask(u"with cost=0.125"_s, u"json"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result && done.result->costUsd);
    QCOMPARE(*done.result->costUsd, 0.125);
    // Stored raw; shown readable on the agent's terminal (its pane log), not as JSON.
    QVERIFY(done.result->output.contains(u"\"type\":\"result\""_s));
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        QFile log(m_fx->path(u"logs/%1.log"_s.arg(a.name)));
        return log.open(QIODevice::ReadOnly) && log.readAll().contains("done, cost $0.1250");
    }(), 5000);
    QFile log(m_fx->path(u"logs/%1.log"_s.arg(a.name)));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(!log.readAll().contains("\"type\":\"result\""));
    // is_error in the result line fails the task even with exit code 0? Here: exit=4.
    const Task bad = createTask(u"exit=4 cost=0.5"_s, u"json"_s, 0, {}, 1);
    const Task failed = waitTask(bad.id, finished);
    QCOMPARE(failed.status, Task::Status::Failed);
    QCOMPARE(failed.result->exitCode, 4);
    QCOMPARE(*failed.result->costUsd, 0.5);
}

void tst_Engine::prioritiesAreHonoured()
{
    // Queue first, with no agent of that type, then let one agent take them one by one.
    QList<Task> tasks;
    const QList<int> priorities{1, 5, 9, 0, 5, 7};
    for (int i = 0; i < priorities.size(); ++i)
        tasks << createTask(u"prio %1 #%2"_s.arg(priorities[i]).arg(i), u"prio"_s, priorities[i]);
    spawnWorker(u"prio"_s);
    QList<Task> done;
    for (const Task &t : tasks)
        done << waitTask(t.id, finished);
    std::sort(done.begin(), done.end(), [](const Task &a, const Task &b) { return a.startedAt < b.startedAt; });
    QStringList order;
    for (const Task &t : done)
        order << t.title;
    QCOMPARE(order, (QStringList{u"prio 9 #2"_s, u"prio 7 #5"_s, u"prio 5 #1"_s, u"prio 5 #4"_s, u"prio 1 #0"_s,
                                 u"prio 0 #3"_s}));
}

void tst_Engine::dependenciesAreHonoured()
{
    spawnWorker(u"deps"_s);
    spawnWorker(u"deps"_s);
    const Task first = createTask(u"first sleep=1"_s, u"deps"_s);
    const Task second = createTask(u"second"_s, u"deps"_s, 0, {first.id});
    QCOMPARE(second.status, Task::Status::Blocked);
    const Task a = waitTask(first.id, finished);
    const Task b = waitTask(second.id, finished);
    QCOMPARE(a.status, Task::Status::Succeeded);
    QCOMPARE(b.status, Task::Status::Succeeded);
    QVERIFY(b.startedAt >= a.finishedAt);

    const Task doomed = createTask(u"doomed exit=3"_s, u"deps"_s, 0, {}, 1);
    const Task child = createTask(u"child"_s, u"deps"_s, 0, {doomed.id});
    const Task c = waitTask(child.id, finished);
    QCOMPARE(waitTask(doomed.id, finished).status, Task::Status::Failed);
    QCOMPARE(c.status, Task::Status::Failed);
    QVERIFY2(c.error.contains(doomed.id), qPrintable(c.error));
    QVERIFY(!c.result);
}

void tst_Engine::cancelStopsARunningTask()
{
    const Agent a = spawnWorker(u"cancel"_s);
    const Task t = createTask(u"long sleep=60"_s, u"cancel"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QElapsedTimer clock;
    clock.start();
    auto c = wait(m_engine->cancelTask(t.id));
    QVERIFY_OK(c);
    QCOMPARE(c->status, Task::Status::Cancelled);
    // The runner stops the command and the agent is free again, long before the 60 s.
    const Agent idle = waitAgent(a.id, [](const Agent &x) { return x.status == Agent::Status::Idle; }, 15000);
    QCOMPARE(idle.status, Agent::Status::Idle);
    QVERIFY(clock.elapsed() < 15000);
    QCOMPARE(wait(m_engine->task(t.id))->status, Task::Status::Cancelled);
    // And it takes the next task.
    const Task next = createTask(u"after cancel"_s, u"cancel"_s);
    QCOMPARE(waitTask(next.id, finished).status, Task::Status::Succeeded);
    // Retry brings the cancelled task back; it runs to the end this time (short now? no: same prompt).
    auto retried = wait(m_engine->retryTask(next.id));
    QVERIFY(!retried);
    QCOMPARE(retried.error().kind, Error::Kind::Conflict);
}

void tst_Engine::commandThatCannotStartFails()
{
    spawnWorker(u"broken"_s, u"missing"_s);
    const Task t = createTask(u"anything"_s, u"broken"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Failed);
    QVERIFY2(done.error.contains(u"cannot start"_s) && done.error.contains(u"/nonexistent/agent-cli"_s),
             qPrintable(done.error));
}

void tst_Engine::textArrivesByteForByteAndRunsNothing()
{
    spawnWorker(u"quote"_s);
    const QString marker = m_fx->path(u"pwned"_s);
    const QString prompt = u"it's \"quoted\" $(touch %1) `touch %1` ; touch %1 && echo hi | cat\n"
                           "second line\t* ~ #{session_name} Grüße ✓ 🐝 \\n"_s.arg(marker);
    const Task t = createTask(prompt, u"quote"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.prompt, prompt);
    QVERIFY2(done.result->output.contains(u"PROMPT:"_s + prompt), qPrintable(done.result->output));
    QVERIFY(!QFile::exists(marker));
}

void tst_Engine::badNamesAreRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("space") << u"bad name"_s << u"dev"_s << u"name"_s;
    QTest::newRow("colon") << u"a:b"_s << u"dev"_s << u"name"_s;
    QTest::newRow("dot") << u"a.b"_s << u"dev"_s << u"name"_s;
    QTest::newRow("shell") << u"$(touch x)"_s << u"dev"_s << u"name"_s;
    QTest::newRow("quote") << u"it's"_s << u"dev"_s << u"name"_s;
    QTest::newRow("unicode") << u"bienenstock-ü"_s << u"dev"_s << u"name"_s;
    QTest::newRow("too long") << QString(65, u'a') << u"dev"_s << u"name"_s;
    QTest::newRow("dash first") << u"-x"_s << u"dev"_s << u"name"_s;
    QTest::newRow("bad type") << u"fine"_s << u"Dev Team"_s << u"type"_s;
}

void tst_Engine::badNamesAreRefused()
{
    QFETCH(QString, name);
    QFETCH(QString, type);
    QFETCH(QString, mentions);
    const int before = wait(m_engine->agents())->size();
    SpawnRequest r;
    r.type = type;
    r.name = name;
    r.profile = u"fake"_s;
    auto a = wait(m_engine->spawn(r));
    QVERIFY(!a);
    QCOMPARE(a.error().kind, Error::Kind::Invalid);
    QVERIFY2(a.error().message.startsWith(mentions), qPrintable(a.error().message));
    QCOMPARE(wait(m_engine->agents())->size(), before);
}

void tst_Engine::killedRunnerTaskRunsAgainExactlyOnce()
{
    const Agent first = spawnWorker(u"crash"_s);
    const QString runs = m_fx->path(u"crash-runs"_s);
    const Task t = createTask(u"sleep=2 touch=%1"_s.arg(runs), u"crash"_s);
    const Task running = waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QCOMPARE(running.agentId, first.id);
    const Agent second = spawnWorker(u"crash"_s);
    const qint64 pid = panePid(first.tmuxSession);
    QVERIFY(pid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);

    const Agent lost = waitAgent(first.id, [](const Agent &a) { return a.status == Agent::Status::Lost; });
    QCOMPARE(lost.status, Agent::Status::Lost);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, second.id);
    QCOMPARE(done.attempts, 2);
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
    QCOMPARE(runsWithOutcome(t.id, u"lost"_s), 1);
    QFile f(runs);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll().count('\n'), 2); // started twice, finished once
    // Nothing of that type is left running.
    TaskFilter filter;
    filter.agentType = u"crash"_s;
    const auto all = wait(m_engine->tasks(filter));
    QVERIFY_OK(all);
    for (const Task &x : *all)
        QVERIFY(x.isFinished());
}

void tst_Engine::appRestartAdoptsAgentsAndKeepsTasks()
{
    const Agent a = spawnWorker(u"adopt"_s);
    const Task busy = createTask(u"sleep=3"_s, u"adopt"_s);
    waitTask(busy.id, [](const Task &x) { return x.status == Task::Status::Running; });
    // The app goes away with no goodbye (the engine keeps nothing else: a kill -9 leaves the same).
    m_engine.reset();
    // Work queued while no app runs: the runner still takes it (Redis and PostgreSQL are up).
    Database db;
    QVERIFY(db.open(m_fx->databaseUrl(), u"side"_s));
    Task queued;
    queued.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    queued.prompt = u"queued while the app was away"_s;
    queued.agentType = u"adopt"_s;
    auto created = db.createTask(queued);
    QVERIFY_OK(created);
    db.close();

    startEngine();
    QTest::qWait(1500); // several reconcile rounds
    const Agent adopted = wait(m_engine->agent(a.id)).value();
    QVERIFY2(adopted.isAlive(), qPrintable(Agent::statusName(adopted.status)));
    QCOMPARE(waitTask(busy.id, finished).status, Task::Status::Succeeded);
    QCOMPARE(waitTask(queued.id, finished).status, Task::Status::Succeeded);
    QCOMPARE(runsWithOutcome(busy.id, u"succeeded"_s), 1);
    QCOMPARE(wait(m_engine->task(busy.id))->attempts, 1);
}

void tst_Engine::redisRestartIsSurvived()
{
    spawnWorker(u"redis"_s);
    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->redisConnected(), 10000);
    // Created while Redis is down: in PostgreSQL, and queued again when Redis is back.
    const Task during = createTask(u"made while redis was down"_s, u"redis"_s);
    QCOMPARE(during.status, Task::Status::Queued);
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 15000);
    QCOMPARE(waitTask(during.id, finished).status, Task::Status::Succeeded);
    const Task after = createTask(u"made after"_s, u"redis"_s);
    QCOMPARE(waitTask(after.id, finished).status, Task::Status::Succeeded);
}

void tst_Engine::redisDataLossIsRebuiltFromPostgres()
{
    // Tasks queued with no agent of their type to take them, then Redis comes back empty.
    const Task a = createTask(u"queued before the loss"_s, u"amnesia"_s, 3);
    const Task b = createTask(u"queued before the loss too"_s, u"amnesia"_s, 0);
    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->redisConnected(), 10000);
    QVERIFY(QDir(m_fx->path(u"redis/appendonlydir"_s)).removeRecursively());
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 15000);
    spawnWorker(u"amnesia"_s);
    QCOMPARE(waitTask(a.id, finished).status, Task::Status::Succeeded);
    QCOMPARE(waitTask(b.id, finished).status, Task::Status::Succeeded);
    QCOMPARE(runsWithOutcome(a.id, u"succeeded"_s), 1);
}

void tst_Engine::postgresOutageIsSurvived()
{
    spawnWorker(u"pg"_s);
    const Task t = createTask(u"sleep=3"_s, u"pg"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QVERIFY_OK(m_fx->postgres().stop());
    // Clear errors, no crash.
    auto r = wait(m_engine->tasks());
    QVERIFY(!r);
    QCOMPARE(r.error().kind, Error::Kind::Unavailable);
    QVERIFY2(r.error().message.contains(u"PostgreSQL"_s), qPrintable(r.error().message));
    QVERIFY(!wait(m_engine->postgresReachable()));
    QTest::qWait(4000); // the task ends while PostgreSQL is away; the runner keeps its result
    QVERIFY_OK(m_fx->postgres().start());
    QTRY_VERIFY_WITH_TIMEOUT(wait(m_engine->postgresReachable()), 10000);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.attempts, 1);
}

void tst_Engine::killAgentHandsTaskBack()
{
    const Agent a = spawnWorker(u"kill"_s);
    const Task t = createTask(u"sleep=30"_s, u"kill"_s, 0, {}, 1);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QVERIFY_OK(wait(m_engine->kill(a.id)));
    QCOMPARE(wait(m_engine->agent(a.id))->status, Agent::Status::Stopped);
    // Its session is gone; its task is queued again (the attempt not counted: max_attempts 1).
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, m_fx->tmuxSocket(), u"has-session"_s, u"-t"_s, u"="_s + a.tmuxSession});
    p.waitForFinished(5000);
    QVERIFY(p.exitCode() != 0);
    const Task back = waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Queued; });
    QCOMPARE(back.status, Task::Status::Queued);
    QCOMPARE(back.attempts, 0);
    QVERIFY_OK(wait(m_engine->cancelTask(t.id)));
    auto again = wait(m_engine->kill(u"00000000-0000-0000-0000-000000000000"_s));
    QVERIFY(!again);
    QCOMPARE(again.error().kind, Error::Kind::NotFound);
}

void tst_Engine::interactiveAgentWaitsForInput()
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/fake-chat.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{u"name"_s, u"fake-chat"_s},
                                      {u"command"_s, QJsonArray{Test::HiveFixture::fakeAgent(), u"--interactive"_s}},
                                      {u"interactive"_s, true}})
                .toJson());
    f.close();
    SpawnRequest r;
    r.type = u"chat"_s;
    r.profile = u"fake-chat"_s;
    r.name = u"chatty"_s;
    auto spawned = wait(m_engine->spawn(r));
    QVERIFY_OK(spawned);
    QVERIFY(spawned->interactive);
    QCOMPARE(spawned->status, Agent::Status::Idle);
    auto screen = [&] {
        auto out = wait(m_engine->output(spawned->id, 50));
        return out ? *out : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(screen().contains(u"fake-agent ready"_s), 10000);
    // Typed literally: quotes and $(…) arrive as text.
    const QString text = u"please ask about 'it' $(touch %1) Grüße"_s.arg(m_fx->path(u"typed"_s));
    QVERIFY_OK(wait(m_engine->input(spawned->id, InputRequest{text, true, {}, 0})));
    QTRY_VERIFY_WITH_TIMEOUT(screen().contains(u"working on: "_s + text), 10000);
    QVERIFY(!QFile::exists(m_fx->path(u"typed"_s)));
    // It asks a yes/no question: the agent waits for input.
    const Agent waiting = waitAgent(spawned->id, [](const Agent &a) { return a.status == Agent::Status::WaitingInput; },
                                    10000);
    QCOMPARE(waiting.status, Agent::Status::WaitingInput);
    QVERIFY_OK(wait(m_engine->input(spawned->id, InputRequest{u"y"_s, true, {}, 0})));
    const Agent answered = waitAgent(spawned->id, [](const Agent &a) { return a.status != Agent::Status::WaitingInput; },
                                     10000);
    QVERIFY(answered.status != Agent::Status::WaitingInput);
    QTRY_VERIFY2_WITH_TIMEOUT(screen().contains(u"answer: y"_s), qPrintable(screen()), 10000);
    QVERIFY_OK(wait(m_engine->kill(spawned->id)));
    auto gone = wait(m_engine->output(spawned->id, 10));
    QVERIFY(!gone);
    QCOMPARE(gone.error().kind, Error::Kind::Conflict);
}

void tst_Engine::repositoryGivesAWorktree()
{
    const QString repo = m_fx->path(u"repo"_s);
    QDir().mkpath(repo);
    auto git = [&](const QStringList &args) { return Process::run(u"git"_s, QStringList{u"-C"_s, repo} + args, 20000); };
    QVERIFY_OK(git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s}));
    QVERIFY_OK(git({u"-c"_s, u"user.name=t"_s, u"-c"_s, u"user.email=t@t"_s, u"commit"_s, u"-q"_s,
                    u"--allow-empty"_s, u"-m"_s, u"init"_s}));
    SpawnRequest r;
    r.type = u"git"_s;
    r.profile = u"fake"_s;
    r.name = u"gitter"_s;
    r.repository = repo;
    auto a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QCOMPARE(a->workdir, m_fx->path(u"workspace/gitter"_s));
    auto branch = Process::run(u"git"_s, {u"-C"_s, a->workdir, u"branch"_s, u"--show-current"_s});
    QVERIFY_OK(branch);
    QCOMPARE(branch->trimmed(), QByteArray("hive/gitter"));
    // The task runs in the worktree.
    waitAgent(a->id, [](const Agent &x) { return x.status == Agent::Status::Idle; });
    const Task t = createTask(u"where"_s, u"git"_s);
    QCOMPARE(waitTask(t.id, finished).status, Task::Status::Succeeded);
    QVERIFY_OK(wait(m_engine->kill(a->id)));
    // A folder that is not a repository is refused, naming the field.
    r.name = u"notgit"_s;
    QTemporaryDir plain; // outside any repository (the fixture's folder may be inside the build tree's)
    r.repository = plain.path();
    auto bad = wait(m_engine->spawn(r));
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.startsWith(u"repository"_s), qPrintable(bad.error().message));
}

QTEST_GUILESS_MAIN(tst_Engine)
#include "tst_engine.moc"
