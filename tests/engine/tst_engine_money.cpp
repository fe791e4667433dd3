// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiserver.h"
#include "tests/engine/enginetestbase.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// Resources, money and limits (docs/architecture.md, "Money and limits"): each agent's CPU and
// memory, the per-type cap and the free-memory guard at spawn, costs per agent, type and day, the
// daily budget (warning at 80 %, dispatch stopped at 100 %), and a profile paused by a rate limit
// until its reset, against the real services with hive-runner in tmux.
class tst_EngineMoney : public Test::EngineTestBase
{
    Q_OBJECT

public:
    tst_EngineMoney()
    {
        m_configure = [this](Engine::Options &o) {
            o.resourcesMs = 500;
            o.maxAgentsPerType = m_perType;
            o.minFreeMemoryBytes = m_minFree;
        };
    }

private Q_SLOTS:
    void cleanup();
    void busyAgentShowsItsResources();
    void perTypeCapRefusesAndChangesNothing();
    void lowMemoryRefusesAndChangesNothing();
    void costsPerAgentTypeAndDay();
    void budgetWarnsAtEightyAndStopsAtHundred();
    void rateLimitPausesTheProfileUntilTheReset();

private:
    void restart();
    void killAll();
    // A request over the API's Unix socket (no token there): the status and the JSON body.
    static std::pair<int, QJsonDocument> call(const QString &socket,
                                              const QByteArray &method,
                                              const QByteArray &path,
                                              const QByteArray &body = {});
    int liveAgents();
    bool sessionExists(const QString &name);
    bool hasEvent(const QString &type) const;

    QHash<QString, int> m_perType;
    qint64 m_minFree = 0;
};

std::pair<int, QJsonDocument> tst_EngineMoney::call(const QString &socket,
                                                    const QByteArray &method,
                                                    const QByteArray &path,
                                                    const QByteArray &body)
{
    QLocalSocket s;
    s.connectToServer(socket);
    if (!s.waitForConnected(5000))
        return {0, {}};
    s.write(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            + (body.isEmpty() ? QByteArray()
                              : "Content-Type: application/json\r\nContent-Length: "
                                    + QByteArray::number(body.size()) + "\r\n")
            + "\r\n" + body);
    QByteArray reply;
    QDeadlineTimer d(30000);
    while (s.state() == QLocalSocket::ConnectedState && !d.hasExpired()) {
        QTest::qWait(5);
        reply += s.readAll();
    }
    reply += s.readAll();
    const int status = reply.mid(9, 3).toInt();
    return {status, QJsonDocument::fromJson(reply.mid(reply.indexOf("\r\n\r\n") + 4))};
}

// A test that failed half-way may have left a cap or the guard on: the next one starts without.
void tst_EngineMoney::cleanup()
{
    if (m_perType.isEmpty() && m_minFree == 0)
        return;
    m_perType.clear();
    m_minFree = 0;
    restart();
}

void tst_EngineMoney::restart()
{
    m_engine.reset();
    startEngine();
}

void tst_EngineMoney::killAll()
{
    auto agents = wait(m_engine->agents());
    QVERIFY_OK(agents);
    for (const Agent &a : *agents)
        if (a.isAlive())
            QVERIFY_OK(wait(m_engine->kill(a.id)));
}

int tst_EngineMoney::liveAgents()
{
    auto agents = wait(m_engine->agents());
    if (!agents)
        return -1;
    return int(std::count_if(
        agents->cbegin(), agents->cend(), [](const Agent &a) { return a.isAlive(); }));
}

bool tst_EngineMoney::sessionExists(const QString &name)
{
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, m_fx->tmuxSocket(), u"has-session"_s, u"-t"_s, u"="_s + name});
    p.waitForFinished(5000);
    return p.exitCode() == 0;
}

bool tst_EngineMoney::hasEvent(const QString &type) const
{
    return std::any_of(
        m_events.cbegin(), m_events.cend(), [&](const Event &e) { return e.type == type; });
}

// A worker running a busy loop: its tree's CPU and memory in the engine's agents and in GET
// /api/v1/agents (cpu_percent > 0, rss_bytes > 0).
void tst_EngineMoney::busyAgentShowsItsResources()
{
    writeProfile(u"spin"_s, {u"sh"_s, u"-c"_s, u"while :; do :; done"_s, u"{prompt}"_s});
    const Agent a = spawnWorker(u"busy"_s, u"spin"_s, u"busy-1"_s);
    QVERIFY(!a.id.isEmpty());
    const Task t = createTask(u"spin"_s, u"busy"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    const Agent seen = waitAgent(a.id, [](const Agent &x) {
        return x.cpuPercent.value_or(0) > 10 && x.rssBytes.value_or(0) > 0;
    });
    QVERIFY2(seen.cpuPercent.value_or(0) > 10,
             qPrintable(u"cpu %1"_s.arg(seen.cpuPercent.value_or(-1))));
    QVERIFY(seen.rssBytes.value_or(0) > 100 * 1024);

    auto [status, agents] = call(m_api->socketPath(), "GET", "/api/v1/agents?status=busy");
    QCOMPARE(status, 200);
    QJsonObject mine;
    for (const QJsonValue &v : agents.array())
        if (v.toObject().value(u"id").toString() == a.id)
            mine = v.toObject();
    QVERIFY2(mine.value(u"cpu_percent").toDouble() > 10, agents.toJson().constData());
    QVERIFY(mine.value(u"rss_bytes").toInteger() > 100 * 1024);

    QVERIFY_OK(wait(m_engine->cancelTask(t.id)));
    killAll();
}

// With --max-agents-per-type capped=1: the second agent of that type is refused (409
// agent_type_limit, naming the limit) and nothing is made; other types still spawn.
void tst_EngineMoney::perTypeCapRefusesAndChangesNothing()
{
    m_perType = {{u"capped"_s, 1}};
    restart();
    const Agent first = spawnWorker(u"capped"_s, u"fake"_s, u"capped-1"_s);
    QVERIFY(!first.id.isEmpty());
    const int before = liveAgents();
    SpawnRequest r;
    r.type = u"capped"_s;
    r.profile = u"fake"_s;
    r.name = u"capped-2"_s;
    auto refused = wait(m_engine->spawn(r));
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Conflict);
    QCOMPARE(refused.error().code, u"agent_type_limit"_s);
    QVERIFY2(refused.error().message.contains(u"--max-agents-per-type capped=1"_s),
             qPrintable(refused.error().message));
    QCOMPARE(liveAgents(), before);
    QVERIFY(!sessionExists(u"capped-2"_s));
    QVERIFY(!QFileInfo::exists(m_fx->path(u"workspace/capped-2"_s)));

    auto [status, error] = call(m_api->socketPath(),
                                "POST",
                                "/api/v1/agents",
                                R"({"type":"capped","profile":"fake","name":"capped-3"})");
    QCOMPARE(status, 409);
    QCOMPARE(error.object().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"agent_type_limit"_s);
    QCOMPARE(liveAgents(), before);

    // Another type has no cap of its own.
    QVERIFY(!spawnWorker(u"uncapped"_s, u"fake"_s, u"uncapped-1"_s).id.isEmpty());
    killAll();
    m_perType.clear();
    restart();
}

// With less memory available than --min-free-memory-mb asks: refused (409 low_memory, naming the
// flag), nothing made; with the guard off (0) the same spawn goes.
void tst_EngineMoney::lowMemoryRefusesAndChangesNothing()
{
    m_minFree = qint64(1) << 50; // a petabyte: more than any host has
    restart();
    const int before = liveAgents();
    SpawnRequest r;
    r.type = u"memory"_s;
    r.profile = u"fake"_s;
    r.name = u"memory-1"_s;
    auto refused = wait(m_engine->spawn(r));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, u"low_memory"_s);
    QVERIFY2(refused.error().message.contains(u"--min-free-memory-mb"_s)
                 && refused.error().message.contains(u"MiB available"_s),
             qPrintable(refused.error().message));
    QCOMPARE(liveAgents(), before);
    QVERIFY(!sessionExists(u"memory-1"_s));

    auto [status, error] = call(m_api->socketPath(),
                                "POST",
                                "/api/v1/agents",
                                R"({"type":"memory","profile":"fake","name":"memory-2"})");
    QCOMPARE(status, 409);
    QCOMPARE(error.object().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"low_memory"_s);
    QCOMPARE(liveAgents(), before);

    m_minFree = 0;
    restart();
    QVERIFY(!spawnWorker(u"memory"_s, u"fake"_s, u"memory-1"_s).id.isEmpty());
    killAll();
}

// The costs Claude-like CLIs report are summed per agent, per type and per (UTC) day.
void tst_EngineMoney::costsPerAgentTypeAndDay()
{
    auto before = wait(m_engine->costs(7));
    QVERIFY_OK(before);
    const Agent a = spawnWorker(u"costly"_s, u"fake-json"_s, u"costly-1"_s);
    const Agent b = spawnWorker(u"cheap"_s, u"fake-json"_s, u"cheap-1"_s);
    const QList<std::pair<QString, QString>> runs{
        {u"cost=0.25"_s, u"costly"_s}, {u"cost=0.5"_s, u"costly"_s}, {u"cost=0.125"_s, u"cheap"_s}};
    for (const auto &[prompt, type] : runs) {
        const Task t = createTask(prompt, type);
        QCOMPARE(Task::statusName(waitTask(t.id, finished).status), u"succeeded"_s);
    }
    auto costs = wait(m_engine->costs(7));
    QVERIFY_OK(costs);
    QCOMPARE(costs->perDay.size(), 7);
    QCOMPARE(costs->perDay.last().day, QDateTime::currentDateTimeUtc().date());
    QCOMPARE(costs->perDay.last().usd, before->perDay.last().usd + 0.875);
    QCOMPARE(costs->today, before->today + 0.875);
    auto agentCost = [&](const QString &id) {
        for (const auto &x : costs->perAgent)
            if (x.agentId == id)
                return std::pair(x.usd, x.runs);
        return std::pair(-1.0, -1);
    };
    QCOMPARE(agentCost(a.id), std::pair(0.75, 2));
    QCOMPARE(agentCost(b.id), std::pair(0.125, 1));
    auto typeCost = [&](const QString &type) {
        for (const auto &x : costs->perType)
            if (x.type == type)
                return x.usd;
        return -1.0;
    };
    QCOMPARE(typeCost(u"costly"_s), 0.75);
    QCOMPARE(typeCost(u"cheap"_s), 0.125);

    auto [status, body] = call(m_api->socketPath(), "GET", "/api/v1/costs?days=3");
    QCOMPARE(status, 200);
    QCOMPARE(body.object().value(u"per_day").toArray().size(), 3);
    QCOMPARE(body.object().value(u"per_type").toArray().size(), costs->perType.size());
    auto [bad, error] = call(m_api->socketPath(), "GET", "/api/v1/costs?days=0");
    QVERIFY2(bad == 400 || bad == 422, qPrintable(QString::number(bad)));
    QVERIFY(error.object()
                .value(u"error"_s)
                .toObject()
                .value(u"message")
                .toString()
                .contains(u"days"_s));
    killAll();
}

// A daily budget: budget.warning once 80 % is spent, budget.exhausted at 100 %, and then no task
// is handed out (the claim is refused in PostgreSQL, the task stays queued) until the budget is
// raised; then it runs by itself.
void tst_EngineMoney::budgetWarnsAtEightyAndStopsAtHundred()
{
    auto spent = wait(m_engine->costs(1));
    QVERIFY_OK(spent);
    const double base = spent->today;
    QVERIFY_OK(wait(m_engine->setDailyBudget(base + 1.0)));
    const Agent a = spawnWorker(u"budget"_s, u"fake-json"_s, u"budget-1"_s);
    m_events.clear();

    const Task first = createTask(u"cost=0.85"_s, u"budget"_s);
    QCOMPARE(Task::statusName(waitTask(first.id, finished).status), u"succeeded"_s);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(u"budget.warning"_s), 10000);
    QVERIFY(!hasEvent(u"budget.exhausted"_s));
    const Task second = createTask(u"cost=0.2"_s, u"budget"_s);
    QCOMPARE(Task::statusName(waitTask(second.id, finished).status), u"succeeded"_s);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(u"budget.exhausted"_s), 10000);
    for (const Event &e : std::as_const(m_events))
        if (e.type == u"budget.exhausted"_s)
            QCOMPARE(e.data.value(u"percent").toInt(), 100);

    auto report = wait(m_engine->costs(1));
    QVERIFY_OK(report);
    QCOMPARE(report->budgetState(), u"exhausted"_s);

    // Held: the next task stays queued, and a claim made by hand is refused.
    const Task third = createTask(u"cost=0.01"_s, u"budget"_s);
    QTest::qWait(1500); // time for the runner to try (it is refused, the task stays queued)
    QCOMPARE(Task::statusName(wait(m_engine->task(third.id))->status), u"queued"_s);
    {
        Database db;
        QVERIFY_OK(db.open(m_fx->databaseUrl(), u"budgetprobe"_s));
        auto claim = db.claimTask(third.id, a.id);
        QVERIFY(!claim);
        QCOMPARE(claim.error().code, u"budget_exhausted"_s);
        QVERIFY2(claim.error().message.contains(u"daily budget"_s),
                 qPrintable(claim.error().message));
        auto t = db.task(third.id);
        QVERIFY_OK(t);
        QCOMPARE(Task::statusName(t->status), u"queued"_s);
        QCOMPARE(t->attempts, 0);
    }
    // Raised: it runs by itself.
    QVERIFY_OK(wait(m_engine->setDailyBudget(base + 5.0)));
    QCOMPARE(Task::statusName(waitTask(third.id, finished, 30000).status), u"succeeded"_s);
    QVERIFY_OK(wait(m_engine->setDailyBudget(std::nullopt)));
    killAll();
}

// An agent CLI that says "usage limit reached|<reset>": its task goes back to the queue without
// using up an attempt, its profile is paused until the reset (claims refused in PostgreSQL), and
// the task runs again by itself once the reset has passed.
void tst_EngineMoney::rateLimitPausesTheProfileUntilTheReset()
{
    // Limited on the first run (the marker file does not exist yet), fine on the next.
    writeProfile(u"limited"_s,
                 {u"sh"_s,
                  u"-c"_s,
                  u"if [ -e \"$1\" ]; then echo done; exit 0; fi; : > \"$1\"; "
                  "echo \"Claude AI usage limit reached|$(( $(date +%s) + 5 ))\"; exit 1"_s,
                  u"sh"_s,
                  u"{prompt}"_s});
    const Agent a = spawnWorker(u"limited"_s, u"limited"_s, u"limited-1"_s);
    const QString marker = m_fx->path(u"limited-marker"_s);
    m_events.clear();
    const QDateTime started = QDateTime::currentDateTimeUtc();
    const Task t = createTask(marker, u"limited"_s, 0, {}, 1);

    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(u"profile.rate_limited"_s), 20000);
    auto limits = wait(m_engine->profileLimits());
    QVERIFY_OK(limits);
    QCOMPARE(limits->size(), 1);
    QCOMPARE(limits->first().profile, u"limited"_s);
    QVERIFY(limits->first().until > started.addSecs(2));
    QVERIFY(limits->first().until < started.addSecs(10));
    QVERIFY(limits->first().reason.contains(u"usage limit reached"_s));
    // Queued again, the attempt given back (max_attempts is 1: a counted attempt would fail it).
    const Task queued = wait(m_engine->task(t.id)).value();
    QCOMPARE(Task::statusName(queued.status), u"queued"_s);
    QCOMPARE(queued.attempts, 0);
    // A claim made by hand while the limit holds (well before its end) is refused.
    if (QDateTime::currentDateTimeUtc() < limits->first().until.addSecs(-2)) {
        Database db;
        QVERIFY_OK(db.open(m_fx->databaseUrl(), u"limitprobe"_s));
        auto claim = db.claimTask(t.id, a.id);
        QVERIFY(!claim);
        QCOMPARE(claim.error().code, u"rate_limited"_s);
        QVERIFY2(claim.error().message.contains(u"profile limited is rate-limited until"_s),
                 qPrintable(claim.error().message));
    }
    // Resumes by itself after the reset.
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(Task::statusName(done.status), u"succeeded"_s);
    QCOMPARE(done.attempts, 1);
    QVERIFY(QDateTime::currentDateTimeUtc() >= limits->first().until);
    QCOMPARE(runsWithOutcome(t.id, u"failed"_s), 1);
    QVERIFY(wait(m_engine->profileLimits())->isEmpty());
    killAll();
}

QTEST_GUILESS_MAIN(tst_EngineMoney)
#include "tst_engine_money.moc"
