// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Pause and resume a worker against the real engine (PostgreSQL, Redis, tmux, hive-runner with the
// fake agent CLI): a paused worker finishes its task and claims no new one, a task queued meanwhile
// waits (its stream entry kept) and runs once the worker is resumed; the store refuses a paused
// agent's claim; the runner learns the pause on its heartbeat and stops reading, rather than
// having claim after claim refused.
#include "tests/engine/enginetestbase.h"

#include <QFile>
#include <QFileInfo>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Test;

class tst_EngineOperate : public EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void pausedWorkerFinishesItsTaskAndTakesNoNew();
    void claimOfAPausedAgentIsRefused();
    void pauseRefusesInteractiveAndEndedAgents();
    void stopRefusesABusyWorkerAndStartBringsItBack();

private:
    QString pane(const QString &agentId)
    {
        auto text = wait(m_engine->output(agentId, 200));
        return text ? *text : QString();
    }
    // The agent's row with a heartbeat written after `after`.
    Agent heartbeatAfter(const QString &agentId, const QDateTime &after)
    {
        return waitAgent(agentId, [after](const Agent &a) {
            return a.lastHeartbeat.isValid() && a.lastHeartbeat > after;
        });
    }
};

void tst_EngineOperate::pausedWorkerFinishesItsTaskAndTakesNoNew()
{
    const Agent w = spawnWorker(u"pz"_s);
    QVERIFY(!w.id.isEmpty());
    const Task first = createTask(u"sleep=2 first"_s, u"pz"_s);
    waitTask(first.id, [](const Task &t) { return t.status == Task::Status::Running; });

    // Paused while it runs: the task goes on to its end.
    const auto paused = wait(m_engine->setPaused(w.id, true));
    QVERIFY_OK(paused);
    QVERIFY(paused->paused);
    QCOMPARE(waitTask(first.id, finished).status, Task::Status::Succeeded);
    QCOMPARE(waitAgent(w.id, [](const Agent &a) { return a.status == Agent::Status::Idle; }).status,
             Agent::Status::Idle);

    // A task queued meanwhile waits: the runner said it is paused, and two heartbeats later the
    // task is still queued, with its stream entry, and the runner did not try claim after claim.
    const Task second = createTask(u"second"_s, u"pz"_s);
    QTRY_VERIFY_WITH_TIMEOUT(pane(w.id).contains(u"paused: no new tasks until resumed"_s), 10000);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const Agent beat = heartbeatAfter(w.id, now);
    heartbeatAfter(w.id, beat.lastHeartbeat);
    auto waiting = wait(m_engine->task(second.id));
    QVERIFY_OK(waiting);
    QCOMPARE(waiting->status, Task::Status::Queued);
    QVERIFY(waiting->agentId.isEmpty());
    QVERIFY2(pane(w.id).count(u"the agent is paused"_s) <= 1, qPrintable(pane(w.id)));

    // Resumed: it takes the task that waited.
    const auto resumed = wait(m_engine->setPaused(w.id, false));
    QVERIFY_OK(resumed);
    QVERIFY(!resumed->paused);
    const Task done = waitTask(second.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, w.id);
    QCOMPARE(done.attempts, 1);
    bool sawPaused = false, sawResumed = false;
    for (const Event &e : std::as_const(m_events)) {
        sawPaused |= e.type == u"agent.paused"_s && e.agent && e.agent->id == w.id;
        sawResumed |= e.type == u"agent.resumed"_s && e.agent && e.agent->id == w.id;
    }
    QVERIFY(sawPaused);
    QVERIFY(sawResumed);
}

// The guarantee at claim time, whatever the runner knows: a paused agent's claim is refused with
// code agent_paused and the task stays queued, for another agent.
void tst_EngineOperate::claimOfAPausedAgentIsRefused()
{
    Database db;
    QVERIFY_OK(db.open(m_fx->databaseUrl(), u"operate-side"_s));
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = u"paused-claimer"_s;
    a.type = u"nobody"_s;
    a.profile = u"fake"_s;
    a.status = Agent::Status::Idle;
    a.tmuxSession = a.name;
    a.workdir = m_fx->dir();
    QVERIFY_OK(db.insertAgent(a));
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"for nobody"_s;
    t.agentType = u"nobody"_s;
    QVERIFY_OK(db.createTask(t));
    QVERIFY_OK(db.setAgentPaused(a.id, true));
    auto refused = db.claimTask(t.id, a.id);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, u"agent_paused"_s);
    QCOMPARE(db.task(t.id)->status, Task::Status::Queued);
    QVERIFY_OK(db.setAgentPaused(a.id, false));
    auto claimed = db.claimTask(t.id, a.id);
    QVERIFY_OK(claimed);
    QVERIFY(claimed->task);
    QCOMPARE(db.task(t.id)->status, Task::Status::Assigned);
    QVERIFY_OK(db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_EngineOperate::pauseRefusesInteractiveAndEndedAgents()
{
    QFile f(m_fx->path(u"profiles/fake-chat.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(uR"({"name": "fake-chat", "command": ["%1", "--interactive"], "interactive": true})"_s
                .arg(HiveFixture::fakeAgent())
                .toUtf8());
    f.close();
    SpawnRequest r;
    r.type = u"chat"_s;
    r.profile = u"fake-chat"_s;
    auto chat = wait(m_engine->spawn(r));
    QVERIFY_OK(chat);
    auto refused = wait(m_engine->setPaused(chat->id, true));
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Conflict);
    QVERIFY2(refused.error().message.contains(u"interactive"_s),
             qPrintable(refused.error().message));
    QVERIFY_OK(wait(m_engine->kill(chat->id)));
    auto ended = wait(m_engine->setPaused(chat->id, true));
    QVERIFY(!ended);
    QCOMPARE(ended.error().kind, Error::Kind::Conflict);
    auto unknown
        = wait(m_engine->setPaused(QUuid::createUuid().toString(QUuid::WithoutBraces), true));
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().kind, Error::Kind::NotFound);
}

// Stop refuses an agent at work (kill is for that); an idle worker stops and starts again as the
// same agent (id, name, folder), and takes tasks again.
void tst_EngineOperate::stopRefusesABusyWorkerAndStartBringsItBack()
{
    const Agent w = spawnWorker(u"st"_s);
    QVERIFY(!w.id.isEmpty());
    const Task busy = createTask(u"sleep=2 busy"_s, u"st"_s);
    waitTask(busy.id, [](const Task &t) { return t.status == Task::Status::Running; });
    auto refused = wait(m_engine->stopAgent(w.id));
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Conflict);
    QVERIFY2(refused.error().message.contains(busy.id), qPrintable(refused.error().message));
    QCOMPARE(waitTask(busy.id, finished).status, Task::Status::Succeeded);
    waitAgent(w.id, [](const Agent &a) { return a.status == Agent::Status::Idle; });

    auto stopped = wait(m_engine->stopAgent(w.id));
    QVERIFY_OK(stopped);
    QCOMPARE(stopped->status, Agent::Status::Stopped);
    QVERIFY(QFileInfo(w.workdir).isDir()); // its folder is kept

    auto started = wait(m_engine->startAgent(w.id));
    QVERIFY_OK(started);
    QCOMPARE(started->id, w.id);
    QCOMPARE(started->name, w.name);
    QCOMPARE(started->workdir, w.workdir);
    waitAgent(w.id, [](const Agent &a) { return a.status == Agent::Status::Idle; });
    auto again = wait(m_engine->startAgent(w.id)); // it runs: nothing to start
    QVERIFY(!again);
    QCOMPARE(again.error().kind, Error::Kind::Conflict);
    const Task after = createTask(u"after the start"_s, u"st"_s);
    const Task done = waitTask(after.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, w.id);
}

QTEST_GUILESS_MAIN(tst_EngineOperate)
#include "tst_engine_operate.moc"
