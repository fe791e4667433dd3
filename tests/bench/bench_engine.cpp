// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// The engine's speed, end to end, on real PostgreSQL, Redis and tmux (started by the test
// fixture), with hive-runner running a no-op command:
//   - spawn latency for 1 and for 50 agents (session up; and runner ready, i.e. idle)
//   - dispatch latency (task created → the agent's command started) p50/p99 over N no-op tasks
//   - tasks per second through the whole system (create → succeeded)
// Usage: bench_engine [--tasks N] [--workers W]
#include "engine.h"
#include "hivefixture.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

template<typename T>
T await(QFuture<T> f)
{
    while (!f.isFinished())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return f.result();
}

void writeProfile(const QString &dataDir, const QString &name, const QStringList &command)
{
    QDir().mkpath(dataDir + u"/profiles"_s);
    QFile f(dataDir + u"/profiles/"_s + name + u".json"_s);
    f.open(QIODevice::WriteOnly);
    f.write(QJsonDocument(QJsonObject{{u"name"_s, name}, {u"command"_s, QJsonArray::fromStringList(command)}})
                .toJson());
}

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    const qsizetype i = qBound<qsizetype>(0, qsizetype(p * double(v.size() - 1) + 0.5), v.size() - 1);
    return v[i];
}

// Spawns n agents at once; returns {ms until every session exists, ms until every runner is idle}.
std::pair<double, double> spawnMany(Engine &engine, const QString &type, int n,
                                    const QString &profile = u"noop"_s)
{
    QElapsedTimer clock;
    clock.start();
    QList<QFuture<DbResult<Agent>>> futures;
    for (int i = 0; i < n; ++i) {
        SpawnRequest r;
        r.type = type;
        r.profile = profile;
        futures << engine.spawn(r);
    }
    QStringList ids;
    for (auto &f : futures) {
        auto a = await(f);
        if (!a) {
            fprintf(stderr, "spawn failed: %s\n", qPrintable(a.error().message));
            std::exit(1);
        }
        ids << a->id;
    }
    const double sessions = double(clock.nsecsElapsed()) / 1e6;
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired()) {
        auto agents = await(engine.agents(Agent::Status::Idle));
        int idle = 0;
        for (const Agent &a : *agents)
            idle += ids.contains(a.id);
        if (idle == n)
            break;
        QTest::qWait(2);
    }
    return {sessions, double(clock.nsecsElapsed()) / 1e6};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int tasks = 1000;
    int workers = 8;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--tasks"_s)
            tasks = args[i + 1].toInt();
        if (args[i] == u"--workers"_s)
            workers = args[i + 1].toInt();
    }

    Test::HiveFixture fx;
    if (auto r = fx.start(); !r) {
        fprintf(stderr, "fixture: %s\n", qPrintable(r.error()));
        return 1;
    }
    writeProfile(fx.dir(), u"noop"_s, {u"true"_s});
    {
        QFile f(fx.dir() + u"/profiles/idle.json"_s);
        f.open(QIODevice::WriteOnly);
        f.write(R"({"name":"idle","command":["sleep","100000"],"interactive":true})");
    }
    Engine::Options o;
    o.dataDir = fx.dir();
    o.tmuxSocket = fx.tmuxSocket();
    o.databaseUrl = fx.databaseUrl();
    o.redisUrl = fx.redisUrl();
    o.runnerPath = Test::HiveFixture::binDir() + u"/hive-runner"_s;
    Engine engine(o);
    if (auto r = await(engine.start()); !r) {
        fprintf(stderr, "engine: %s\n", qPrintable(r.error().message));
        return 1;
    }
    while (!engine.redisConnected())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);

    printf("Agent Hive engine benchmark (real PostgreSQL, Redis, tmux; hive-runner running `true`)\n");
    const auto [one, oneReady] = spawnMany(engine, u"solo"_s, 1);
    printf("spawn 1 agent:   %8.1f ms to its tmux session, %8.1f ms until its runner is idle\n", one, oneReady);
    const auto [fifty, fiftyReady] = spawnMany(engine, u"many"_s, 50);
    printf("spawn 50 agents: %8.1f ms to their tmux sessions, %8.1f ms until every runner is idle\n", fifty,
           fiftyReady);

    const auto [fiftyIdle, unused] = spawnMany(engine, u"idle"_s, 50, u"idle"_s);
    Q_UNUSED(unused);
    printf("spawn 50 interactive agents running `sleep` (no runner to start): %8.1f ms\n", fiftyIdle);

    // Dispatch: one no-op task at a time, so that queueing behind busy agents does not count.
    spawnMany(engine, u"bench"_s, workers);
    QStringList ids;
    QElapsedTimer clock;
    clock.start();
    auto submit = [&](int i) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.prompt = u"noop %1"_s.arg(i);
        t.agentType = u"bench"_s;
        return engine.createTask(t);
    };
    const int sequential = std::min(tasks, 200);
    for (int i = 0; i < sequential; ++i) {
        auto t = await(submit(i));
        ids << t->id;
        while (true) {
            auto cur = await(engine.task(t->id));
            if (cur->isFinished())
                break;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        }
    }
    // Throughput: everything at once.
    QList<QFuture<DbResult<Task>>> futures;
    clock.restart();
    for (int i = 0; i < tasks; ++i)
        futures << submit(i);
    QStringList burst;
    for (auto &f : futures)
        burst << await(f)->id;
    const double submitMs = double(clock.nsecsElapsed()) / 1e6;
    QDeadlineTimer deadline(600000);
    while (!deadline.hasExpired()) {
        TaskFilter filter;
        filter.agentType = u"bench"_s;
        filter.status = Task::Status::Succeeded;
        filter.limit = 100000;
        if (await(engine.tasks(filter))->size() >= sequential + tasks)
            break;
        QTest::qWait(20);
    }
    const double totalMs = double(clock.nsecsElapsed()) / 1e6;

    // Latencies from PostgreSQL: created_at → started_at (the command started).
    Database db;
    (void)db.open(fx.databaseUrl(), u"bench"_s);
    auto latencies = [&](const QStringList &which) {
        QList<double> out;
        QSqlQuery q(QSqlDatabase::database(u"bench"_s));
        q.prepare(u"SELECT extract(epoch FROM (started_at - created_at)) * 1000 FROM tasks "
                  "WHERE id = ANY (?::uuid[]) AND status = 'succeeded'"_s);
        q.addBindValue(QString(u"{"_s + which.join(u',') + u"}"_s));
        q.exec();
        while (q.next())
            out << q.value(0).toDouble();
        return out;
    };
    const QList<double> seq = latencies(ids);
    const QList<double> all = latencies(burst);
    printf("dispatch latency, one task at a time (%lld tasks, %d idle workers): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           qlonglong(seq.size()), workers, percentile(seq, 0.5), percentile(seq, 0.99), percentile(seq, 1.0));
    printf("dispatch latency, %d tasks queued at once on %d workers: p50 %.1f ms, p99 %.1f ms\n", tasks, workers,
           percentile(all, 0.5), percentile(all, 0.99));
    printf("throughput: %d tasks submitted in %.0f ms (%.0f/s); all succeeded after %.0f ms: %.1f tasks/s\n", tasks,
           submitMs, tasks / submitMs * 1000, totalMs, tasks / totalMs * 1000);
    engine.stop();
    return 0;
}
