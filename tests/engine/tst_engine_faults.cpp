// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/engine/enginetestbase.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <QUuid>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace Hive;

// Nothing lost when things go away (see EngineTestBase): a killed runner, the app restarting, Redis
// restarting or coming back empty, PostgreSQL away for a while.
class tst_EngineFaults : public Test::EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void killedRunnerTaskRunsAgainExactlyOnce();
    void appRestartAdoptsAgentsAndKeepsTasks();
    void redisRestartIsSurvived();
    void redisDataLossIsRebuiltFromPostgres();
    void postgresOutageIsSurvived();
};

void tst_EngineFaults::killedRunnerTaskRunsAgainExactlyOnce()
{
    const Agent first = spawnWorker(u"crash"_s);
    const QString runs = m_fx->path(u"crash-runs"_s);
    const Task t = createTask(u"sleep=2 touch=%1"_s.arg(runs), u"crash"_s);
    const Task running
        = waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QCOMPARE(running.agentId, first.id);
    const Agent second = spawnWorker(u"crash"_s);
    const qint64 pid = panePid(first.tmuxSession);
    QVERIFY(pid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);

    const Agent lost
        = waitAgent(first.id, [](const Agent &a) { return a.status == Agent::Status::Lost; });
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

void tst_EngineFaults::appRestartAdoptsAgentsAndKeepsTasks()
{
    const Agent a = spawnWorker(u"adopt"_s);
    const Task busy = createTask(u"sleep=3"_s, u"adopt"_s);
    waitTask(busy.id, [](const Task &x) { return x.status == Task::Status::Running; });
    // The app goes away with no goodbye (the engine keeps nothing else: a kill -9 leaves the same).
    stopEngine();
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

void tst_EngineFaults::redisRestartIsSurvived()
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

void tst_EngineFaults::redisDataLossIsRebuiltFromPostgres()
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

void tst_EngineFaults::postgresOutageIsSurvived()
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

QTEST_GUILESS_MAIN(tst_EngineFaults)
#include "tst_engine_faults.moc"
