// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/engine/enginetestbase.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Hive;

// Tasks through the whole engine (see EngineTestBase): results out, events published, cost from
// stream-json, priorities, dependencies, cancel, a command that cannot start, and text that
// arrives byte for byte.
class tst_EngineTasks : public Test::EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void taskRunsAndEventsArePublished();
    void streamJsonCost();
    void prioritiesAreHonoured();
    void dependenciesAreHonoured();
    void cancelStopsARunningTask();
    void commandThatCannotStartFails();
    void textArrivesByteForByteAndRunsNothing();
};

void tst_EngineTasks::taskRunsAndEventsArePublished()
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
    QVERIFY2(done.result->output.contains(u"PROMPT:hello world"_s),
             qPrintable(done.result->output));
    QVERIFY(done.result->durationMs >= 0);
    QCOMPARE(done.agentId, a.id);
    QCOMPARE(done.attempts, 1);
    // The events, in order, with increasing sequence numbers.
    QStringList types;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            types.clear();
            for (const Event &e : std::as_const(m_events))
                if (e.task && e.task->id == t.id)
                    types << e.type;
            return types.contains(u"task.succeeded"_s);
        }(),
        5000);
    QCOMPARE(types,
             (QStringList{
                 u"task.created"_s, u"task.assigned"_s, u"task.started"_s, u"task.succeeded"_s}));
    qint64 seq = 0;
    for (const Event &e : std::as_const(m_events)) {
        if (e.task && e.task->id == t.id) {
            QVERIFY(e.seq > seq);
            seq = e.seq;
        }
    }
    // The pane's log file (pipe-pane) has the agent's output.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QFile log(m_fx->path(u"logs/%1.log"_s.arg(a.name)));
            return log.open(QIODevice::ReadOnly) && log.readAll().contains("PROMPT:hello world");
        }(),
        5000);
}

void tst_EngineTasks::streamJsonCost()
{
    const Agent a = spawnWorker(u"json"_s, u"fake-json"_s);
    const Task t = createTask(u"with cost=0.125"_s, u"json"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result && done.result->costUsd);
    QCOMPARE(*done.result->costUsd, 0.125);
    // Stored raw; shown readable on the agent's terminal (its pane log), not as JSON.
    QVERIFY(done.result->output.contains(u"\"type\":\"result\""_s));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QFile log(m_fx->path(u"logs/%1.log"_s.arg(a.name)));
            return log.open(QIODevice::ReadOnly) && log.readAll().contains("done, cost $0.1250");
        }(),
        5000);
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

void tst_EngineTasks::prioritiesAreHonoured()
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
    std::sort(done.begin(), done.end(), [](const Task &a, const Task &b) {
        return a.startedAt < b.startedAt;
    });
    QStringList order;
    for (const Task &t : done)
        order << t.title;
    QCOMPARE(order,
             (QStringList{u"prio 9 #2"_s,
                          u"prio 7 #5"_s,
                          u"prio 5 #1"_s,
                          u"prio 5 #4"_s,
                          u"prio 1 #0"_s,
                          u"prio 0 #3"_s}));
}

void tst_EngineTasks::dependenciesAreHonoured()
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

void tst_EngineTasks::cancelStopsARunningTask()
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
    const Agent idle
        = waitAgent(a.id, [](const Agent &x) { return x.status == Agent::Status::Idle; }, 15000);
    QCOMPARE(idle.status, Agent::Status::Idle);
    QVERIFY(clock.elapsed() < 15000);
    QCOMPARE(wait(m_engine->task(t.id))->status, Task::Status::Cancelled);
    // And it takes the next task.
    const Task next = createTask(u"after cancel"_s, u"cancel"_s);
    QCOMPARE(waitTask(next.id, finished).status, Task::Status::Succeeded);
    // Retry brings the cancelled task back; it runs to the end this time (short now? no: same
    // prompt).
    auto retried = wait(m_engine->retryTask(next.id));
    QVERIFY(!retried);
    QCOMPARE(retried.error().kind, Error::Kind::Conflict);
}

void tst_EngineTasks::commandThatCannotStartFails()
{
    spawnWorker(u"broken"_s, u"missing"_s);
    const Task t = createTask(u"anything"_s, u"broken"_s);
    const Task done = waitTask(t.id, finished);
    QCOMPARE(done.status, Task::Status::Failed);
    QVERIFY2(done.error.contains(u"cannot start"_s)
                 && done.error.contains(u"/nonexistent/agent-cli"_s),
             qPrintable(done.error));
}

void tst_EngineTasks::textArrivesByteForByteAndRunsNothing()
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

QTEST_GUILESS_MAIN(tst_EngineTasks)
#include "tst_engine_tasks.moc"
