// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The task state machine's decisions, without a database.
#include "services/store/taskstates.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;
using S = Task::Status;

class TestTaskStates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initial_data();
    void initial();
    void afterAttempt();
    void afterAgentEnded();
    void cancelAndRetry();
};

void TestTaskStates::initial_data()
{
    QTest::addColumn<QList<Task::Status>>("deps");
    QTest::addColumn<Task::Status>("expected");
    QTest::newRow("no dependencies") << QList<S>{} << S::Queued;
    QTest::newRow("all succeeded") << QList<S>{S::Succeeded, S::Succeeded} << S::Queued;
    QTest::newRow("one running") << QList<S>{S::Succeeded, S::Running} << S::Blocked;
    QTest::newRow("one failed") << QList<S>{S::Queued, S::Failed} << S::Failed;
    QTest::newRow("failed wins over blocked, any order")
        << QList<S>{S::Failed, S::Queued} << S::Failed;
    QTest::newRow("one cancelled") << QList<S>{S::Cancelled} << S::Failed;
}

void TestTaskStates::initial()
{
    QFETCH(QList<Task::Status>, deps);
    QFETCH(Task::Status, expected);
    QCOMPARE(Task::statusName(TaskStates::initial(deps)), Task::statusName(expected));
}

void TestTaskStates::afterAttempt()
{
    Task t;
    t.maxAttempts = 3;
    t.attempts = 1;
    QCOMPARE(TaskStates::afterAttempt(t, true), S::Succeeded);
    QCOMPARE(TaskStates::afterAttempt(t, false), S::Queued);
    QCOMPARE(TaskStates::afterAttempt(t, false, /*retryable=*/false),
             S::Failed); // e.g. a denied permission
    t.attempts = 3;
    QCOMPARE(TaskStates::afterAttempt(t, false), S::Failed);
    QCOMPARE(TaskStates::afterAttempt(t, true), S::Succeeded);
}

void TestTaskStates::afterAgentEnded()
{
    Task t;
    t.maxAttempts = 2;
    t.attempts = 2;
    // Killed: handed back, the attempt not counted, even with none left.
    auto killed = TaskStates::afterAgentEnded(t, Agent::Status::Stopped);
    QCOMPARE(killed.status, S::Queued);
    QVERIFY(!killed.attemptCounted);
    // Lost: counted; no attempts left → failed.
    auto lost = TaskStates::afterAgentEnded(t, Agent::Status::Lost);
    QCOMPARE(lost.status, S::Failed);
    QVERIFY(lost.attemptCounted);
    t.attempts = 1;
    QCOMPARE(TaskStates::afterAgentEnded(t, Agent::Status::Lost).status, S::Queued);
}

void TestTaskStates::cancelAndRetry()
{
    Task t;
    t.id = u"t1"_s;
    for (S s : {S::Blocked, S::Queued, S::Assigned, S::Running}) {
        t.status = s;
        QCOMPARE(TaskStates::mayCancel(t).value_or(false), true);
        QVERIFY(!TaskStates::mayRetry(t));
        QCOMPARE(TaskStates::mayRetry(t).error().kind, Error::Kind::Conflict);
    }
    t.status = S::Cancelled;
    QCOMPARE(TaskStates::mayCancel(t).value_or(true), false); // nothing to do
    QVERIFY(TaskStates::mayRetry(t));
    for (S s : {S::Succeeded, S::Failed}) {
        t.status = s;
        const auto may = TaskStates::mayCancel(t);
        QVERIFY(!may);
        QCOMPARE(may.error().kind, Error::Kind::Conflict);
        QVERIFY2(may.error().message.contains(Task::statusName(s)),
                 qPrintable(may.error().message));
    }
    t.status = S::Failed;
    QVERIFY(TaskStates::mayRetry(t));
    t.status = S::Succeeded;
    QVERIFY(!TaskStates::mayRetry(t));
}

QTEST_GUILESS_MAIN(TestTaskStates)
#include "tst_taskstates.moc"
