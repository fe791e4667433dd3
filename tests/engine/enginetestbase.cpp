// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/engine/enginetestbase.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive::Test {

void EngineTestBase::writeProfile(const QString &name, const QStringList &command)
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/%1.json"_s.arg(name)));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QJsonArray cmd = QJsonArray::fromStringList(command);
    f.write(QJsonDocument(
                QJsonObject{{u"name"_s, name}, {u"command"_s, cmd}, {u"interactive"_s, false}})
                .toJson());
}

void EngineTestBase::startEngine()
{
    Engine::Options o = m_fx->engineOptions();
    if (m_configure)
        m_configure(o);
    m_engine = std::make_unique<Engine>(o);
    connect(
        m_engine.get(), &Engine::eventReceived, this, [this](const Event &e) { m_events << e; });
    auto started = wait(m_engine->start());
    QVERIFY_OK(started);
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
    startApi();
}

void EngineTestBase::startApi()
{
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = m_fx->dir();
    m_api = std::make_unique<ApiServer>(o, m_engine.get());
    QVERIFY_OK(wait(m_api->start()));
}

void EngineTestBase::stopEngine()
{
    m_api.reset();
    m_engine.reset();
}

void EngineTestBase::initTestCase()
{
    m_fx = std::make_unique<HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"fake"_s, {HiveFixture::fakeAgent(), u"{prompt}"_s});
    writeProfile(u"fake-json"_s, {HiveFixture::fakeAgent(), u"--stream-json"_s, u"{prompt}"_s});
    writeProfile(u"missing"_s, {u"/nonexistent/agent-cli"_s, u"{prompt}"_s});
    startEngine();
}

void EngineTestBase::init()
{
    // A test that failed half-way may have left the engine stopped.
    if (!m_engine)
        startEngine();
}

void EngineTestBase::cleanupTestCase()
{
    stopEngine();
    m_fx.reset();
}

Agent EngineTestBase::spawnWorker(const QString &type, const QString &profile, const QString &name)
{
    SpawnRequest r;
    r.type = type;
    r.profile = profile;
    r.name = name;
    auto a = wait(m_engine->spawn(r));
    if (!a)
        qWarning() << a.error().message;
    return a ? waitAgent(a->id, [](const Agent &x) { return x.status == Agent::Status::Idle; })
             : Agent();
}

Task EngineTestBase::createTask(const QString &prompt,
                                const QString &type,
                                int priority,
                                const QStringList &deps,
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

Task EngineTestBase::waitTask(const QString &id, std::function<bool(const Task &)> until, int ms)
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

Agent EngineTestBase::waitAgent(const QString &id, std::function<bool(const Agent &)> until, int ms)
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

int EngineTestBase::runsWithOutcome(const QString &taskId, const QString &outcome)
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

qint64 EngineTestBase::panePid(const QString &session)
{
    QProcess p;
    p.start(u"tmux"_s,
            {u"-L"_s,
             m_fx->tmuxSocket(),
             u"list-panes"_s,
             u"-t"_s,
             u"="_s + session + u":"_s,
             u"-F"_s,
             u"#{pane_pid}"_s});
    p.waitForFinished(5000);
    return p.readAllStandardOutput().trimmed().toLongLong();
}

bool EngineTestBase::finished(const Task &t)
{
    return t.isFinished();
}

} // namespace Hive::Test
