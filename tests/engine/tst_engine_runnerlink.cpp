// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/engine/enginetestbase.h"

#include "app/runner/runnerlink.h"
#include "services/store/database.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// hive-runner without a PostgreSQL connection of its own: its claims, results and heartbeats go
// through the app's API (RunnerController). A result made while the app is away waits in the runner
// until the app answers again; a large output arrives whole (in pieces under the API's body
// limit); and a runner started elsewhere (its own tmux server and data directory, the API over TCP
// with the token, Redis by URL) joins the hive, takes a task and is listed among the agents.
class tst_EngineRunnerLink : public Test::EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void runnerHoldsNoPostgresConnection();
    void resultWaitsForTheAppToComeBack();
    void largeOutputArrivesWhole();
    void remoteRunnerJoinsOverTcp();
    void changesShareACommitARefusedOneFailsAlone();

private:
    int clientConnections();
    QString runnerLog(const QString &agentId) const;
};

// Client connections to PostgreSQL, other than this test's own probe.
int tst_EngineRunnerLink::clientConnections()
{
    Database probe;
    if (!probe.open(m_fx->databaseUrl(), u"probe"_s))
        return -1;
    int n = -1;
    {
        QSqlQuery q(QSqlDatabase::database(u"probe"_s));
        if (q.exec(u"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                   "AND pid <> pg_backend_pid()"_s)
            && q.next())
            n = q.value(0).toInt();
    }
    probe.close();
    return n;
}

QString tst_EngineRunnerLink::runnerLog(const QString &agentId) const
{
    QFile f(m_fx->path(u"logs/runner-%1.log"_s.arg(agentId)));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void tst_EngineRunnerLink::runnerHoldsNoPostgresConnection()
{
    const int before = clientConnections();
    QVERIFY(before > 0); // the engine's own
    QList<Agent> workers;
    for (int i = 0; i < 3; ++i)
        workers << spawnWorker(u"noconn"_s);
    QList<Task> tasks;
    for (int i = 0; i < 3; ++i)
        tasks << createTask(u"lines=3 sleep=1"_s, u"noconn"_s);
    // While the commands run (claimed, started: every runner has talked to the app) ...
    for (const Task &t : std::as_const(tasks))
        waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QCOMPARE(clientConnections(), before);
    for (const Task &t : std::as_const(tasks))
        QCOMPARE(waitTask(t.id, finished).status, Task::Status::Succeeded);
    // ... and after the results (and a heartbeat) were stored.
    QTest::qWait(3500);
    QCOMPARE(clientConnections(), before);
    for (const Agent &a : std::as_const(workers))
        QVERIFY_OK(wait(m_engine->kill(a.id)));
}

void tst_EngineRunnerLink::resultWaitsForTheAppToComeBack()
{
    const Agent a = spawnWorker(u"appdown"_s);
    const Task t = createTask(u"sleep=2 lines=5"_s, u"appdown"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    // The app goes away while the command runs: its result has nowhere to go ...
    stopEngine();
    // ... and is kept, asked again and again (the runner's log says so), ...
    QTRY_VERIFY_WITH_TIMEOUT(runnerLog(a.id).count(u"the app is not answering"_s) >= 2, 20000);
    {
        Database side;
        QVERIFY_OK(side.open(m_fx->databaseUrl(), u"side"_s));
        const auto still = side.task(t.id);
        QVERIFY_OK(still);
        QCOMPARE(still->status, Task::Status::Running);
        side.close();
    }
    // ... until the app is back: stored once, the attempt not counted again.
    startEngine();
    const Task done = waitTask(t.id, finished, 40000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.attempts, 1);
    QVERIFY(done.result && done.result->output.contains(u"line 4"_s));
    QVERIFY_OK(wait(m_engine->kill(a.id)));
}

void tst_EngineRunnerLink::largeOutputArrivesWhole()
{
    const Agent a = spawnWorker(u"bigout"_s);
    // About 1.3 million characters (1.4 MB of JSON): over the API's 1 MiB body, if it went at once.
    const int lines = 120000;
    const Task t = createTask(u"lines=%1"_s.arg(lines), u"bigout"_s);
    const Task done = waitTask(t.id, finished, 60000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result);
    const QString out = done.result->output;
    QVERIFY2(out.startsWith(u"PROMPT:lines="_s), qPrintable(out.left(80)));
    QVERIFY2(out.endsWith(u"line %1\n"_s.arg(lines - 1)), qPrintable(out.right(80)));
    QCOMPARE(out.count(u'\n'), lines);
    QVERIFY_OK(wait(m_engine->kill(a.id)));
}

void tst_EngineRunnerLink::remoteRunnerJoinsOverTcp()
{
    // Another "host": its own data directory (with its own copy of the profile) and tmux server.
    const QString elsewhere = m_fx->path(u"elsewhere"_s);
    QDir().mkpath(elsewhere + u"/profiles"_s);
    QVERIFY(QFile::copy(m_fx->path(u"profiles/fake.json"_s), elsewhere + u"/profiles/fake.json"_s));
    const QString work = elsewhere + u"/work"_s;
    QDir().mkpath(work);
    const QString tokenFile = elsewhere + u"/token"_s;
    {
        QFile f(tokenFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_api->token().toLatin1());
    }
    const QString apiUrl = u"http://127.0.0.1:%1"_s.arg(m_api->port());
    const QString socket = Test::tmuxSocketName(u"remote"_s);
    QProcess tmux;
    tmux.start(u"tmux"_s,
               {u"-L"_s,
                socket,
                u"new-session"_s,
                u"-d"_s,
                u"-s"_s,
                u"remote"_s,
                u"-c"_s,
                work,
                u"--"_s,
                Test::HiveFixture::binDir() + u"/hive-runner"_s,
                u"--join"_s,
                u"remote"_s,
                u"--name"_s,
                u"far-away"_s,
                u"--profile"_s,
                u"fake"_s,
                u"--host"_s,
                u"otherhost"_s,
                u"--workdir"_s,
                work,
                u"--data-dir"_s,
                elsewhere,
                u"--api-url"_s,
                apiUrl,
                u"--api-token-file"_s,
                tokenFile,
                u"--redis-url"_s,
                m_fx->redisUrl()});
    QVERIFY(tmux.waitForFinished(10000));
    QCOMPARE(tmux.exitCode(), 0);
    auto cleanup = qScopeGuard([&] { Test::killTmuxServer(socket); });

    // Seen by every client: GET /api/v1/agents over TCP, with the token, lists it idle.
    auto link = RunnerLink::make(apiUrl, m_api->token().toLatin1());
    QVERIFY_OK(link);
    QString id;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto agents = link->request("GET", "/api/v1/agents", {});
            if (!agents)
                return false;
            for (const QJsonValue v : agents->array()) {
                const QJsonObject o = v.toObject();
                if (o.value(u"name"_s).toString() == u"far-away"_s
                    && o.value(u"status"_s).toString() == u"idle"_s
                    && o.value(u"tmux_session"_s).toString() == u"@otherhost"_s)
                    id = o.value(u"id"_s).toString();
            }
            return !id.isEmpty();
        }(),
        20000);

    const Task t = createTask(u"lines=2"_s, u"remote"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, id);
    QVERIFY(done.result && done.result->output.contains(u"PROMPT:lines=2"_s));
    // Not judged by a tmux session of the app's (it has none here): still alive after reconciles.
    QTest::qWait(1500);
    QVERIFY(wait(m_engine->agent(id))->isAlive());
    // Killed from the app: the runner learns it from its heartbeat and ends.
    QVERIFY_OK(wait(m_engine->kill(id)));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QProcess has;
            has.start(u"tmux"_s, {u"-L"_s, socket, u"has-session"_s, u"-t"_s, u"remote"_s});
            has.waitForFinished(5000);
            return has.exitCode() != 0;
        }(),
        15000);
}

void tst_EngineRunnerLink::changesShareACommitARefusedOneFailsAlone()
{
    // Runners' changes asked for while the store is busy share the next COMMIT (Engine::
    // runnerChange). One of them refused (a paused agent's claim) must fail alone: the others are
    // made, and their events published with their real seqs.
    QList<Agent> agents;
    for (int i = 0; i < 4; ++i) {
        Agent a;
        a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        a.type = u"batched"_s;
        a.name = u"batched-%1"_s.arg(i);
        a.profile = u"fake"_s;
        a.workdir = m_fx->dir();
        a.status = Agent::Status::Idle;
        a.tmuxSession = u"@elsewhere"_s; // a joined runner: no session for the engine to look at
        auto made = wait(m_engine->runnerChange([a](Database &db) { return db.insertAgent(a); }));
        QVERIFY_OK(made);
        agents << *made->agent;
    }
    QVERIFY_OK(wait(m_engine->setPaused(agents[2].id, true)));
    QList<Task> tasks;
    for (int i = 0; i < 4; ++i)
        tasks << createTask(u"batched %1"_s.arg(i), u"batched"_s);
    // The store busy for a moment, so that the four claims wait for it and go in together.
    auto busy = m_engine->runnerChange([](Database &) -> Result<Change> {
        QThread::msleep(300);
        return Change();
    });
    QList<QFuture<Result<Change>>> claims;
    for (int i = 0; i < 4; ++i)
        claims << m_engine->runnerChange(
            [t = tasks[i].id, a = agents[i].id](Database &db) { return db.claimTask(t, a); });
    QVERIFY_OK(wait(busy));
    for (int i = 0; i < 4; ++i) {
        const Result<Change> c = wait(claims[i]);
        if (i == 2) {
            QVERIFY(!c);
            QCOMPARE(c.error().code, u"agent_paused"_s);
            continue;
        }
        QVERIFY_OK(c);
        QVERIFY(c->task);
        QCOMPARE(c->task->status, Task::Status::Assigned);
        QCOMPARE(c->task->agentId, agents[i].id);
        for (const Event &e : c->events)
            QVERIFY2(e.seq > 0, qPrintable(u"%1 has seq %2"_s.arg(e.type).arg(e.seq)));
    }
    QCOMPARE(waitTask(tasks[2].id, [](const Task &t) { return t.status == Task::Status::Queued; })
                 .agentId,
             QString());
    // Each claim's event published once, with a seq of its own.
    QSet<qint64> seqs;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            seqs.clear();
            for (const Event &e : std::as_const(m_events))
                if (e.type == u"task.assigned"_s && e.task
                    && e.task->title.startsWith(u"batched"_s))
                    seqs << e.seq;
            return seqs.size() == 3;
        }(),
        10000);
    for (const qint64 seq : std::as_const(seqs))
        QVERIFY(seq > 0);

    // None refused: the three starts in one COMMIT, their events given their seqs.
    busy = m_engine->runnerChange([](Database &) -> Result<Change> {
        QThread::msleep(300);
        return Change();
    });
    QList<QFuture<Result<Change>>> starts;
    for (int i : {0, 1, 3})
        starts << m_engine->runnerChange(
            [t = tasks[i].id, a = agents[i].id](Database &db) { return db.startTask(t, a); });
    QVERIFY_OK(wait(busy));
    QSet<qint64> started;
    for (auto &f : starts) {
        const Result<Change> c = wait(f);
        QVERIFY_OK(c);
        QCOMPARE(c->task->status, Task::Status::Running);
        QCOMPARE(c->events.size(), 1);
        QVERIFY2(c->events.first().seq > 0, qPrintable(QString::number(c->events.first().seq)));
        started << c->events.first().seq;
    }
    QCOMPARE(started.size(), 3);
}

QTEST_GUILESS_MAIN(tst_EngineRunnerLink)
#include "tst_engine_runnerlink.moc"
