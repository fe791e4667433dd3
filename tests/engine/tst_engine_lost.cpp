// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/engine/enginetestbase.h"

#include "services/queue/queue.h"
#include "services/queue/redisclient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <cerrno>
#include <csignal>

using namespace Qt::StringLiterals;
using namespace Hive;

// Nothing lost, where a task could slip between PostgreSQL and Redis (see EngineTestBase): output
// PostgreSQL cannot take, a result or a claim that fails once or for good, a consumer that goes
// away holding an entry, a queued task whose entry went missing, an agent killed while its command
// runs, a cancel sent while its runner could not hear it, a task taken away from its runner.
// Faults in PostgreSQL are real errors, raised by a trigger with the SQLSTATE chosen (test_faults).
class tst_EngineLost : public Test::EngineTestBase
{
    Q_OBJECT

public:
    tst_EngineLost()
    {
        m_configure = [this](Engine::Options &o) {
            o.queueSweepMs
                = m_sweepMs; // off, but in the test of the sweep: the others prove the rest
            o.stopGraceMs = 5000;
        };
    }

private Q_SLOTS:
    void nulInOutputIsStoredReplaced();
    void nulInReportIsStoredReplaced();
    void nulInAnyTextIsStoredReplaced();
    void transientFailuresOfAResultAreRetried();
    void unstorableResultFailsTheTask();
    void refusedClaimKeepsTheEntry();
    void claimAskedAgainFindsItsOwnTask();
    void killedAgentsEntriesAreAddedAgain();
    void queuedTaskWithoutEntryIsSwept();
    void killRequeuesOnlyOnceTheRunnerIsGone();
    void lostAgentRequeuesOnlyOnceItsCommandIsGone();
    void cancelMissedWhileRedisWasAwayStopsTheCommand();
    void taskTakenAwayIsStoppedAndKept();

private:
    bool sql(const QString &statement);
    QVariant sqlValue(const QString &statement);
    // Makes the trigger fail `times` times (-1: always) the statements of target ("claim": a task
    // whose title holds marker going from queued to assigned; "run": a task_runs row whose output
    // holds marker), with the SQLSTATEs codes in turn.
    void
    addFault(const QString &marker, const QString &target, const QStringList &codes, int times);
    QList<RedisReply> redis(const QList<QList<QByteArray>> &commands);
    QStringList streamTasks(const QString &agentType, int priority = 0);
    static bool alive(qint64 pid)
    {
        return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
    }
    static QList<qint64> pids(const QString &file);

    int m_sweepMs = 0;
    bool m_faults = false;
    std::unique_ptr<Database> m_side;
};

bool tst_EngineLost::sql(const QString &statement)
{
    if (!m_side) {
        m_side = std::make_unique<Database>(); // keeps the named connection open
        if (!m_side->open(m_fx->databaseUrl(), u"lost-side"_s)) {
            m_side.reset();
            return false;
        }
    }
    QSqlQuery q(QSqlDatabase::database(u"lost-side"_s));
    if (!q.exec(statement)) {
        qWarning() << statement << q.lastError().text();
        return false;
    }
    return true;
}

QVariant tst_EngineLost::sqlValue(const QString &statement)
{
    if (!sql(u"SELECT 1"_s))
        return {};
    QSqlQuery q(QSqlDatabase::database(u"lost-side"_s));
    if (!q.exec(statement) || !q.next())
        return {};
    return q.value(0);
}

void tst_EngineLost::addFault(const QString &marker,
                              const QString &target,
                              const QStringList &codes,
                              int times)
{
    if (!m_faults) {
        QVERIFY(sql(u"CREATE TABLE test_faults (marker text PRIMARY KEY, target text NOT NULL, "
                    "codes text[] NOT NULL, times int NOT NULL, seq text NOT NULL)"_s));
        QVERIFY(sql(uR"sql(
CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  f record;
  n bigint;
  subject text;
  kind text;
BEGIN
  IF TG_TABLE_NAME = 'tasks' THEN
    IF NOT (OLD.status = 'queued' AND NEW.status = 'assigned') THEN
      RETURN NEW;
    END IF;
    subject := NEW.title;
    kind := 'claim';
  ELSE
    subject := coalesce(NEW.output, '');
    kind := 'run';
  END IF;
  FOR f IN SELECT * FROM test_faults WHERE target = kind LOOP
    IF position(f.marker IN subject) > 0 THEN
      n := nextval(f.seq::regclass);
      IF f.times < 0 OR n <= f.times THEN
        RAISE EXCEPTION 'injected fault % of %', n, f.marker
          USING ERRCODE = f.codes[1 + (n - 1) % array_length(f.codes, 1)];
      END IF;
    END IF;
  END LOOP;
  RETURN NEW;
END $$)sql"_s));
        QVERIFY(sql(u"CREATE TRIGGER test_fault BEFORE UPDATE ON tasks FOR EACH ROW "
                    "EXECUTE FUNCTION test_fault()"_s));
        QVERIFY(sql(u"CREATE TRIGGER test_fault BEFORE INSERT ON task_runs FOR EACH ROW "
                    "EXECUTE FUNCTION test_fault()"_s));
        m_faults = true;
    }
    const QString seq = u"fault_"_s + QUuid::createUuid().toString(QUuid::Id128);
    QVERIFY(sql(u"CREATE SEQUENCE %1"_s.arg(seq)));
    QVERIFY(sql(u"INSERT INTO test_faults VALUES ('%1', '%2', '{%3}', %4, '%5')"_s.arg(
        marker, target, codes.join(u','), QString::number(times), seq)));
}

QList<RedisReply> tst_EngineLost::redis(const QList<QList<QByteArray>> &commands)
{
    RedisClient c(m_fx->redisUrl(), u"test"_s);
    c.open();
    QDeadlineTimer d(10000);
    while (!c.isConnected() && !d.hasExpired())
        QTest::qWait(5);
    QList<RedisReply> replies;
    for (const auto &argv : commands)
        c.command(argv, [&replies](const RedisReply &r) { replies << r; });
    while (replies.size() < commands.size() && !d.hasExpired())
        QTest::qWait(5);
    c.close();
    return replies;
}

QStringList tst_EngineLost::streamTasks(const QString &agentType, int priority)
{
    QStringList ids;
    const auto replies = redis({{"XRANGE", Queue::streamKey(agentType, priority), "-", "+"}});
    if (replies.isEmpty())
        return ids;
    for (const RedisReply &e : replies.first().elements)
        if (e.elements.size() >= 2 && e.elements[1].elements.size() >= 2)
            ids << QString::fromUtf8(e.elements[1].elements[1].str);
    return ids;
}

QList<qint64> tst_EngineLost::pids(const QString &file)
{
    QFile f(file);
    QList<qint64> out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            out << line.trimmed().toLongLong();
    return out;
}

// QPSQL cut the statement at the NUL (a syntax error): the task stayed "running" for ever and its
// result was gone.
void tst_EngineLost::nulInOutputIsStoredReplaced()
{
    spawnWorker(u"nul"_s);
    const Task t = createTask(u"nul=1"_s, u"nul"_s);
    const Task done = waitTask(t.id, finished, 20000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result);
    QVERIFY2(done.result->output.contains(u"before\uFFFDafter"_s), qPrintable(done.result->output));
    QVERIFY2(done.result->output.contains(u"replaced by U+FFFD"_s),
             qPrintable(done.result->output));
    QVERIFY(!done.result->output.contains(QChar(0)));
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
}

// jsonb refuses \u0000 (SQLSTATE 22P05): Claude's answer holding one lost the whole result.
void tst_EngineLost::nulInReportIsStoredReplaced()
{
    spawnWorker(u"nuljson"_s, u"fake-json"_s);
    const Task t = createTask(u"nul=1"_s, u"nuljson"_s);
    const Task done = waitTask(t.id, finished, 20000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QVERIFY(done.result && done.result->report);
    QCOMPARE(done.result->report->answer, u"do\uFFFDne"_s);
    QVERIFY2(done.result->output.contains(u"replaced by U+FFFD"_s),
             qPrintable(done.result->output));
}

// Any other text an agent produces (here: what an interactive agent waits for, from its hooks or
// its pane) gets through too, NUL replaced.
void tst_EngineLost::nulInAnyTextIsStoredReplaced()
{
    QVERIFY(sql(u"SELECT 1"_s));
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = u"nul-need"_s;
    a.type = u"nul-need"_s;
    a.profile = u"fake"_s;
    a.interactive = true;
    a.status = Agent::Status::Idle;
    a.tmuxSession = a.name;
    a.workdir = m_fx->dir();
    QVERIFY_OK(m_side->insertAgent(a));
    const QString need = u"approve"_s + QChar(0) + u"this"_s;
    const auto waiting = m_side->setAgentStatus(a.id, Agent::Status::WaitingInput, need);
    QVERIFY_OK(waiting);
    QCOMPARE(m_side->agent(a.id)->need, u"approve\uFFFDthis"_s);
    QVERIFY_OK(m_side->endAgent(a.id, Agent::Status::Stopped, u"test"_s));
}

// A deadlock, a serialization failure and a statement timeout in a row: the result is stored at
// the fourth try, once.
void tst_EngineLost::transientFailuresOfAResultAreRetried()
{
    addFault(u"transient-result"_s, u"run"_s, {u"40P01"_s, u"40001"_s, u"57014"_s}, 3);
    spawnWorker(u"transient"_s);
    const Task t = createTask(u"transient-result"_s, u"transient"_s);
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.attempts, 1);
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
    QCOMPARE(
        sqlValue(u"SELECT last_value FROM %1"_s.arg(
                     sqlValue(u"SELECT seq FROM test_faults WHERE marker = 'transient-result'"_s)
                         .toString()))
            .toInt(),
        4);
}

// A result PostgreSQL refuses for good: the task ends failed with the reason, not "running".
void tst_EngineLost::unstorableResultFailsTheTask()
{
    addFault(u"unstorable-result"_s, u"run"_s, {u"XX000"_s}, -1);
    const Agent a = spawnWorker(u"unstorable"_s);
    const Task t = createTask(u"unstorable-result"_s, u"unstorable"_s);
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(done.status, Task::Status::Failed);
    QVERIFY2(done.error.contains(u"could not be stored"_s), qPrintable(done.error));
    QVERIFY2(done.error.contains(u"injected fault"_s), qPrintable(done.error));
    QCOMPARE(done.attempts, 1); // not run again: it ran, only its result is gone
    QCOMPARE(runsWithOutcome(t.id, u"failed"_s), 1);
    // The agent takes the next task.
    QCOMPARE(waitAgent(a.id, [](const Agent &x) { return x.status == Agent::Status::Idle; }).status,
             Agent::Status::Idle);
    QCOMPARE(waitTask(createTask(u"next"_s, u"unstorable"_s).id, finished, 20000).status,
             Task::Status::Succeeded);
}

// A claim that fails (not because the task is gone) used to acknowledge the entry: the task stayed
// queued with no entry. Now the entry is handed back and the claim tried again.
void tst_EngineLost::refusedClaimKeepsTheEntry()
{
    addFault(u"claim-refused"_s, u"claim"_s, {u"XX000"_s}, 2);
    spawnWorker(u"claim"_s);
    const Task t = createTask(u"claim-refused"_s, u"claim"_s);
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.attempts, 1);
}

// A claim whose answer was lost (the connection broke after the commit) is asked again: the task
// is this agent's already, so the runner gets it back rather than dropping the entry with the task
// left assigned to an idle agent. Not claimable for another agent, or for a stray id.
void tst_EngineLost::claimAskedAgainFindsItsOwnTask()
{
    QVERIFY(sql(u"SELECT 1"_s));
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = u"claim-again"_s;
    a.type = u"claim-again"_s;
    a.profile = u"fake"_s;
    a.status = Agent::Status::Idle;
    a.tmuxSession = a.name;
    a.workdir = m_fx->dir();
    QVERIFY_OK(m_side->insertAgent(a));
    Agent b = a;
    b.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    b.name = u"claim-other"_s;
    QVERIFY_OK(m_side->insertAgent(b));
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"claimed twice"_s;
    t.agentType = a.type;
    QVERIFY_OK(m_side->createTask(t));

    const auto first = m_side->claimTask(t.id, a.id);
    QVERIFY_OK(first);
    QVERIFY(first->task);
    const auto again = m_side->claimTask(t.id, a.id);
    QVERIFY_OK(again);
    QVERIFY(again->task);
    QCOMPARE(again->task->attempts, 1); // the same claim, not a second attempt
    QVERIFY(again->events.isEmpty());
    const auto other = m_side->claimTask(t.id, b.id);
    QVERIFY_OK(other);
    QVERIFY(!other->task);
    const auto stray = m_side->claimTask(u"not-a-task"_s, a.id);
    QVERIFY_OK(stray);
    QVERIFY(!stray->task);
    QVERIFY_OK(m_side->endAgent(a.id, Agent::Status::Stopped, u"test"_s));
    QVERIFY_OK(m_side->endAgent(b.id, Agent::Status::Stopped, u"test"_s));
}

// A consumer that read an entry and went away (killed, or lost) before claiming its task: the entry
// comes back for another agent. An interactive agent of the type stands for that consumer (its
// session never reads the queue, so the test reads for it).
void tst_EngineLost::killedAgentsEntriesAreAddedAgain()
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/ghost.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        QJsonDocument(QJsonObject{{u"name"_s, u"ghost"_s},
                                  {u"command"_s,
                                   QJsonArray{Test::HiveFixture::fakeAgent(), u"--interactive"_s}},
                                  {u"interactive"_s, true}})
            .toJson());
    f.close();
    SpawnRequest r;
    r.type = u"ghost"_s;
    r.profile = u"ghost"_s;
    const auto killed = wait(m_engine->spawn(r));
    QVERIFY_OK(killed);
    r.name = u"ghost-lost"_s;
    const auto lost = wait(m_engine->spawn(r));
    QVERIFY_OK(lost);

    // Each reads one entry, as a runner does, and never claims it.
    Queue q(m_fx->redisUrl());
    q.open(0);
    QTRY_VERIFY_WITH_TIMEOUT(q.isConnected(), 10000);
    QList<Task> tasks;
    for (const auto &consumer : {killed->id, lost->id}) {
        tasks << createTask(u"read by %1"_s.arg(consumer), u"ghost"_s);
        QTRY_VERIFY_WITH_TIMEOUT(streamTasks(u"ghost"_s).contains(tasks.last().id), 10000);
        std::optional<std::optional<QueueEntry>> got;
        q.fetchNext(u"ghost"_s, consumer, 0, [&got](std::optional<QueueEntry> e) { got = e; });
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 10000);
        QVERIFY(got->has_value());
        QCOMPARE((*got)->taskId, tasks.last().id);
    }
    QVERIFY(streamTasks(u"ghost"_s).contains(tasks[0].id)); // pending, not deliverable
    q.close();

    QVERIFY_OK(wait(m_engine->kill(killed->id)));
    const qint64 pid = panePid(lost->tmuxSession);
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QCOMPARE(waitAgent(lost->id, [](const Agent &a) { return !a.isAlive(); }).status,
             Agent::Status::Lost);

    spawnWorker(u"ghost"_s, u"fake"_s, u"ghost-worker"_s);
    for (const Task &t : tasks) {
        const Task done = waitTask(t.id, finished, 20000);
        QCOMPARE(done.status, Task::Status::Succeeded);
        QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
    }
}

// A queued task whose entry Redis does not have (here: made in PostgreSQL behind the engine's back)
// gets it back from the sweep, without waiting for Redis to reconnect.
void tst_EngineLost::queuedTaskWithoutEntryIsSwept()
{
    Database db;
    QVERIFY(db.open(m_fx->databaseUrl(), u"sweep-side"_s));
    auto orphan = [&db](const QString &type) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.prompt = u"queued without an entry"_s;
        t.agentType = type;
        auto c = db.createTask(t);
        return c ? t.id : QString();
    };
    // The engine again, with the sweep. What it finds at start-up (the canary) it queues anyway:
    // once the canary has its entry, the start-up rebuilds are over and only the sweep is left.
    const QString canary = orphan(u"canary"_s);
    QVERIFY(!canary.isEmpty());
    stopEngine();
    m_sweepMs = 300;
    startEngine();
    QTRY_VERIFY_WITH_TIMEOUT(streamTasks(u"canary"_s).contains(canary), 10000);

    const QString id = orphan(u"swept"_s);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(streamTasks(u"swept"_s).contains(id), 10000);
    QCOMPARE(streamTasks(u"swept"_s).count(id), 1); // added once, not at every sweep
    spawnWorker(u"swept"_s);
    QCOMPARE(waitTask(id, finished, 20000).status, Task::Status::Succeeded);
    QTest::qWait(1000); // several sweeps over a stream that is in step: nothing added
    QVERIFY(streamTasks(u"swept"_s).isEmpty());
    db.close();

    stopEngine();
    m_sweepMs = 0;
    startEngine();
}

// Killing an agent used to queue its task again before its session was gone: another agent started
// it while the old command (one that ignores SIGTERM and SIGHUP) still ran.
void tst_EngineLost::killRequeuesOnlyOnceTheRunnerIsGone()
{
    const Agent first = spawnWorker(u"deaf"_s);
    const QString starts = m_fx->path(u"deaf-starts"_s);
    const Task t = createTask(u"deaf=1 sleep=6 touch=%1"_s.arg(starts), u"deaf"_s);
    QCOMPARE(
        waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; }).agentId,
        first.id);
    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 1, 10000);
    const qint64 old = pids(starts).first();
    const Agent second = spawnWorker(u"deaf"_s);

    auto killing = m_engine->kill(first.id);
    // The moment the task starts again, the first command is gone.
    QTRY_VERIFY_WITH_TIMEOUT(pids(starts).size() == 2 || killing.isFinished(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 2, 20000);
    QVERIFY2(!alive(old), "the task started again while its first command still ran");
    QVERIFY_OK(wait(killing));
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, second.id);
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
}

// An agent whose session was ended from outside (tmux kill-session) is lost: its task used to be
// queued again at once, and another agent started it while the old command (deaf to SIGTERM and
// SIGHUP) still ran.
void tst_EngineLost::lostAgentRequeuesOnlyOnceItsCommandIsGone()
{
    const Agent first = spawnWorker(u"outside"_s);
    const QString starts = m_fx->path(u"outside-starts"_s);
    const Task t = createTask(u"deaf=1 sleep=8 touch=%1"_s.arg(starts), u"outside"_s);
    QCOMPARE(
        waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; }).agentId,
        first.id);
    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 1, 10000);
    const qint64 old = pids(starts).first();
    const Agent second = spawnWorker(u"outside"_s);
    QProcess tmux;
    tmux.start(
        u"tmux"_s,
        {u"-L"_s, m_fx->tmuxSocket(), u"kill-session"_s, u"-t"_s, u"="_s + first.tmuxSession});
    QVERIFY(tmux.waitForFinished(5000));
    QCOMPARE(tmux.exitCode(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 2, 30000);
    QVERIFY2(!alive(old), "the task started again while its first command still ran");
    QCOMPARE(waitAgent(first.id, [](const Agent &a) { return !a.isAlive(); }).status,
             Agent::Status::Lost);
    const Task done = waitTask(t.id, finished, 30000);
    QCOMPARE(done.status, Task::Status::Succeeded);
    QCOMPARE(done.agentId, second.id);
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s), 1);
}

// The cancel is a message its runner missed (Redis was away): the runner learns it from PostgreSQL
// and stops the command; the task stays cancelled.
void tst_EngineLost::cancelMissedWhileRedisWasAwayStopsTheCommand()
{
    const Agent a = spawnWorker(u"deafear"_s);
    const QString starts = m_fx->path(u"deafear-starts"_s);
    const Task t = createTask(u"sleep=60 touch=%1"_s.arg(starts), u"deafear"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 1, 10000);
    const qint64 pid = pids(starts).first();

    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->redisConnected(), 10000);
    const auto cancelled = wait(m_engine->cancelTask(t.id));
    QVERIFY_OK(cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(!alive(pid), 15000);
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 15000);
    QCOMPARE(waitAgent(a.id, [](const Agent &x) { return x.status == Agent::Status::Idle; }).status,
             Agent::Status::Idle);
    const Task after = wait(m_engine->task(t.id)).value();
    QCOMPARE(after.status, Task::Status::Cancelled);
    QCOMPARE(runsWithOutcome(t.id, u"succeeded"_s) + runsWithOutcome(t.id, u"failed"_s), 0);
}

// A task taken away from its runner (here: given to another agent in PostgreSQL): the runner stops
// its command and writes nothing over it.
void tst_EngineLost::taskTakenAwayIsStoppedAndKept()
{
    const Agent a = spawnWorker(u"taken"_s);
    const Agent other = spawnWorker(u"taken-other"_s);
    const QString starts = m_fx->path(u"taken-starts"_s);
    const Task t = createTask(u"sleep=60 touch=%1"_s.arg(starts), u"taken"_s);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QTRY_COMPARE_WITH_TIMEOUT(pids(starts).size(), 1, 10000);
    const qint64 pid = pids(starts).first();

    QVERIFY(sql(u"UPDATE tasks SET agent_id = '%1' WHERE id = '%2'"_s.arg(other.id, t.id)));
    QTRY_VERIFY_WITH_TIMEOUT(!alive(pid), 15000);
    QCOMPARE(waitAgent(a.id, [](const Agent &x) { return x.status == Agent::Status::Idle; }).status,
             Agent::Status::Idle);
    const Task after = wait(m_engine->task(t.id)).value();
    QCOMPARE(after.status, Task::Status::Running);
    QCOMPARE(after.agentId, other.id);
    QVERIFY(!after.result || after.result->output.isEmpty());
    QCOMPARE(sqlValue(u"SELECT count(*) FROM task_runs WHERE task_id = '%1'"_s.arg(t.id)).toInt(),
             0);
    QVERIFY_OK(wait(m_engine->cancelTask(t.id)));
}

QTEST_GUILESS_MAIN(tst_EngineLost)
#include "tst_engine_lost.moc"
