// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// The API's throughput, side by side with a FastAPI + uvicorn app (tests/bench/fastapi_app.py)
// on the same PostgreSQL: an engine and the API on a test fixture (real PostgreSQL, Redis, tmux),
// N agents spawned (interactive, each a `sleep` in its own tmux session), then wrk against
//   GET  /api/v1/agents   (N agents as JSON)
//   POST /api/v1/tasks    (a task row and its event row in one transaction)
// of both servers, loopback only, for a bounded time each. Prints requests per second, latency
// percentiles, each server's CPU time per request (from /proc/PID/stat over the run: Agent Hive's
// own process, which holds the engine and the API; uvicorn and its workers), the ratio from the
// same run and the goal (issue 11: at least 5x FastAPI; GET at most 0.3 ms CPU a request).
// Usage: bench_api [--agents N] [--duration SECONDS] [--connections C] [--threads T]
//                  [--fastapi-workers W] [--pool P]
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <cstdio>

#include <unistd.h>

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

[[noreturn]] void die(const QString &why)
{
    fprintf(stderr, "bench_api: %s\n", qPrintable(why));
    std::exit(1);
}

void spin(int ms)
{
    QDeadlineTimer d(ms);
    while (!d.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

struct Http
{
    int status = 0;
    QByteArray body;
};

// One request over a fresh loopback connection (Connection: close), with the event loop running.
Http request(quint16 port,
             const QByteArray &method,
             const QByteArray &path,
             const QByteArray &token,
             const QByteArray &body = {})
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    QDeadlineTimer d(10000);
    while (s.state() != QAbstractSocket::ConnectedState && !d.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QByteArray req = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.isEmpty())
        req += "Authorization: Bearer " + token + "\r\n";
    if (!body.isNull())
        req += "Content-Type: application/json\r\nContent-Length: "
               + QByteArray::number(body.size()) + "\r\n";
    s.write(req + "\r\n" + body);
    QByteArray in;
    Http h;
    while (!d.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        in += s.readAll();
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0) {
            if (s.state() != QAbstractSocket::ConnectedState)
                break;
            continue;
        }
        const auto m = QRegularExpression(u"content-length:\\s*(\\d+)"_s,
                                          QRegularExpression::CaseInsensitiveOption)
                           .match(QString::fromLatin1(in.left(end)));
        const qint64 length = m.hasMatch() ? m.captured(1).toLongLong() : 0;
        if (in.size() >= end + 4 + length || s.state() != QAbstractSocket::ConnectedState) {
            h.status = in.mid(9, 3).toInt();
            h.body = in.mid(end + 4, length);
            break;
        }
    }
    return h;
}

// CPU seconds (user + system) used so far by a process and, with children, by its children too
// (uvicorn's workers). Not for this process: wrk is its child.
double cpuSeconds(qint64 pid, bool children)
{
    auto read = [](const QString &path, qint64 *ppid) -> double {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        const QByteArray stat = f.readAll();
        // Fields after the command name (which may hold spaces) in parentheses.
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (ppid)
            *ppid = fields.value(1).toLongLong();
        return double(fields.value(11).toLongLong() + fields.value(12).toLongLong())
               / double(sysconf(_SC_CLK_TCK));
    };
    double total = read(u"/proc/%1/stat"_s.arg(pid), nullptr);
    if (!children)
        return total;
    for (const QString &entry : QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 child = entry.toLongLong(&isPid);
        if (!isPid || child == pid)
            continue;
        qint64 ppid = 0;
        const double t = read(u"/proc/%1/stat"_s.arg(child), &ppid);
        if (ppid == pid)
            total += t;
    }
    return total;
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

struct WrkResult
{
    double rps = 0;
    double cpuMsPerRequest = 0; // the server process's CPU time per request
    QString p50, p99;
    qint64 requests = 0;
    qint64 non2xx = 0;
    QString errors;
};

WrkResult runWrk(const QString &wrk, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(wrk, args);
    if (!p.waitForStarted(5000))
        die(u"cannot start wrk"_s);
    // Sleeps until wrk is done (no polling: the servers get the CPU), serving events meanwhile.
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    if (p.state() != QProcess::NotRunning)
        loop.exec();
    const QString out = QString::fromUtf8(p.readAll());
    if (p.exitCode() != 0)
        die(u"wrk failed:\n"_s + out);
    WrkResult r;
    auto grab = [&out](const QString &re) {
        const auto m = QRegularExpression(re, QRegularExpression::MultilineOption).match(out);
        return m.hasMatch() ? m.captured(1) : QString();
    };
    r.rps = grab(uR"(^Requests/sec:\s+([\d.]+))"_s).toDouble();
    r.p50 = grab(uR"(^\s+50%\s+(\S+))"_s);
    r.p99 = grab(uR"(^\s+99%\s+(\S+))"_s);
    r.requests = grab(uR"(^\s+(\d+) requests in)"_s).toLongLong();
    r.non2xx = grab(uR"(Non-2xx or 3xx responses:\s+(\d+))"_s).toLongLong();
    r.errors = grab(uR"(Socket errors:\s+(.*)$)"_s);
    return r;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser cli;
    cli.addHelpOption();
    const QCommandLineOption agentsOpt(u"agents"_s, u"agents to spawn"_s, u"N"_s, u"100"_s);
    const QCommandLineOption durationOpt(
        u"duration"_s, u"seconds per measurement"_s, u"S"_s, u"10"_s);
    const QCommandLineOption connectionsOpt(
        u"connections"_s, u"wrk connections"_s, u"C"_s, u"32"_s);
    const QCommandLineOption threadsOpt(u"threads"_s, u"wrk threads"_s, u"T"_s, u"2"_s);
    const QCommandLineOption workersOpt(
        u"fastapi-workers"_s, u"uvicorn worker processes"_s, u"W"_s, u"1"_s);
    const QCommandLineOption poolOpt(
        u"pool"_s, u"PostgreSQL connections per FastAPI worker"_s, u"P"_s, u"8"_s);
    cli.addOptions({agentsOpt, durationOpt, connectionsOpt, threadsOpt, workersOpt, poolOpt});
    cli.process(app);
    const int nAgents = cli.value(agentsOpt).toInt();
    const QString duration = cli.value(durationOpt) + u's';
    const QString connections = cli.value(connectionsOpt);
    const QString threads = cli.value(threadsOpt);

    const QString wrk = QStandardPaths::findExecutable(u"wrk"_s);
    const QString python = QStandardPaths::findExecutable(u"python3"_s);
    if (wrk.isEmpty() || python.isEmpty())
        die(u"wrk and python3 are needed (both are in the build root)"_s);

    Test::HiveFixture fx;
    if (auto r = fx.start(); !r)
        die(r.error().message);
    {
        QDir().mkpath(fx.path(u"profiles"_s));
        QFile f(fx.path(u"profiles/idle.json"_s));
        if (!f.open(QIODevice::WriteOnly))
            die(u"cannot write a profile"_s);
        f.write(QJsonDocument(QJsonObject{{u"name"_s, u"idle"_s},
                                          {u"command"_s, QJsonArray{u"sleep"_s, u"100000"_s}},
                                          {u"interactive"_s, true}})
                    .toJson());
    }

    Engine::Options o;
    o.dataDir = fx.dir();
    o.tmuxSocket = fx.tmuxSocket();
    o.databaseUrl = fx.databaseUrl();
    o.redisUrl = fx.redisUrl();
    o.runnerPath = Test::HiveFixture::binDir() + u"/hive-runner"_s;
    o.reconcileMs = 3600 * 1000; // no periodic pane watching of 100 panes during the measurements
    Engine engine(o);
    if (auto r = await(engine.start()); !r)
        die(r.error().message);
    QDeadlineTimer redisUp(10000);
    while (!engine.redisConnected() && !redisUp.hasExpired())
        spin(20);

    ApiServer::Options ao;
    ao.port = 0;
    ao.dataDir = fx.dir();
    ApiServer api(ao, &engine);
    const auto url = await(api.start());
    if (!url)
        die(url.error().message);
    const quint16 hivePort = quint16(api.port());
    const QByteArray token = api.token().toLatin1();

    QElapsedTimer clock;
    clock.start();
    QList<QFuture<Result<Agent>>> spawns;
    for (int i = 0; i < nAgents; ++i) {
        SpawnRequest r;
        r.type = u"bench"_s;
        r.profile = u"idle"_s;
        r.name = u"bench-%1"_s.arg(i, 3, 10, QChar(u'0'));
        spawns << engine.spawn(r);
    }
    for (auto &f : spawns)
        if (auto a = await(f); !a)
            die(u"spawn: "_s + a.error().message);
    printf("spawned %d agents (interactive, `sleep`) in %.1f s\n",
           nAgents,
           double(clock.elapsed()) / 1000);
    spin(500); // let the reconcile that follows the new sessions settle

    // The FastAPI app, on the same PostgreSQL.
    const quint16 fastPort = freePort();
    QProcess fast;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HIVE_DATABASE_URL"_s, fx.databaseUrl());
    env.insert(u"HIVE_API_TOKEN"_s, QString::fromLatin1(token));
    env.insert(u"HIVE_POOL_SIZE"_s, cli.value(poolOpt));
    fast.setProcessEnvironment(env);
    fast.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    fast.start(python,
               {u"-m"_s,
                u"uvicorn"_s,
                u"fastapi_app:app"_s,
                u"--app-dir"_s,
                QStringLiteral(HIVE_BENCH_DIR),
                u"--host"_s,
                u"127.0.0.1"_s,
                u"--port"_s,
                QString::number(fastPort),
                u"--workers"_s,
                cli.value(workersOpt),
                u"--log-level"_s,
                u"warning"_s,
                u"--no-access-log"_s});
    QDeadlineTimer fastUp(30000);
    while (request(fastPort, "GET", "/api/v1/health", {}).status != 200) {
        if (fastUp.hasExpired() || fast.state() == QProcess::NotRunning)
            die(u"the FastAPI app did not start"_s);
        spin(200);
    }

    // Both answer the same thing before they are measured.
    const QByteArray taskBody
        = R"({"prompt":"a benchmark task","title":"bench","agent_type":"queue-only"})";
    for (const quint16 port : {hivePort, fastPort}) {
        const Http agents = request(port, "GET", "/api/v1/agents", token);
        const qsizetype n = QJsonDocument::fromJson(agents.body).array().size();
        if (agents.status != 200 || n != nAgents)
            die(u"GET /api/v1/agents on port %1: %2, %3 agents"_s.arg(port)
                    .arg(agents.status)
                    .arg(n));
        const Http task = request(port, "POST", "/api/v1/tasks", token, taskBody);
        if (task.status != 201
            || QJsonDocument::fromJson(task.body).object().value(u"status"_s).toString()
                   != u"queued"_s)
            die(u"POST /api/v1/tasks on port %1: %2 %3"_s.arg(port)
                    .arg(task.status)
                    .arg(QString::fromUtf8(task.body)));
    }

    QTemporaryDir scripts;
    const QString postLua = scripts.filePath(u"post.lua"_s);
    {
        QFile f(postLua);
        if (!f.open(QIODevice::WriteOnly))
            die(u"cannot write the wrk script"_s);
        f.write("wrk.method = \"POST\"\nwrk.body = '" + taskBody
                + "'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                  "wrk.headers[\"Authorization\"] = \"Bearer "
                + token + "\"\n");
    }

    struct Case
    {
        QString name;
        QString path;
        bool post;
        double goalRatio; // Agent Hive / FastAPI, requests per second
        double goalCpuMs; // Agent Hive's CPU per request at most; 0: no goal
    };
    const QList<Case> cases{{u"GET /api/v1/agents"_s, u"/api/v1/agents"_s, false, 5, 0.3},
                            {u"POST /api/v1/tasks"_s, u"/api/v1/tasks"_s, true, 5, 0}};
    printf(
        "wrk -t%s -c%s -d%s --latency, on 127.0.0.1; FastAPI: uvicorn, %s worker(s), a pool of %s "
        "connections each\n",
        qPrintable(threads),
        qPrintable(connections),
        qPrintable(duration),
        qPrintable(cli.value(workersOpt)),
        qPrintable(cli.value(poolOpt)));
    fflush(stdout);
    QList<std::pair<WrkResult, WrkResult>> results;
    for (const Case &c : cases) {
        std::pair<WrkResult, WrkResult> pair;
        for (int which = 0; which < 2; ++which) {
            const quint16 port = which == 0 ? hivePort : fastPort;
            const QString target = u"http://127.0.0.1:%1%2"_s.arg(port).arg(c.path);
            QStringList common{u"-t"_s + threads, u"-c"_s + connections, u"--latency"_s};
            if (c.post)
                common << u"-s"_s << postLua;
            else
                common << u"-H"_s << u"Authorization: Bearer "_s + QString::fromLatin1(token);
            runWrk(wrk, common + QStringList{u"-d2s"_s, target}); // warm-up
            const qint64 serverPid
                = which == 0 ? QCoreApplication::applicationPid() : fast.processId();
            // This process is Agent Hive (engine and API threads); its children are wrk and the
            // FastAPI app, whose CPU is not Agent Hive's.
            const bool children = which == 1;
            const double cpuBefore = cpuSeconds(serverPid, children);
            WrkResult r = runWrk(wrk, common + QStringList{u"-d"_s + duration, target});
            if (r.requests > 0)
                r.cpuMsPerRequest
                    = (cpuSeconds(serverPid, children) - cpuBefore) * 1000 / double(r.requests);
            if (r.non2xx > 0 || !r.errors.isEmpty())
                fprintf(stderr,
                        "warning: %s on port %d: %lld non-2xx answers; socket errors: %s\n",
                        qPrintable(c.name),
                        port,
                        r.non2xx,
                        qPrintable(r.errors));
            (which == 0 ? pair.first : pair.second) = r;
        }
        results << pair;
    }

    printf("\n%-20s %14s %9s %9s %9s   %14s %9s %9s %9s   %7s   %s\n",
           "",
           "Agent Hive",
           "p50",
           "p99",
           "CPU/req",
           "FastAPI",
           "p50",
           "p99",
           "CPU/req",
           "ratio",
           "goal");
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const auto &[hive, fastapi] = results[i];
        const double ratio = fastapi.rps > 0 ? hive.rps / fastapi.rps : 0.0;
        QString goal = u">= %1x"_s.arg(cases[i].goalRatio);
        if (cases[i].goalCpuMs > 0)
            goal += u", <= %1 ms CPU"_s.arg(cases[i].goalCpuMs);
        const bool met = ratio >= cases[i].goalRatio
                         && (cases[i].goalCpuMs <= 0 || hive.cpuMsPerRequest <= cases[i].goalCpuMs);
        printf("%-20s %10.0f rps %9s %9s %7.2fms   %10.0f rps %9s %9s %7.2fms   %6.2fx   %s: %s\n",
               qPrintable(cases[i].name),
               hive.rps,
               qPrintable(hive.p50),
               qPrintable(hive.p99),
               hive.cpuMsPerRequest,
               fastapi.rps,
               qPrintable(fastapi.p50),
               qPrintable(fastapi.p99),
               fastapi.cpuMsPerRequest,
               ratio,
               qPrintable(goal),
               met ? "met" : "not met");
    }
    printf("(CPU/req: the server's CPU time per request from /proc/PID/stat over the run: Agent "
           "Hive's "
           "process (engine and API), uvicorn's with its workers; PostgreSQL's and Redis's not "
           "counted. ratio: requests per second, Agent Hive / FastAPI, same run)\n");
    printf("(GET answers carry %d agents; every POST answer comes after its task and event rows "
           "are committed; Agent Hive commits the POSTs that arrive together in one transaction)\n",
           nAgents);
    fflush(stdout);

    fast.terminate();
    if (!fast.waitForFinished(10000))
        fast.kill();
    api.stop();
    engine.stop();
    return 0;
}
