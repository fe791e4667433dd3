// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/agentcache.h"
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// What makes the API's answers cheap, against a real PostgreSQL: tasks created together share one
// transaction (Database::createTasks), a refused one failing alone; and the agents the engine
// keeps (AgentCache) follow every COMMIT of the connection (not a ROLLBACK), a snapshot of the
// table never undoes a newer event, and an older event never undoes a newer state.
class tst_GroupCommit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void tasksShareOneCommit_data();
    void tasksShareOneCommit();
    void refusedTaskFailsAlone();
    void changesShareOneCommit();
    void refusedChangeUndoesTheCommit();
    void cacheFollowsCommitsOnly();
    void cacheKeepsTheNewestState();

private:
    Task newTask(const QString &prompt, const QStringList &deps = {});
    Agent newAgent(const QString &name);
    qint64 count(const QString &sql);

    std::unique_ptr<Test::HiveFixture> m_fx;
    Database m_db;
    AgentCache m_cache;
};

void tst_GroupCommit::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>(Test::HiveFixture::Postgres);
    QVERIFY_OK(m_fx->start());
    QVERIFY_OK(m_db.open(m_fx->databaseUrl(), u"tst"_s));
    QVERIFY_OK(m_db.migrate());
}

void tst_GroupCommit::cleanupTestCase()
{
    m_db.setAgentCache(nullptr);
    m_db.close();
    m_fx.reset();
}

Task tst_GroupCommit::newTask(const QString &prompt, const QStringList &deps)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt;
    t.agentType = u"dev"_s;
    t.dependsOn = deps;
    return t;
}

Agent tst_GroupCommit::newAgent(const QString &name)
{
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = name;
    a.type = u"dev"_s;
    a.profile = u"shell"_s;
    a.tmuxSession = name;
    a.workdir = u"/tmp"_s;
    return a;
}

qint64 tst_GroupCommit::count(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(u"tst"_s));
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

void tst_GroupCommit::tasksShareOneCommit_data()
{
    QTest::addColumn<bool>("withDependency");
    QTest::newRow("independent") << false;
    QTest::newRow("with a dependency") << true;
}

void tst_GroupCommit::tasksShareOneCommit()
{
    // Without dependencies (two statements for all), then with one (a task may depend on one
    // earlier in the same batch).
    QFETCH(bool, withDependency);
    QList<Task> tasks;
    for (int i = 0; i < 20; ++i)
        tasks << newTask(u"batch%1 %2"_s.arg(int(withDependency)).arg(i));
    if (withDependency)
        tasks << newTask(u"batch1 child"_s, {tasks.first().id});
    const qint64 commitsBefore
        = count(u"SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"_s);
    const QList<Result<Change>> results = m_db.createTasks(tasks);
    QCOMPARE(results.size(), tasks.size());
    qint64 lastSeq = 0;
    for (qsizetype i = 0; i < results.size(); ++i) {
        QVERIFY_OK(results[i]);
        QVERIFY(results[i]->task);
        QCOMPARE(results[i]->task->id, tasks[i].id);
        // Their events in the order of the batch.
        QVERIFY(!results[i]->events.isEmpty());
        QVERIFY(results[i]->events.first().seq > lastSeq);
        lastSeq = results[i]->events.first().seq;
    }
    QCOMPARE(results.last()->task->status,
             withDependency ? Task::Status::Blocked : Task::Status::Queued);
    QCOMPARE(results.first()->enqueue.size(), 1);
    QCOMPARE(results.first()->events.first().type, u"task.created"_s);
    QCOMPARE(results.first()->task->prompt, tasks.first().prompt);
    QCOMPARE(count(u"SELECT count(*) FROM tasks WHERE prompt LIKE 'batch%1 %%'"_s.arg(
                 int(withDependency))),
             tasks.size());
    // Each event row as the change has it.
    auto stored = m_db.events(results.first()->events.first().seq - 1, 1);
    QVERIFY_OK(stored);
    QCOMPARE(stored->size(), 1);
    QCOMPARE(stored->first().task->id, tasks.first().id);
    QCOMPARE(stored->first().type, u"task.created"_s);
    // One transaction (and the statistics' own reads): not one per task.
    const qint64 commits
        = count(u"SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"_s)
          - commitsBefore;
    QVERIFY2(commits < 5, qPrintable(u"%1 commits for %2 tasks"_s.arg(commits).arg(tasks.size())));
}

void tst_GroupCommit::refusedTaskFailsAlone()
{
    // A refusal found before any SQL fails (no such dependency), and one PostgreSQL refuses (a
    // duplicate id: the transaction is aborted): each fails alone, the others are created.
    const Task existing = newTask(u"solo existing"_s);
    QVERIFY_OK(m_db.createTask(existing));
    const QList<Task> tasks{newTask(u"solo a"_s),
                            newTask(u"solo bad dep"_s, {u"6f1c2d1e-0000-4000-8000-000000000001"_s}),
                            newTask(u"solo b"_s),
                            existing,
                            newTask(u"solo c"_s)};
    const QList<Result<Change>> results = m_db.createTasks(tasks);
    QCOMPARE(results.size(), tasks.size());
    QVERIFY(results[0].has_value());
    QVERIFY(!results[1].has_value());
    QCOMPARE(results[1].error().kind, Error::Kind::Invalid);
    QVERIFY2(results[1].error().message.contains(u"depends_on"_s),
             qPrintable(results[1].error().message));
    QVERIFY(results[2].has_value());
    QVERIFY(!results[3].has_value());
    QCOMPARE(results[3].error().kind, Error::Kind::Conflict);
    QVERIFY(results[4].has_value());
    for (int i : {0, 2, 4}) {
        auto t = m_db.task(tasks[i].id);
        QVERIFY_OK(t);
        QCOMPARE(t->status, Task::Status::Queued);
    }
    QCOMPARE(count(u"SELECT count(*) FROM tasks WHERE prompt = 'solo bad dep'"_s), 0);
    QCOMPARE(count(u"SELECT count(*) FROM tasks WHERE prompt = 'solo existing'"_s), 1);
    // The connection is usable after the aborted batch.
    QVERIFY_OK(m_db.createTask(newTask(u"solo after"_s)));

    // Only tasks without dependencies (one statement for all rows): the duplicate fails alone.
    const QList<Task> independent{newTask(u"plain a"_s), existing, newTask(u"plain b"_s)};
    const QList<Result<Change>> plain = m_db.createTasks(independent);
    QCOMPARE(plain.size(), 3);
    QVERIFY(plain[0].has_value());
    QVERIFY(!plain[1].has_value());
    QCOMPARE(plain[1].error().kind, Error::Kind::Conflict);
    QVERIFY(plain[2].has_value());
    QCOMPARE(count(u"SELECT count(*) FROM tasks WHERE prompt LIKE 'plain %'"_s), 2);
}

void tst_GroupCommit::changesShareOneCommit()
{
    // What runners ask for (Engine::runnerChange): claims, starts and a finish of two agents in
    // one transaction; their events written together at COMMIT, in the order they were recorded,
    // each change's events given their seqs afterwards.
    m_db.setAgentCache(&m_cache);
    auto unset = qScopeGuard([this] { m_db.setAgentCache(nullptr); });
    auto table = m_db.agentsAsOfSeq();
    QVERIFY_OK(table);
    m_cache.load(table->first, table->second);
    const Agent a = newAgent(u"one-commit-a"_s);
    const Agent b = newAgent(u"one-commit-b"_s);
    QVERIFY_OK(m_db.insertAgent(a));
    QVERIFY_OK(m_db.insertAgent(b));
    const Task t1 = newTask(u"one commit 1"_s);
    const Task t2 = newTask(u"one commit 2"_s);
    QVERIFY_OK(m_db.createTask(t1));
    QVERIFY_OK(m_db.createTask(t2));
    auto last = m_db.lastEventSeq();
    QVERIFY_OK(last);
    QList<Change> changes;
    auto r = m_db.inOneCommit([&]() -> Result<> {
        for (auto c : {m_db.claimTask(t1.id, a.id),
                       m_db.claimTask(t2.id, b.id),
                       m_db.startTask(t1.id, a.id),
                       m_db.startTask(t2.id, b.id)}) {
            if (!c)
                return failure(c.error());
            changes << *c;
        }
        TaskResult done;
        done.exitCode = 0;
        done.output = u"done"_s;
        auto f = m_db.finishTask(t1.id, a.id, done, true);
        if (!f)
            return failure(f.error());
        changes << *f;
        // Inside: the stand-ins, not seqs yet.
        for (const Change &c : std::as_const(changes))
            for (const Event &e : c.events)
                if (e.seq >= 0)
                    return failure(u"an event has a seq before its COMMIT"_s);
        return {};
    });
    QVERIFY_OK(r);
    QStringList types;
    QList<qint64> seqs;
    for (Change &c : changes) {
        m_db.settle(c);
        for (const Event &e : std::as_const(c.events)) {
            types << e.type;
            seqs << e.seq;
            QVERIFY(e.at.isValid());
        }
    }
    QCOMPARE(types,
             (QStringList{u"task.assigned"_s,
                          u"agent.status"_s,
                          u"task.assigned"_s,
                          u"agent.status"_s,
                          u"task.started"_s,
                          u"task.started"_s,
                          u"task.succeeded"_s,
                          u"agent.status"_s}));
    // The rows as the changes have them, in that order, after what came before.
    auto stored = m_db.events(*last, 100);
    QVERIFY_OK(stored);
    QCOMPARE(stored->size(), seqs.size());
    for (qsizetype i = 0; i < seqs.size(); ++i) {
        QCOMPARE(stored->at(i).seq, seqs[i]);
        QCOMPARE(stored->at(i).type, types[i]);
    }
    QCOMPARE(stored->at(6).task->id, t1.id);
    QCOMPARE(stored->at(6).task->status, Task::Status::Succeeded);
    // One transaction wrote them all, and the task rows.
    QCOMPARE(count(u"SELECT count(DISTINCT xmin::text) FROM events WHERE id > %1"_s.arg(*last)), 1);
    QCOMPARE(count(u"SELECT count(DISTINCT e.xmin::text) FROM events e, tasks t WHERE e.id > %1 "
                   "AND t.id IN ('%2', '%3') AND t.xmin = e.xmin"_s.arg(*last)
                       .arg(t1.id, t2.id)),
             1);
    // The agents the engine keeps saw the COMMIT.
    QCOMPARE(m_cache.agent(a.id)->status, Agent::Status::Idle);
    QCOMPARE(m_cache.agent(b.id)->status, Agent::Status::Busy);
}

void tst_GroupCommit::refusedChangeUndoesTheCommit()
{
    // One change of the batch refused after another did its work: body fails, and nothing of the
    // batch is kept, no event, no cached state (Engine then makes each again on its own).
    m_db.setAgentCache(&m_cache);
    auto unset = qScopeGuard([this] { m_db.setAgentCache(nullptr); });
    auto table = m_db.agentsAsOfSeq();
    QVERIFY_OK(table);
    m_cache.load(table->first, table->second);
    const Agent a = newAgent(u"undone-a"_s);
    Agent paused = newAgent(u"undone-paused"_s);
    QVERIFY_OK(m_db.insertAgent(a));
    QVERIFY_OK(m_db.insertAgent(paused));
    QVERIFY_OK(m_db.setAgentPaused(paused.id, true));
    const Task t1 = newTask(u"undone 1"_s);
    const Task t2 = newTask(u"undone 2"_s);
    QVERIFY_OK(m_db.createTask(t1));
    QVERIFY_OK(m_db.createTask(t2));
    auto last = m_db.lastEventSeq();
    QVERIFY_OK(last);
    const Agent::Status before = m_cache.agent(a.id)->status;
    Error refusal;
    auto r = m_db.inOneCommit([&]() -> Result<> {
        auto c = m_db.claimTask(t1.id, a.id);
        if (!c)
            return failure(c.error());
        auto d = m_db.claimTask(t2.id, paused.id);
        if (!d) {
            refusal = d.error();
            return failure(d.error());
        }
        return {};
    });
    QVERIFY(!r);
    QCOMPARE(refusal.code, u"agent_paused"_s);
    QCOMPARE(m_db.task(t1.id)->status, Task::Status::Queued);
    QCOMPARE(m_db.task(t2.id)->status, Task::Status::Queued);
    QCOMPARE(*m_db.lastEventSeq(), *last);
    QCOMPARE(m_cache.agent(a.id)->status, before);
    // The connection goes on, and the claim alone passes.
    auto alone = m_db.claimTask(t1.id, a.id);
    QVERIFY_OK(alone);
    QVERIFY(alone->task);
    QVERIFY(alone->events.first().seq > *last);
    // Only its own events were written: none of the undone batch's.
    QCOMPARE(m_db.events(*last, 100)->size(), alone->events.size());
    QCOMPARE(m_cache.agent(a.id)->status, Agent::Status::Busy);
}

void tst_GroupCommit::cacheFollowsCommitsOnly()
{
    m_db.setAgentCache(&m_cache);
    auto unset = qScopeGuard([this] { m_db.setAgentCache(nullptr); });
    auto table = m_db.agentsAsOfSeq();
    QVERIFY_OK(table);
    m_cache.load(table->first, table->second);
    QVERIFY(m_cache.isReady());

    const Agent a = newAgent(u"cached"_s);
    auto spawned = m_db.insertAgent(a);
    QVERIFY_OK(spawned);
    // In the cache once committed, as the row is (its JSON too).
    auto kept = m_cache.agentJson(a.id);
    QVERIFY(kept);
    QCOMPARE(QJsonDocument::fromJson(*kept).object(), spawned->agent->toJson());
    QVERIFY(m_cache.listJson()->contains(a.id.toLatin1()));
    QVERIFY(m_cache.listJson(Agent::Status::Starting)->contains(a.id.toLatin1()));

    QVERIFY_OK(m_db.setAgentStatus(a.id, Agent::Status::Idle));
    QCOMPARE(m_cache.agent(a.id)->status, Agent::Status::Idle);
    QVERIFY(!m_cache.listJson(Agent::Status::Starting)->contains(a.id.toLatin1()));
    QVERIFY(m_cache.listJson(Agent::Status::Idle)->contains(a.id.toLatin1()));

    // A second agent of the same name is refused: its transaction rolls back, nothing reaches the
    // cache.
    Agent twin = newAgent(u"cached"_s);
    QVERIFY(!m_db.insertAgent(twin));
    QVERIFY(!m_cache.agent(twin.id));

    QVERIFY_OK(m_db.setAgentSession(a.id, u"session-1"_s));
    QCOMPARE(m_cache.agent(a.id)->sessionId, u"session-1"_s);
    QVERIFY_OK(m_db.touchHeartbeat(a.id));
    QVERIFY(m_cache.agent(a.id)->lastHeartbeat.isValid());

    QVERIFY_OK(m_db.endAgent(a.id, Agent::Status::Stopped, u"killed"_s));
    QCOMPARE(m_cache.agent(a.id)->status, Agent::Status::Stopped);
    // And the whole table read again says the same.
    table = m_db.agentsAsOfSeq();
    QVERIFY_OK(table);
    const QByteArray before = *m_cache.listJson();
    m_cache.load(table->first, table->second);
    QCOMPARE(*m_cache.listJson(), before);
}

void tst_GroupCommit::cacheKeepsTheNewestState()
{
    // Without the store: the cache alone, fed out of order.
    auto event = [](const QString &type, const Agent &agent, qint64 seq) {
        Event e = Event::forAgent(type, agent);
        e.seq = seq;
        return e;
    };
    AgentCache cache;
    Agent a = newAgent(u"ordered"_s);
    a.createdAt = QDateTime::currentDateTimeUtc();
    cache.load({}, 10);
    Agent idle = a;
    idle.status = Agent::Status::Idle;
    Agent busy = a;
    busy.status = Agent::Status::Busy;
    cache.apply(event(u"agent.status"_s, busy, 12));
    cache.apply(event(u"agent.status"_s, idle, 11)); // older: ignored
    QCOMPARE(cache.agent(a.id)->status, Agent::Status::Busy);
    // A snapshot older than the event does not undo it.
    cache.load({idle}, 11);
    QCOMPARE(cache.agent(a.id)->status, Agent::Status::Busy);
    // A newer one does.
    cache.load({idle}, 13);
    QCOMPARE(cache.agent(a.id)->status, Agent::Status::Idle);
    // An agent not in a newer snapshot is gone; one newer than the snapshot stays.
    Agent b = newAgent(u"newer"_s);
    cache.apply(event(u"agent.spawned"_s, b, 20));
    cache.load({}, 14);
    QVERIFY(!cache.agent(a.id));
    QVERIFY(cache.agent(b.id));
}

QTEST_GUILESS_MAIN(tst_GroupCommit)
#include "tst_groupcommit.moc"
