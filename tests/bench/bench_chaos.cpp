// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// Nothing lost, nobody locked out: the real `agenthive` (headless, on the fixture's PostgreSQL and
// Redis) runs N tasks on W worker agents (hive-runner running tests/fakeagent/fake-agent) while a
// driver, at random moments, kill -9's runners, restarts Redis, stops and starts PostgreSQL,
// kill -9's the app (started again on the same data directory) and freezes a runner (ptrace) for
// longer than the app's heartbeat grace before letting it go on. Meanwhile two clients
// follow the event stream, each reconnecting with ?since=<the last seq it saw>: a WebSocket client
// and a polling client of the plain GET page.
//
// At the end, from PostgreSQL directly: every task has exactly one succeeded run and none is left
// unfinished; and every event in PostgreSQL reached both clients (no seq gap). Exits 1 when a task
// was lost or finished twice, or a client missed an event; 3 when the harness itself could not
// go on (the app did not come back). Loopback and the fixture's Unix sockets only.
//
// Usage: bench_chaos [--seed S] [--tasks N] [--workers W] [--duration SECONDS]
//                    [--fault-interval SECONDS] [--faults runner,redis,postgres,app,stall]
//                    [--settle SECONDS] [--task-seconds SECONDS]
// A seed fixes the faults' kinds, order, spacing and targets and the tasks' lengths; the moments
// they meet the system's own timing still vary from run to run.
#include "tests/bench/benchkit.h"
#include "tests/fixture/hivefixture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <sys/ptrace.h>
#include <sys/wait.h>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Bench;

namespace {

// A client of the event stream that must miss nothing: it keeps the highest seq it saw and, each
// time it (re)connects, asks for what came after it. Lives in its own thread; its figures are read
// once that thread has ended.
class EventFollower : public QObject
{
public:
    enum class Mode { WebSocket, Polling };

    EventFollower(Mode mode, const QString &dataDir)
        : m_mode(mode)
        , m_dataDir(dataDir)
    {}

    QString name() const
    {
        return m_mode == Mode::WebSocket ? u"WebSocket client (ws …/events?since=SEQ)"_s
                                         : u"polling client (GET /api/v1/events?since=SEQ)"_s;
    }

    // In its own thread.
    void begin()
    {
        m_timer = new QTimer(this);
        m_timer->setInterval(m_mode == Mode::WebSocket ? 250 : 300);
        connect(m_timer, &QTimer::timeout, this, [this] { tick(); });
        m_timer->start();
        if (m_mode == Mode::WebSocket) {
            m_ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
            connect(m_ws, &QWebSocket::connected, this, [this] { ++connections; });
            connect(m_ws, &QWebSocket::textMessageReceived, this, [this](const QString &m) {
                const QJsonObject o = QJsonDocument::fromJson(m.toUtf8()).object();
                record(o);
            });
        } else {
            m_nam = new QNetworkAccessManager(this);
            m_nam->setTransferTimeout(10000);
        }
        tick();
    }

    void finish()
    {
        m_finished = true;
        m_timer->stop();
        if (m_ws)
            m_ws->abort();
    }

    std::atomic<qint64> lastSeq = 0;
    std::atomic<bool> routeMissingFlag = false;
    // Read after the thread ended.
    std::map<qint64, int> seen; // seq → how many times
    qint64 outOfOrder = 0, duplicates = 0, withoutSeq = 0, pages = 0;
    std::atomic<qint64> connections = 0;
    QString routeMissing;
    QStringList anomalies;

private:
    void tick()
    {
        if (m_finished)
            return;
        if (m_mode == Mode::WebSocket) {
            if (m_ws->state() == QAbstractSocket::UnconnectedState)
                connectWebSocket();
        } else if (!m_inFlight && routeMissing.isEmpty()) {
            poll();
        }
    }

    bool endpoint(QByteArray &port, QByteArray &token)
    {
        port = readFileTrimmed(m_dataDir + u"/api-port"_s);
        token = readFileTrimmed(m_dataDir + u"/api-token"_s);
        return !port.isEmpty() && !token.isEmpty();
    }

    void connectWebSocket()
    {
        QByteArray port, token;
        if (!endpoint(port, token))
            return;
        QNetworkRequest req(
            QUrl(u"ws://127.0.0.1:%1/api/v1/events?since=%2"_s.arg(QString::fromLatin1(port))
                     .arg(lastSeq.load())));
        req.setRawHeader("Authorization", "Bearer " + token);
        m_ws->open(req);
    }

    void poll()
    {
        QByteArray port, token;
        if (!endpoint(port, token))
            return;
        const qint64 since = lastSeq.load();
        QNetworkRequest req(
            QUrl(u"http://127.0.0.1:%1/api/v1/events?since=%2"_s.arg(QString::fromLatin1(port))
                     .arg(since)));
        req.setRawHeader("Authorization", "Bearer " + token);
        m_inFlight = true;
        QNetworkReply *reply = m_nam->get(req);
        connect(reply, &QNetworkReply::finished, this, [this, reply, since] {
            reply->deleteLater();
            m_inFlight = false;
            if (m_finished)
                return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
            if (status == 400 || status == 404 || status == 405 || status == 426) {
                routeMissing
                    = u"route missing: GET /api/v1/events?since=%1 answered %2: %3"_s.arg(since)
                          .arg(status)
                          .arg(QString::fromUtf8(body.left(300)));
                routeMissingFlag = true;
                return;
            }
            if (status != 200)
                return; // the app is away, or PostgreSQL: ask again at the next tick
            const QJsonDocument doc = QJsonDocument::fromJson(body);
            QJsonArray events;
            if (doc.isArray())
                events = doc.array();
            else if (doc.isObject() && doc.object().value(u"events").isArray())
                events = doc.object().value(u"events").toArray();
            else {
                routeMissing = u"GET /api/v1/events?since=%1 answered 200 with neither an array "
                               "nor {\"events\":[…]}: %2"_s.arg(since)
                                   .arg(QString::fromUtf8(body.left(300)));
                routeMissingFlag = true;
                return;
            }
            ++pages;
            for (const QJsonValue &v : std::as_const(events))
                record(v.toObject());
            if (!events.isEmpty())
                QTimer::singleShot(0, this, [this] { tick(); }); // more may be waiting
        });
    }

    void record(const QJsonObject &event)
    {
        if (m_finished)
            return;
        const QJsonValue seqValue = event.value(u"seq");
        if (!seqValue.isDouble()) {
            ++withoutSeq;
            if (anomalies.size() < 5)
                anomalies << u"an event without a seq: %1"_s.arg(QString::fromUtf8(
                    QJsonDocument(event).toJson(QJsonDocument::Compact).left(200)));
            return;
        }
        const qint64 seq = seqValue.toInteger();
        int &times = seen[seq];
        ++times;
        const qint64 last = lastSeq.load();
        if (times > 1)
            ++duplicates;
        else if (seq < last) {
            ++outOfOrder;
            if (anomalies.size() < 5)
                anomalies << u"seq %1 (%2) arrived after seq %3"_s.arg(seq)
                                 .arg(event.value(u"type").toString())
                                 .arg(last);
        }
        if (seq > last)
            lastSeq = seq;
    }

    Mode m_mode;
    QString m_dataDir;
    QTimer *m_timer = nullptr;
    QWebSocket *m_ws = nullptr;
    QNetworkAccessManager *m_nam = nullptr;
    bool m_inFlight = false;
    bool m_finished = false;
};

enum class Kind { Runner, Redis, Postgres, App, Stall };
constexpr Kind kKinds[] = {Kind::Runner, Kind::Redis, Kind::Postgres, Kind::App, Kind::Stall};
constexpr qint64 kStallMs = 20000; // longer than the app's heartbeat grace (15 s)

QString kindKey(Kind k)
{
    switch (k) {
    case Kind::Runner:
        return u"runner"_s;
    case Kind::Redis:
        return u"redis"_s;
    case Kind::Postgres:
        return u"postgres"_s;
    case Kind::App:
        return u"app"_s;
    case Kind::Stall:
        return u"stall"_s;
    }
    return {};
}

QString kindLabel(Kind k)
{
    switch (k) {
    case Kind::Runner:
        return u"hive-runner kill -9"_s;
    case Kind::Redis:
        return u"Redis restart"_s;
    case Kind::Postgres:
        return u"PostgreSQL stop/start"_s;
    case Kind::App:
        return u"agenthive kill -9 + restart"_s;
    case Kind::Stall:
        return u"hive-runner frozen 20 s (ptrace)"_s;
    }
    return {};
}

struct Submission
{
    enum class State { Pending, Uncertain, Created, GaveUp };
    QString title;
    QString prompt;
    qint64 dueMs = 0;
    State state = State::Pending;
    qint64 lastTryMs = -100000;
    int refusals = 0;
    QStringList ids;
};

// pid and every process below it (from /proc/*/stat).
QList<qint64> withDescendants(qint64 pid)
{
    QMultiHash<qint64, qint64> children;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        QFile f(u"/proc/%1/stat"_s.arg(e));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1)
            children.insert(fields.at(1).toLongLong(), e.toLongLong());
    }
    QList<qint64> out{pid};
    for (qsizetype i = 0; i < out.size(); ++i)
        out += children.values(out.at(i));
    return out;
}

// A runner frozen: every thread of it held in a ptrace stop (a signal would not do: tmux continues
// a pane's process that stops, and SIGTTIN/SIGTSTP are ignored in its orphaned process group),
// and the processes below it stopped with SIGSTOP.
struct Frozen
{
    QList<qint64> threads;
    QList<qint64> children;
    qint64 until = 0;
};

QList<qint64> freezeThreads(qint64 pid)
{
    QList<qint64> frozen;
    const QStringList tids
        = QDir(u"/proc/%1/task"_s.arg(pid)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &t : tids) {
        const pid_t tid = pid_t(t.toLongLong());
        if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0)
            continue;
        if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) == 0) {
            int status = 0;
            waitpid(tid, &status, __WALL);
        }
        frozen << tid;
    }
    return frozen;
}

// Collects the end of held threads that were killed meanwhile (SIGKILL ends a ptrace stop too):
// until its tracer has waited for it, a traced process that died is a zombie its parent cannot
// reap, and kill(pid, 0) still finds it, so the app would think it still runs.
void reapThreads(QList<qint64> &threads)
{
    threads.removeIf([](qint64 tid) {
        int status = 0;
        const pid_t r = waitpid(pid_t(tid), &status, __WALL | WNOHANG);
        return r < 0 || (r == pid_t(tid) && (WIFEXITED(status) || WIFSIGNALED(status)));
    });
}

void thawThreads(QList<qint64> threads)
{
    for (qint64 tid : std::as_const(threads))
        ptrace(PTRACE_DETACH, pid_t(tid), nullptr, nullptr);
    // What could not be let go has ended while held: wait for it (briefly).
    threads.removeIf([](qint64 tid) { return ::kill(pid_t(tid), 0) != 0; });
    QElapsedTimer t;
    t.start();
    while (!threads.isEmpty() && t.elapsed() < 1000) {
        reapThreads(threads);
        QThread::msleep(10);
    }
}

// Where Redis has a task: the stream entries that name it and the consumers holding them
// (redis-cli on the fixture's socket), for the report on a lost task.
QString redisSays(const QString &socket, const QString &taskId)
{
    auto cli = [&](const QStringList &args) {
        QProcess p;
        p.start(u"redis-cli"_s, QStringList{u"-s"_s, socket} + args);
        p.waitForFinished(10000);
        return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    };
    QStringList found;
    for (const QString &stream : cli({u"--scan"_s, u"--pattern"_s, u"hive:q:*"_s})) {
        const QStringList range = cli({u"XRANGE"_s, stream, u"-"_s, u"+"_s});
        for (qsizetype i = 0; i + 2 < range.size(); ++i) {
            if (range[i + 1] != u"task"_s || range[i + 2] != taskId)
                continue;
            const QStringList pending
                = cli({u"XPENDING"_s, stream, u"workers"_s, range[i], range[i], u"1"_s});
            found << u"%1 entry %2%3"_s.arg(stream, range[i])
                         .arg(pending.size() >= 2 ? u" pending for consumer "_s + pending[1]
                                                  : u" not delivered"_s);
        }
    }
    return found.isEmpty() ? u"in no Redis stream"_s : found.join(u"; "_s);
}

double elapsedS(const QElapsedTimer &t)
{
    return double(t.elapsed()) / 1000.0;
}

void copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = to + u'/' + QDir(from).relativeFilePath(file);
        QDir().mkpath(QFileInfo(target).absolutePath());
        QFile::copy(file, target);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Chaos benchmark: tasks through agenthive and hive-runner while runners, Redis, "
        "PostgreSQL and the app are killed and restarted; checks that every task ends exactly "
        "once and that event clients reconnecting with ?since= miss nothing."_s);
    parser.addHelpOption();
    const QCommandLineOption seedOpt(u"seed"_s, u"random seed (default: a random one)"_s, u"S"_s);
    const QCommandLineOption tasksOpt(
        u"tasks"_s, u"tasks to run (default 1000)"_s, u"N"_s, u"1000"_s);
    const QCommandLineOption workersOpt(
        u"workers"_s, u"worker agents (default 20)"_s, u"W"_s, u"20"_s);
    const QCommandLineOption durationOpt(
        u"duration"_s, u"seconds of fault injection (default 60)"_s, u"SECONDS"_s, u"60"_s);
    const QCommandLineOption intervalOpt(
        u"fault-interval"_s, u"mean seconds between faults (default 3)"_s, u"SECONDS"_s, u"3"_s);
    const QCommandLineOption faultsOpt(
        u"faults"_s,
        u"fault kinds to inject: runner (kill -9), redis (restart), postgres (stop, start), app "
        "(kill -9, start), stall (a runner frozen for 20 s, past the heartbeat grace); default "
        "all"_s,
        u"LIST"_s,
        u"runner,redis,postgres,app,stall"_s);
    const QCommandLineOption settleOpt(
        u"settle"_s,
        u"seconds to wait after the faults for every task to end (default 180)"_s,
        u"SECONDS"_s,
        u"180"_s);
    const QCommandLineOption taskTimeOpt(
        u"task-seconds"_s,
        u"longest task (fake-agent sleep=U(0.1 × S, S); default 2): long enough that faults "
        "meet tasks running"_s,
        u"S"_s,
        u"2"_s);
    parser.addOptions({seedOpt,
                       tasksOpt,
                       workersOpt,
                       durationOpt,
                       intervalOpt,
                       faultsOpt,
                       settleOpt,
                       taskTimeOpt});
    parser.process(app);

    const quint32 seed = parser.isSet(seedOpt) ? parser.value(seedOpt).toUInt()
                                               : QRandomGenerator::global()->generate() % 1000000;
    const int tasks = qMax(1, parser.value(tasksOpt).toInt());
    const int workers = qMax(1, parser.value(workersOpt).toInt());
    const double durationS = qMax(1.0, parser.value(durationOpt).toDouble());
    const double intervalS = qMax(0.2, parser.value(intervalOpt).toDouble());
    const int settleS = qMax(10, parser.value(settleOpt).toInt());
    const double taskS = qMax(0.0, parser.value(taskTimeOpt).toDouble());
    QList<Kind> kinds;
    for (const QString &k : parser.value(faultsOpt).split(u',', Qt::SkipEmptyParts)) {
        bool known = false;
        for (Kind kind : kKinds)
            if (kindKey(kind) == k.trimmed()) {
                kinds << kind;
                known = true;
            }
        if (!known) {
            fprintf(stderr,
                    "bench_chaos: --faults: unknown kind '%s' (runner, redis, postgres, app, "
                    "stall)\n",
                    qPrintable(k));
            return 2;
        }
    }
    const QString repro = u"bench_chaos --seed %1 --tasks %2 --workers %3 --duration %4 "
                          "--fault-interval %5 --faults %6 --task-seconds %7"_s.arg(seed)
                              .arg(tasks)
                              .arg(workers)
                              .arg(durationS)
                              .arg(intervalS)
                              .arg(parser.value(faultsOpt))
                              .arg(taskS);
    printf("Agent Hive chaos benchmark: %s\n", qPrintable(repro));
    QRandomGenerator rng(seed);
    auto uniform = [&rng](double lo, double hi) {
        return lo + (hi - lo) * rng.generateDouble();
    };

    QElapsedTimer total;
    total.start();
    allowCoreDumps();
    Test::HiveFixture fx;
    if (auto r = fx.start(); !r) {
        fprintf(stderr, "fixture: %s\n", qPrintable(r.error().message));
        return 3;
    }
    const QString dataDir = fx.path(u"data"_s);
    const QString runsDir = fx.path(u"runs"_s);
    QDir().mkpath(runsDir);
    writeFakeProfile(dataDir, u"fake"_s);
    AppProcess hive({u"--headless"_s,
                     u"--data-dir"_s,
                     dataDir,
                     u"--api-port"_s,
                     u"0"_s,
                     u"--tmux-socket"_s,
                     fx.tmuxSocket(),
                     u"--database-url"_s,
                     fx.databaseUrl(),
                     u"--redis-url"_s,
                     fx.redisUrl()},
                    fx.path(u"home"_s),
                    fx.path(u"agenthive.out"_s));
    hive.start();
    QString why;
    if (!hive.waitReady(60000, &why)) {
        fprintf(stderr, "%s\n%s\n", qPrintable(why), qPrintable(hive.outputTail()));
        return 3;
    }
    auto api = [&] {
        return Endpoint::tcp(quint16(readFileTrimmed(dataDir + u"/api-port"_s).toUInt()));
    };
    const QByteArray token = readFileTrimmed(dataDir + u"/api-token"_s);
    Pg pg(fx.databaseUrl(), u"chaos"_s);

    // The event clients, from before the first agent exists.
    QThread followerThread;
    followerThread.start();
    QList<EventFollower *> followers{new EventFollower(EventFollower::Mode::WebSocket, dataDir),
                                     new EventFollower(EventFollower::Mode::Polling, dataDir)};
    for (EventFollower *f : std::as_const(followers)) {
        f->moveToThread(&followerThread);
        QMetaObject::invokeMethod(f, [f] { f->begin(); });
    }
    {
        QElapsedTimer wait; // so that the first agent's events are not before the first connection
        wait.start();
        while (followers.first()->connections == 0 && wait.elapsed() < 5000)
            QThread::msleep(20);
    }

    // Figures.
    std::map<Kind, int> injected;
    int skippedFaults = 0, runnerExitsNotInjected = 0, appExitsNotInjected = 0;
    int stalledRunnersEnded = 0;
    int spawns = 0, spawnRefusals = 0, submitRefusals = 0, uncertainAnswers = 0;
    double longestAppRestartS = 0;
    QStringList harnessNotes;
    QStringList endedOnTheirOwn; // agent ids of runners that ended without a fault
    QSet<qint64> knownRunners, killedRunners, stalledRunners;
    QHash<qint64, QString> runnerAgents; // pid → agent id

    // Workers.
    int agentCounter = 0;
    QList<qint64> recentSpawns; // when agents were spawned whose runner may not be up yet
    QElapsedTimer clock;
    clock.start();
    auto spawnWorker = [&] {
        const QByteArray body
            = QJsonDocument(QJsonObject{{u"type"_s, u"chaos"_s},
                                        {u"profile"_s, u"fake"_s},
                                        {u"name"_s, u"w%1"_s.arg(++agentCounter)}})
                  .toJson(QJsonDocument::Compact);
        const HttpAnswer a = api().request("POST", "/api/v1/agents", token, body, 15000);
        if (a.status == 201) {
            ++spawns;
            recentSpawns << clock.elapsed();
            return true;
        }
        ++spawnRefusals;
        if (a.answered && a.status != 503 && harnessNotes.size() < 20)
            harnessNotes << u"POST /agents answered %1: %2"_s.arg(a.status).arg(
                QString::fromUtf8(a.body.left(200)));
        return false;
    };
    for (int i = 0; i < workers; ++i)
        spawnWorker();
    {
        QElapsedTimer wait;
        wait.start();
        while (runnerPids(dataDir).size() < workers && wait.elapsed() < 60000)
            QThread::msleep(100);
        for (qint64 p : runnerPids(dataDir))
            knownRunners.insert(p);
        printf("%d workers up after %.1f s (%lld runners)\n",
               workers,
               elapsedS(total),
               qlonglong(knownRunners.size()));
    }

    // Tasks: submitted evenly over the first 60% of the fault phase.
    const qint64 chaosMs = qint64(durationS * 1000);
    QList<Submission> subs;
    for (int i = 0; i < tasks; ++i) {
        Submission s;
        s.title = u"chaos-%1"_s.arg(i);
        s.prompt = u"sleep=%1 touch=%2/%3"_s.arg(uniform(0.1 * taskS, taskS), 0, 'f', 2)
                       .arg(runsDir, s.title);
        s.dueMs = qint64(double(i) * 0.6 * double(chaosMs) / double(tasks));
        subs << s;
    }
    auto trySubmit
        = [&](Submission &s) {
              s.lastTryMs = clock.elapsed();
              const QByteArray body = QJsonDocument(QJsonObject{{u"prompt"_s, s.prompt},
                                                                {u"title"_s, s.title},
                                                                {u"agent_type"_s, u"chaos"_s},
                                                                {u"max_attempts"_s, 100}})
                                          .toJson(QJsonDocument::Compact);
              const HttpAnswer a = api().request("POST", "/api/v1/tasks", token, body, 5000);
              if (a.status == 201) {
                  s.ids = {a.json().object().value(u"id").toString()};
                  s.state = Submission::State::Created;
              } else if (!a.connected) {
                  s.state = Submission::State::Pending; // nothing reached the app
              } else if (!a.answered || a.status == 503) {
                  // It may have been stored before the answer was lost: PostgreSQL will say.
                  ++uncertainAnswers;
                  s.state = Submission::State::Uncertain;
              } else {
                  ++submitRefusals;
                  if (harnessNotes.size() < 20)
                      harnessNotes
                          << u"POST /tasks (%1) answered %2: %3"_s.arg(s.title).arg(a.status).arg(
                                 QString::fromUtf8(a.body.left(200)));
                  if (++s.refusals >= 20)
                      s.state = Submission::State::GaveUp;
              }
          };
    auto resolveUncertain = [&](Submission &s) {
        const auto rows = pg.rows(u"SELECT id::text FROM tasks WHERE title = ?"_s, {s.title});
        if (!rows)
            return;
        s.ids.clear();
        for (const QVariantList &r : *rows)
            s.ids << r.first().toString();
        s.state = s.ids.isEmpty() ? Submission::State::Pending : Submission::State::Created;
    };

    // The faults.
    struct Active
    {
        bool on = false;
        Kind kind = Kind::Runner;
        qint64 upAtMs = 0;
        bool appStarting = false;
        qint64 appStartedMs = 0;
        int appStartTries = 0;
    } fault;
    qint64 nextFaultMs = clock.elapsed() + qint64(intervalS * 1000 * uniform(0.5, 1.5));
    const qint64 chaosEndMs = clock.elapsed() + chaosMs;
    qint64 lastTopUpMs = 0, lastRunnerScanMs = 0, lastSettleCheckMs = 0;
    bool settled = false;
    const qint64 settleEndMs = chaosEndMs + qint64(settleS) * 1000;
    bool harnessFailed = false;
    qint64 settledAtMs = 0;

    auto appUp = [&] {
        return !(fault.on && fault.kind == Kind::App);
    };
    QList<Frozen> stalled;
    auto thaw = [&](bool all) {
        for (Frozen &f : stalled)
            reapThreads(f.threads);
        stalled.removeIf([&](const Frozen &f) {
            if (!all && clock.elapsed() < f.until)
                return false;
            thawThreads(f.threads);
            for (qint64 p : f.children)
                ::kill(pid_t(p), SIGCONT);
            return true;
        });
    };
    auto scheduleNext = [&] {
        nextFaultMs = clock.elapsed() + qint64(intervalS * 1000 * uniform(0.5, 1.5));
    };
    auto inject = [&] {
        if (kinds.isEmpty())
            return;
        // Runners are killed or frozen at once: the next fault is due after the interval. The
        // others end in recover(), which schedules the next.
        const Kind k = kinds.at(int(rng.bounded(quint32(kinds.size()))));
        // The target and the length of the outage come from the seed whatever happens next.
        const quint32 pick = rng.generate();
        const qint64 downMs
            = k == Kind::App ? qint64(uniform(0, 2000)) : qint64(uniform(500, 3000));
        fault.kind = k;
        switch (k) {
        case Kind::Stall: {
            // A runner (and the command it runs) frozen past the heartbeat grace, then thawed:
            // the app has given its task to another agent by then.
            QList<qint64> pids = runnerPids(dataDir);
            pids.removeIf([&](qint64 p) {
                return std::any_of(stalled.cbegin(), stalled.cend(), [p](const Frozen &f) {
                    return f.threads.contains(p);
                });
            });
            // Every other one an idle runner (an entry may be handed to it while it is frozen),
            // the others a busy one (its task is given to another agent meanwhile).
            const bool idle = injected[k] % 2 == 0;
            if (const auto rows = pg.rows(u"SELECT id::text FROM agents WHERE status = ?"_s,
                                          {idle ? u"idle"_s : u"busy"_s})) {
                QSet<QString> wanted;
                for (const QVariantList &r : *rows)
                    wanted.insert(r.first().toString());
                QList<qint64> preferred = pids;
                preferred.removeIf([&](qint64 p) { return !wanted.contains(runnerAgentId(p)); });
                if (!preferred.isEmpty())
                    pids = preferred;
            }
            scheduleNext();
            if (pids.isEmpty()) {
                ++skippedFaults;
                return;
            }
            const QList<qint64> tree = withDescendants(pids.at(int(pick % quint32(pids.size()))));
            Frozen f;
            f.threads = freezeThreads(tree.first());
            f.children = tree.mid(1);
            for (qint64 p : std::as_const(f.children))
                ::kill(pid_t(p), SIGSTOP);
            f.until = clock.elapsed() + kStallMs;
            if (f.threads.isEmpty())
                harnessNotes << u"could not freeze hive-runner %1 (ptrace)"_s.arg(tree.first());
            stalled.append(f);
            stalledRunners.insert(tree.first());
            ++injected[k];
            return;
        }
        case Kind::Runner: {
            const QList<qint64> pids = runnerPids(dataDir);
            scheduleNext();
            if (pids.isEmpty()) {
                ++skippedFaults;
                return;
            }
            const qint64 victim = pids.at(int(pick % quint32(pids.size())));
            killedRunners.insert(victim);
            ::kill(pid_t(victim), SIGKILL);
            ++injected[k];
            return;
        }
        case Kind::Redis:
            if (auto r = fx.redis().stop(); !r)
                harnessNotes << u"stopping Redis: %1"_s.arg(r.error().message);
            break;
        case Kind::Postgres:
            if (auto r = fx.postgres().stop(); !r)
                harnessNotes << u"stopping PostgreSQL: %1"_s.arg(r.error().message);
            break;
        case Kind::App:
            hive.kill();
            break;
        }
        ++injected[k];
        fault.on = true;
        fault.upAtMs = clock.elapsed() + downMs;
    };
    auto recover = [&] {
        switch (fault.kind) {
        case Kind::Runner:
        case Kind::Stall:
            break;
        case Kind::Redis:
            if (auto r = fx.redis().start(); !r) {
                harnessNotes << u"starting Redis: %1"_s.arg(r.error().message);
                return; // again at the next tick
            }
            break;
        case Kind::Postgres:
            if (auto r = fx.postgres().start(); !r) {
                harnessNotes << u"starting PostgreSQL: %1"_s.arg(r.error().message);
                return;
            }
            break;
        case Kind::App:
            if (!fault.appStarting) {
                hive.start();
                fault.appStarting = true;
                fault.appStartedMs = clock.elapsed();
                ++fault.appStartTries;
                return;
            }
            if (hive.ready()) {
                longestAppRestartS = qMax(longestAppRestartS,
                                          double(clock.elapsed() - fault.appStartedMs) / 1000.0);
                fault.appStarting = false;
                fault.appStartTries = 0;
                break;
            }
            if (hive.running() && clock.elapsed() - fault.appStartedMs < 60000)
                return;
            harnessNotes << u"agenthive did not come back (try %1): %2"_s.arg(fault.appStartTries)
                                .arg(hive.outputTail(1500));
            hive.kill();
            fault.appStarting = false;
            if (fault.appStartTries >= 3)
                harnessFailed = true;
            return;
        }
        fault.on = false;
        scheduleNext();
    };

    printf("faults for %.0f s, one every ~%.1f s; %d tasks submitted over the first %.0f s\n",
           durationS,
           intervalS,
           tasks,
           0.6 * durationS);
    while (!harnessFailed) {
        QCoreApplication::processEvents();
        const qint64 now = clock.elapsed();
        // Faults.
        thaw(false);
        if (fault.on && now >= fault.upAtMs)
            recover();
        else if (!fault.on && now < chaosEndMs && now >= nextFaultMs)
            inject();
        if (!fault.on && !hive.running()) {
            ++appExitsNotInjected;
            harnessNotes << u"agenthive exited on its own (code %1): %2"_s.arg(hive.exitCode())
                                .arg(hive.outputTail(1500));
            fault = Active{true, Kind::App, now, false, 0, 0};
        }
        // Tasks.
        if (appUp()) {
            int budget = 20;
            for (Submission &s : subs) {
                if (budget == 0)
                    break;
                if (s.state == Submission::State::Pending && s.dueMs <= now
                    && now - s.lastTryMs > 300) {
                    trySubmit(s);
                    --budget;
                } else if (s.state == Submission::State::Uncertain && now - s.lastTryMs > 3000) {
                    resolveUncertain(s);
                    s.lastTryMs = now;
                    --budget;
                }
            }
        }
        // Runners: note the ones that ended without being killed here; keep W alive.
        if (now - lastRunnerScanMs > 1000) {
            lastRunnerScanMs = now;
            const QList<qint64> pids = runnerPids(dataDir);
            const QSet<qint64> alive(pids.cbegin(), pids.cend());
            for (qint64 p : pids)
                if (!runnerAgents.contains(p))
                    runnerAgents.insert(p, runnerAgentId(p));
            for (qint64 p : std::as_const(knownRunners))
                if (!alive.contains(p) && stalledRunners.contains(p)) {
                    ++stalledRunnersEnded;
                } else if (!alive.contains(p) && !killedRunners.contains(p)) {
                    ++runnerExitsNotInjected;
                    endedOnTheirOwn << runnerAgents.value(p);
                    if (harnessNotes.size() < 20)
                        harnessNotes << u"hive-runner %1 (logs/runner-%2.log) ended without being "
                                        "killed, at %3 s"_s.arg(p)
                                            .arg(runnerAgents.value(p))
                                            .arg(double(now) / 1000.0, 0, 'f', 1);
                }
            knownRunners = alive;
            recentSpawns.removeIf([now](qint64 t) { return now - t > 10000; });
            if (appUp() && hive.ready() && now - lastTopUpMs > 1000
                && pids.size() + recentSpawns.size() < workers) {
                lastTopUpMs = now;
                spawnWorker();
            }
        }
        // The end: faults over, every task submitted and finished (or out of time).
        if (now >= chaosEndMs && !fault.on && now - lastSettleCheckMs > 1000) {
            lastSettleCheckMs = now;
            const bool allSubmitted
                = std::all_of(subs.cbegin(), subs.cend(), [](const Submission &s) {
                      return s.state == Submission::State::Created
                             || s.state == Submission::State::GaveUp;
                  });
            const auto open = pg.scalar(
                u"SELECT count(*) FROM tasks WHERE agent_type = 'chaos' AND status NOT IN "
                "('succeeded', 'failed', 'cancelled')"_s);
            if (allSubmitted && open && *open == 0 && stalled.isEmpty()) {
                settled = true;
                settledAtMs = now;
                break;
            }
            if (now >= settleEndMs)
                break;
        }
        QThread::msleep(20);
    }
    thaw(true);
    const double chaosS = double(chaosMs) / 1000.0;
    const double settleTookS
        = double((settled ? settledAtMs : clock.elapsed()) - chaosEndMs) / 1000.0;

    // The clients catch up with the last event, then stop.
    const qint64 maxEvent = pg.scalar(u"SELECT coalesce(max(id), 0) FROM events"_s).value_or(0);
    {
        QElapsedTimer wait;
        wait.start();
        while (wait.elapsed() < 15000
               && std::any_of(followers.cbegin(), followers.cend(), [&](EventFollower *f) {
                      return !f->routeMissingFlag && f->lastSeq < maxEvent;
                  }))
            QThread::msleep(100);
    }
    // Stopped in their thread: from here on nothing changes their figures.
    for (EventFollower *f : std::as_const(followers))
        QMetaObject::invokeMethod(f, [f] { f->finish(); }, Qt::BlockingQueuedConnection);

    // What PostgreSQL says.
    struct Row
    {
        QString id, title, status, outcomes, error;
        qint64 succeededRuns = 0, runs = 0, attempts = 0;
    };
    QList<Row> rows;
    const auto taskRows = pg.rows(
        u"SELECT t.id::text, t.title, t.status, t.attempts, coalesce(t.error, ''), "
        "count(r.id) FILTER (WHERE r.outcome = 'succeeded'), count(r.id), "
        "coalesce(string_agg(r.outcome, ',' ORDER BY r.id), '') "
        "FROM tasks t LEFT JOIN task_runs r ON r.task_id = t.id WHERE t.agent_type = 'chaos' "
        "GROUP BY t.id ORDER BY t.title"_s);
    if (!taskRows) {
        fprintf(stderr, "cannot read the tasks: %s\n", qPrintable(pg.lastError()));
        harnessFailed = true;
    }
    for (const QVariantList &r : taskRows.value_or(QList<QVariantList>()))
        rows << Row{r[0].toString(),
                    r[1].toString(),
                    r[2].toString(),
                    r[7].toString(),
                    r[4].toString(),
                    r[5].toLongLong(),
                    r[6].toLongLong(),
                    r[3].toLongLong()};
    QList<Row> lost, duplicated, inconsistent;
    std::map<QString, int> lostByStatus;
    for (const Row &r : std::as_const(rows)) {
        if (r.succeededRuns == 0) {
            lost << r;
            ++lostByStatus[r.status];
        } else if (r.succeededRuns > 1) {
            duplicated << r;
        } else if (r.status != u"succeeded"_s) {
            inconsistent << r;
        }
    }
    QSet<QString> titles;
    int duplicateSubmissions = 0;
    for (const Row &r : std::as_const(rows)) {
        if (titles.contains(r.title))
            ++duplicateSubmissions;
        titles.insert(r.title);
    }
    const qsizetype notSubmitted
        = std::count_if(subs.cbegin(), subs.cend(), [](const Submission &s) {
              return s.state != Submission::State::Created;
          });
    const auto doubleFinishEvents = pg.scalar(
        u"SELECT count(*) FROM (SELECT task_id FROM events WHERE type = 'task.succeeded' "
        "AND task_id IN (SELECT id FROM tasks WHERE agent_type = 'chaos') "
        "GROUP BY task_id HAVING count(*) > 1) d"_s);
    // How often the agent command ran per task (fake-agent appends a line per run).
    std::map<int, int> executions;
    for (const Row &r : std::as_const(rows)) {
        QFile f(runsDir + u'/' + r.title);
        const int n = f.open(QIODevice::ReadOnly) ? int(f.readAll().count('\n')) : 0;
        ++executions[qMin(n, 3)];
    }

    // Events: every id in PostgreSQL must have reached each client.
    const auto eventRows = pg.rows(u"SELECT id, type FROM events ORDER BY id"_s);
    QList<std::pair<qint64, QString>> events;
    if (eventRows)
        for (const QVariantList &r : *eventRows)
            events << std::pair{r[0].toLongLong(), r[1].toString()};

    // Figures.
    printf("\n== faults injected (%.0f s, seed %u)\n", chaosS, seed);
    int totalFaults = 0;
    for (Kind k : kKinds) {
        printf("  %-30s %d\n", qPrintable(kindLabel(k)), injected[k]);
        totalFaults += injected[k];
    }
    printf("  %-30s %d (skipped: %d; longest app restart %.1f s)\n",
           "total",
           totalFaults,
           skippedFaults,
           longestAppRestartS);
    printf("  not injected but seen: %d hive-runner exits, %d agenthive exits (and %d frozen "
           "runners ended by the app, as it should)\n",
           runnerExitsNotInjected,
           appExitsNotInjected,
           stalledRunnersEnded);
    printf("  workers spawned %d (%d refused, e.g. while PostgreSQL was down)\n",
           spawns,
           spawnRefusals);
    printf("== tasks\n");
    printf("  submitted %d: %lld rows in PostgreSQL, %lld never created, %d duplicate rows after "
           "unanswered POSTs (%d unanswered or 503, %d other refusals)\n",
           tasks,
           qlonglong(rows.size()),
           qlonglong(notSubmitted),
           duplicateSubmissions,
           uncertainAnswers,
           submitRefusals);
    printf("  succeeded exactly once: %lld\n",
           qlonglong(rows.size() - lost.size() - duplicated.size() - inconsistent.size()));
    printf("  duplicates (more than one succeeded run): %lld\n", qlonglong(duplicated.size()));
    QStringList byStatus;
    for (const auto &[status, n] : lostByStatus)
        byStatus << u"%1 %2"_s.arg(status).arg(n);
    printf("  lost (no succeeded run): %lld%s\n",
           qlonglong(lost.size()),
           byStatus.isEmpty() ? "" : qPrintable(u" (status: "_s + byStatus.join(u", "_s) + u")"_s));
    printf("  inconsistent (one succeeded run, status not succeeded): %lld\n",
           qlonglong(inconsistent.size()));
    printf("  tasks with more than one task.succeeded event: %lld\n",
           qlonglong(doubleFinishEvents.value_or(-1)));
    printf("  agent command runs per task: once %d, twice %d, 3+ %d, never %d (re-runs are "
           "expected after a killed runner)\n",
           executions[1],
           executions[2],
           executions[3],
           executions[0]);
    auto showTasks = [](const char *what, const QList<Row> &list) {
        for (qsizetype i = 0; i < qMin<qsizetype>(list.size(), 10); ++i)
            printf("    %s %s %s: status %s, attempts %lld, runs [%s]%s\n",
                   what,
                   qPrintable(list[i].title),
                   qPrintable(list[i].id),
                   qPrintable(list[i].status),
                   list[i].attempts,
                   qPrintable(list[i].outcomes),
                   list[i].error.isEmpty() ? ""
                                           : qPrintable(u", error: "_s + list[i].error.left(160)));
    };
    showTasks("lost", lost);
    for (qsizetype i = 0; i < qMin<qsizetype>(lost.size(), 10); ++i)
        printf("    Redis, %s: %s\n",
               qPrintable(lost[i].title),
               qPrintable(redisSays(fx.path(u"redis/redis.sock"_s), lost[i].id)));
    showTasks("duplicate", duplicated);
    showTasks("inconsistent", inconsistent);

    printf("== events: %lld in PostgreSQL (max seq %lld)\n", qlonglong(events.size()), maxEvent);
    int eventFailures = 0;
    for (EventFollower *f : std::as_const(followers)) {
        if (!f->routeMissing.isEmpty()) {
            printf("  %s: %s\n", qPrintable(f->name()), qPrintable(f->routeMissing));
            ++eventFailures;
            continue;
        }
        const qint64 last = f->lastSeq;
        QList<std::pair<qint64, QString>> gaps, undelivered;
        for (const auto &e : std::as_const(events)) {
            if (f->seen.count(e.first))
                continue;
            (e.first <= last ? gaps : undelivered) << e;
        }
        qint64 phantoms = 0;
        QSet<qint64> ids;
        for (const auto &e : std::as_const(events))
            ids.insert(e.first);
        for (const auto &[seq, times] : f->seen)
            if (!ids.contains(seq))
                ++phantoms;
        const QString how = f->pages > 0 ? u"%1 pages"_s.arg(f->pages)
                                         : u"%1 connections"_s.arg(f->connections.load());
        printf("  %s: %s, %lld events seen up to seq %lld; gaps (missing below the last seen) "
               "%lld, never delivered after it %lld, out of order %lld, seen twice %lld, without "
               "seq %lld, not in PostgreSQL %lld\n",
               qPrintable(f->name()),
               qPrintable(how),
               qlonglong(f->seen.size()),
               last,
               qlonglong(gaps.size()),
               qlonglong(undelivered.size()),
               f->outOfOrder,
               f->duplicates,
               f->withoutSeq,
               phantoms);
        QStringList sample;
        for (qsizetype i = 0; i < qMin<qsizetype>(gaps.size(), 12); ++i)
            sample << u"%1 %2"_s.arg(gaps[i].first).arg(gaps[i].second);
        if (!sample.isEmpty())
            printf("    first gaps: %s\n", qPrintable(sample.join(u", "_s)));
        for (const QString &a : std::as_const(f->anomalies))
            printf("    %s\n", qPrintable(a));
        if (!gaps.isEmpty() || !undelivered.isEmpty() || f->withoutSeq > 0)
            ++eventFailures;
    }
    for (const QString &n : std::as_const(harnessNotes))
        printf("  note: %s\n", qPrintable(n));
    const QStringList cores = findCores(fx.dir());
    for (const QString &c : cores)
        printf("  crashed (core dump): %s\n", qPrintable(c));
    // Why a runner ended on its own: what the app said about its agent, and its own last words.
    for (const QString &id : std::as_const(endedOnTheirOwn)) {
        QString name;
        if (const auto r = pg.rows(u"SELECT name FROM agents WHERE id = ?::uuid"_s, {id});
            r && !r->isEmpty())
            name = r->first().first().toString();
        printf("  runner of agent %s (%s) ended on its own:\n", qPrintable(name), qPrintable(id));
        QFile appLog(dataDir + u"/logs/agenthive.log"_s);
        if (appLog.open(QIODevice::ReadOnly))
            for (const QByteArray &line : appLog.readAll().split('\n'))
                if (!name.isEmpty() && line.contains(QByteArray(" " + name.toUtf8() + " "))
                    && line.contains("[warning]"))
                    printf("    app: %s\n", line.left(240).constData());
        QFile runnerLog(dataDir + u"/logs/runner-%1.log"_s.arg(id));
        if (runnerLog.open(QIODevice::ReadOnly)) {
            const QList<QByteArray> lines = runnerLog.readAll().trimmed().split('\n');
            for (qsizetype i = qMax<qsizetype>(0, lines.size() - 3); i < lines.size(); ++i)
                printf("    runner: %s\n", lines.at(i).left(240).constData());
        }
    }
    printf("== time: %.1f s in all (faults %.1f s, then %.1f s until every task had ended%s)\n",
           elapsedS(total),
           chaosS,
           settleTookS,
           settled ? "" : ", NOT SETTLED: out of time");

    QStringList failures;
    if (!lost.isEmpty())
        failures << u"%1 lost"_s.arg(lost.size());
    if (!duplicated.isEmpty())
        failures << u"%1 run twice"_s.arg(duplicated.size());
    if (!inconsistent.isEmpty())
        failures << u"%1 inconsistent"_s.arg(inconsistent.size());
    if (notSubmitted > 0)
        failures << u"%1 could not be submitted"_s.arg(notSubmitted);
    if (eventFailures > 0)
        failures << u"%1 event client(s) missed events or found no replay route"_s.arg(
            eventFailures);
    if (harnessFailed)
        failures << u"the app did not come back"_s;
    if (!cores.isEmpty())
        failures << u"%1 core dump(s)"_s.arg(cores.size());
    if (!failures.isEmpty()) {
        const QString keep
            = Test::testRoot()
              + u"/chaos-seed%1-%2"_s.arg(seed).arg(QCoreApplication::applicationPid());
        hive.terminate(30000);
        copyTree(dataDir + u"/logs"_s, keep + u"/logs"_s);
        for (const QString &c : cores) {
            const QString path = c.section(u" ("_s, 0, 0);
            QFile::rename(
                path, keep + u"/"_s + QDir(fx.dir()).relativeFilePath(path).replace(u'/', u'_'));
        }
        QFile::copy(fx.path(u"agenthive.out"_s), keep + u"/agenthive.out"_s);
        printf("RESULT: FAIL (%s)\n  logs kept in %s\n  again: %s\n",
               qPrintable(failures.join(u", "_s)),
               qPrintable(keep),
               qPrintable(repro));
    } else {
        printf("RESULT: PASS\n");
    }
    hive.terminate(30000);
    for (EventFollower *f : std::as_const(followers))
        QMetaObject::invokeMethod(f, [f] { delete f; }, Qt::BlockingQueuedConnection);
    followerThread.quit();
    followerThread.wait();
    if (harnessFailed)
        return 3;
    return failures.isEmpty() ? 0 : 1;
}
