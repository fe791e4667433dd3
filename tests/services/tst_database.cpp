// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// The store's state machine against a real PostgreSQL: every change with its event row, claims
// fenced by state, dependencies, attempts, cancel and retry.
class tst_Database : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void agentLifecycle();
    void taskRunsToSuccess();
    void claimIsExclusive();
    void failedAttemptRetriesThenFails();
    void dependencies();
    void dependencyFailureCascades();
    void cancelAndRetry();
    void lostAgentRequeuesItsTask();
    void textArrivesByteForByte();
    void badInputChangesNothing();

private:
    Agent makeAgent(const QString &name, const QString &type = u"dev"_s);
    Task makeTask(const QString &prompt,
                  int priority = 0,
                  const QStringList &deps = {},
                  int maxAttempts = 3);
    qint64 eventCount();

    std::unique_ptr<Test::HiveFixture> m_fx;
    Database m_db;
};

void tst_Database::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>(Test::HiveFixture::Postgres);
    auto s = m_fx->start();
    QVERIFY_OK(s);
    auto o = m_db.open(m_fx->databaseUrl(), u"tst"_s);
    QVERIFY_OK(o);
    auto m = m_db.migrate();
    QVERIFY_OK(m);
}

void tst_Database::cleanupTestCase()
{
    m_db.close();
    m_fx.reset();
}

Agent tst_Database::makeAgent(const QString &name, const QString &type)
{
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = name;
    a.type = type;
    a.profile = u"shell"_s;
    a.tmuxSession = name;
    a.workdir = u"/tmp"_s;
    auto c = m_db.insertAgent(a);
    if (!c)
        qWarning() << c.error().message;
    return c ? *c->agent : a;
}

Task tst_Database::makeTask(const QString &prompt,
                            int priority,
                            const QStringList &deps,
                            int maxAttempts)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt.left(20);
    t.agentType = u"dev"_s;
    t.priority = priority;
    t.dependsOn = deps;
    t.maxAttempts = maxAttempts;
    auto c = m_db.createTask(t);
    if (!c)
        qWarning() << c.error().message;
    return c ? *c->task : t;
}

qint64 tst_Database::eventCount()
{
    Database &db = m_db;
    auto all = db.tasks({});
    Q_UNUSED(all);
    QSqlQuery q(QSqlDatabase::database(u"tst"_s));
    q.exec(u"SELECT count(*) FROM events"_s);
    q.next();
    return q.value(0).toLongLong();
}

void tst_Database::agentLifecycle()
{
    const qint64 before = eventCount();
    Agent a = makeAgent(u"alpha"_s);
    QCOMPARE(a.status, Agent::Status::Starting);
    QVERIFY(a.createdAt.isValid());
    auto dup = m_db.insertAgent([&] {
        Agent b = a;
        b.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        return b;
    }());
    QVERIFY(!dup);
    QCOMPARE(dup.error().kind, Error::Kind::Conflict);
    QVERIFY(dup.error().message.contains(u"alpha"_s));

    auto idle = m_db.setAgentStatus(a.id, Agent::Status::Idle);
    QVERIFY(idle);
    QCOMPARE(idle->events.size(), 1);
    QCOMPARE(idle->events[0].type, u"agent.status"_s);
    auto same = m_db.setAgentStatus(a.id, Agent::Status::Idle);
    QVERIFY(same && same->events.isEmpty());

    auto ended = m_db.endAgent(a.id, Agent::Status::Stopped, u"killed"_s);
    QVERIFY(ended);
    QCOMPARE(ended->events.last().type, u"agent.killed"_s);
    QCOMPARE(eventCount(), before + 3);
    // The name is free again.
    Agent again = makeAgent(u"alpha"_s);
    QVERIFY(again.id != a.id);
    QVERIFY(m_db.endAgent(again.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::taskRunsToSuccess()
{
    Agent a = makeAgent(u"runner1"_s);
    Task t = makeTask(u"hello"_s);
    QCOMPARE(t.status, Task::Status::Queued);
    auto claim = m_db.claimTask(t.id, a.id);
    QVERIFY(claim && claim->task);
    QCOMPARE(claim->task->status, Task::Status::Assigned);
    QCOMPARE(claim->task->attempts, 1);
    QCOMPARE(claim->agent->status, Agent::Status::Busy);
    auto start = m_db.startTask(t.id, a.id);
    QVERIFY(start && start->task);
    QCOMPARE(start->task->status, Task::Status::Running);
    TaskResult r{0, u"out"_s, 42, 0.25, {}};
    auto fin = m_db.finishTask(t.id, a.id, r, true);
    QVERIFY_OK(fin);
    QCOMPARE(fin->task->status, Task::Status::Succeeded);
    QVERIFY(fin->task->result);
    QCOMPARE(fin->task->result->output, u"out"_s);
    QCOMPARE(fin->task->result->durationMs, 42);
    QCOMPARE(*fin->task->result->costUsd, 0.25);
    QCOMPARE(fin->agent->status, Agent::Status::Idle);
    QStringList types;
    for (const Event &e : fin->events)
        types << e.type;
    QVERIFY2(types.contains(u"task.succeeded"_s), qPrintable(types.join(u',')));
    // Events carry increasing sequence numbers.
    QVERIFY(fin->events.first().seq > start->events.first().seq);
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::claimIsExclusive()
{
    Agent a = makeAgent(u"c1"_s);
    Agent b = makeAgent(u"c2"_s);
    Task t = makeTask(u"once"_s);
    auto first = m_db.claimTask(t.id, a.id);
    auto second = m_db.claimTask(t.id, b.id);
    QVERIFY(first && first->task);
    QVERIFY(second && !second->task);
    // A result from an agent the task is not assigned to is ignored.
    auto stale = m_db.finishTask(t.id, b.id, TaskResult{0, u"x"_s, 1, {}, {}}, true);
    QVERIFY(stale);
    QVERIFY(!stale->task);
    QCOMPARE(m_db.task(t.id)->status, Task::Status::Assigned);
    QVERIFY(m_db.finishTask(t.id, a.id, TaskResult{0, u"ok"_s, 1, {}, {}}, true));
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
    QVERIFY(m_db.endAgent(b.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::failedAttemptRetriesThenFails()
{
    Agent a = makeAgent(u"f1"_s);
    Task t = makeTask(u"flaky"_s, 0, {}, 2);
    QVERIFY(m_db.claimTask(t.id, a.id)->task);
    auto f1 = m_db.finishTask(t.id, a.id, TaskResult{1, u"e1"_s, 1, {}, {}}, false);
    QVERIFY(f1);
    QCOMPARE(f1->task->status, Task::Status::Queued);
    QCOMPARE(f1->enqueue.size(), 1);
    QVERIFY(m_db.claimTask(t.id, a.id)->task);
    auto f2 = m_db.finishTask(t.id, a.id, TaskResult{2, u"e2"_s, 1, {}, {}}, false);
    QVERIFY(f2);
    QCOMPARE(f2->task->status, Task::Status::Failed);
    QCOMPARE(f2->task->attempts, 2);
    QCOMPARE(f2->task->result->exitCode, 2);
    QVERIFY(f2->enqueue.isEmpty());
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::dependencies()
{
    Agent a = makeAgent(u"d1"_s);
    Task first = makeTask(u"first"_s);
    Task second = makeTask(u"second"_s);
    Task after = makeTask(u"after both"_s, 5, {first.id, second.id});
    QCOMPARE(after.status, Task::Status::Blocked);
    QCOMPARE(after.dependsOn.size(), 2);
    QVERIFY(m_db.claimTask(first.id, a.id)->task);
    auto f = m_db.finishTask(first.id, a.id, TaskResult{0, {}, 1, {}, {}}, true);
    QVERIFY(f && f->enqueue.isEmpty());
    QCOMPARE(m_db.task(after.id)->status, Task::Status::Blocked);
    QVERIFY(m_db.claimTask(second.id, a.id)->task);
    auto g = m_db.finishTask(second.id, a.id, TaskResult{0, {}, 1, {}, {}}, true);
    QVERIFY(g);
    QCOMPARE(g->enqueue.size(), 1);
    QCOMPARE(g->enqueue[0].id, after.id);
    QCOMPARE(m_db.task(after.id)->status, Task::Status::Queued);
    // A task depending on succeeded tasks is queued at once.
    Task late = makeTask(u"late"_s, 0, {first.id});
    QCOMPARE(late.status, Task::Status::Queued);
    QVERIFY(m_db.cancelTask(late.id));
    QVERIFY(m_db.cancelTask(after.id));
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::dependencyFailureCascades()
{
    Agent a = makeAgent(u"d2"_s);
    Task root = makeTask(u"root"_s, 0, {}, 1);
    Task child = makeTask(u"child"_s, 0, {root.id});
    Task grandchild = makeTask(u"grandchild"_s, 0, {child.id});
    QVERIFY(m_db.claimTask(root.id, a.id)->task);
    auto f = m_db.finishTask(root.id, a.id, TaskResult{3, {}, 1, {}, {}}, false);
    QVERIFY(f);
    const Task c = *m_db.task(child.id);
    QCOMPARE(c.status, Task::Status::Failed);
    QVERIFY2(c.error.contains(root.id), qPrintable(c.error));
    const Task g = *m_db.task(grandchild.id);
    QCOMPARE(g.status, Task::Status::Failed);
    QVERIFY2(g.error.contains(child.id), qPrintable(g.error));
    // Depending on a failed task fails at once, naming it.
    Task doomed = makeTask(u"doomed"_s, 0, {root.id});
    QCOMPARE(doomed.status, Task::Status::Failed);
    QVERIFY(doomed.error.contains(root.id));
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::cancelAndRetry()
{
    Agent a = makeAgent(u"cr"_s);
    Task t = makeTask(u"to cancel"_s);
    QVERIFY(m_db.claimTask(t.id, a.id)->task);
    QVERIFY(m_db.startTask(t.id, a.id));
    auto c = m_db.cancelTask(t.id);
    QVERIFY(c);
    QCOMPARE(c->task->status, Task::Status::Cancelled);
    QCOMPARE(c->stopAgentId, a.id);
    // The runner's late result does not undo the cancel, and the agent is idle again.
    auto late = m_db.finishTask(t.id, a.id, TaskResult{0, {}, 1, {}, {}}, true);
    QVERIFY(late);
    QCOMPARE(m_db.task(t.id)->status, Task::Status::Cancelled);
    QCOMPARE(m_db.agent(a.id)->status, Agent::Status::Idle);

    auto r = m_db.retryTask(t.id);
    QVERIFY(r);
    QCOMPARE(r->task->status, Task::Status::Queued);
    QCOMPARE(r->task->attempts, 0);
    QCOMPARE(r->enqueue.size(), 1);
    auto again = m_db.retryTask(t.id);
    QVERIFY(!again);
    QCOMPARE(again.error().kind, Error::Kind::Conflict);
    QVERIFY(m_db.cancelTask(t.id));
    QVERIFY(m_db.endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

void tst_Database::lostAgentRequeuesItsTask()
{
    Agent a = makeAgent(u"lost1"_s);
    Task t = makeTask(u"survivor"_s, 0, {}, 2);
    QVERIFY(m_db.claimTask(t.id, a.id)->task);
    auto lost = m_db.endAgent(a.id, Agent::Status::Lost, u"session gone"_s);
    QVERIFY(lost);
    QCOMPARE(lost->enqueue.size(), 1);
    QCOMPARE(m_db.task(t.id)->status, Task::Status::Queued);
    QCOMPARE(m_db.agent(a.id)->status, Agent::Status::Lost);
    Agent b = makeAgent(u"lost2"_s);
    QVERIFY(m_db.claimTask(t.id, b.id)->task);
    auto lost2 = m_db.endAgent(b.id, Agent::Status::Lost, u"heartbeat expired"_s);
    QVERIFY(lost2);
    QVERIFY(lost2->enqueue.isEmpty());
    const Task failed = *m_db.task(t.id);
    QCOMPARE(failed.status, Task::Status::Failed);
    QVERIFY2(failed.error.contains(u"no attempts left"_s), qPrintable(failed.error));
}

void tst_Database::textArrivesByteForByte()
{
    const QString nasty
        = u"it's \"quoted\" $(touch /tmp/pwned) `id` ; DROP TABLE tasks; -- \\ \n Grüße ✓ 🐝 ?"_s;
    Task t = makeTask(nasty);
    QCOMPARE(m_db.task(t.id)->prompt, nasty);
    QVERIFY(m_db.cancelTask(t.id));
}

void tst_Database::badInputChangesNothing()
{
    const qint64 before = eventCount();
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"x"_s;
    t.agentType = u"dev"_s;
    t.dependsOn = {QUuid::createUuid().toString(QUuid::WithoutBraces)};
    auto r = m_db.createTask(t);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, Error::Kind::Invalid);
    QVERIFY(r.error().message.contains(u"depends_on"_s));
    t.dependsOn = {u"not-a-uuid"_s};
    QCOMPARE(m_db.createTask(t).error().kind, Error::Kind::Invalid);
    t.dependsOn.clear();
    t.priority = 12;
    QCOMPARE(m_db.createTask(t).error().kind, Error::Kind::Invalid);
    QCOMPARE(m_db.task(t.id).error().kind, Error::Kind::NotFound);
    QCOMPARE(m_db.cancelTask(u"nope"_s).error().kind, Error::Kind::NotFound);
    QCOMPARE(eventCount(), before);
}

QTEST_GUILESS_MAIN(tst_Database)
#include "tst_database.moc"
