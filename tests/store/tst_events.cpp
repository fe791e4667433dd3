// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace Hive;

// The events table read back (Database::events, lastEventSeq) against a real PostgreSQL: in seq
// order, page by page, each task a summary; and seq in commit order even when several connections
// (the app's store, each hive-runner) write at the same time, which is what makes reading "the
// events after the last seq I have" safe.
class tst_Events : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readBackInOrderPageByPage();
    void eventsCarrySummaries();
    void seqFollowsCommitOrder();

private:
    Agent makeAgent(const QString &name);
    Task makeTask(const QString &prompt, const QStringList &deps = {});
    QSqlQuery raw(const QString &sql); // on m_db's own connection

    std::unique_ptr<Test::HiveFixture> m_fx;
    Database m_db;
};

void tst_Events::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>(Test::HiveFixture::Postgres);
    QVERIFY_OK(m_fx->start());
    QVERIFY_OK(m_db.open(m_fx->databaseUrl(), u"tst"_s));
    QVERIFY_OK(m_db.migrate());
}

void tst_Events::cleanupTestCase()
{
    m_db.close();
    m_fx.reset();
}

Agent tst_Events::makeAgent(const QString &name)
{
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = name;
    a.type = u"dev"_s;
    a.profile = u"shell"_s;
    a.tmuxSession = name;
    a.workdir = u"/tmp"_s;
    auto c = m_db.insertAgent(a);
    if (!c)
        qWarning() << c.error().message;
    return c ? *c->agent : a;
}

Task tst_Events::makeTask(const QString &prompt, const QStringList &deps)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt.left(20);
    t.agentType = u"dev"_s;
    t.dependsOn = deps;
    auto c = m_db.createTask(t);
    if (!c)
        qWarning() << c.error().message;
    return c ? *c->task : t;
}

QSqlQuery tst_Events::raw(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(u"tst"_s));
    if (!q.exec(sql))
        qWarning() << sql << q.lastError().text();
    return q;
}

void tst_Events::readBackInOrderPageByPage()
{
    const Result<qint64> before = m_db.lastEventSeq();
    QVERIFY_OK(before);
    QStringList ids;
    for (int i = 0; i < 5; ++i)
        ids << makeTask(u"paged %1"_s.arg(i)).id;
    QVERIFY_OK(m_db.cancelTask(ids.at(2)));
    const Result<qint64> last = m_db.lastEventSeq();
    QVERIFY_OK(last);
    QVERIFY(*last > *before);

    // Two at a time, each page starting after the last seq of the one before.
    QList<Event> all;
    qint64 since = *before;
    for (int pages = 0; pages < 10; ++pages) {
        const Result<QList<Event>> page = m_db.events(since, 2);
        QVERIFY_OK(page);
        QVERIFY(page->size() <= 2);
        if (page->isEmpty())
            break;
        all += *page;
        since = page->last().seq;
    }
    QCOMPARE(all.size(), 6);
    QCOMPARE(all.last().seq, *last);
    QStringList types;
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (i > 0)
            QVERIFY(all.at(i).seq > all.at(i - 1).seq);
        QVERIFY(all.at(i).at.isValid());
        QVERIFY(all.at(i).task);
        types << all.at(i).type;
    }
    QCOMPARE(types.count(u"task.created"_s), 5);
    QCOMPARE(all.last().type, u"task.cancelled"_s);
    QCOMPARE(all.last().task->id, ids.at(2));
    QCOMPARE(all.first().task->id, ids.first());
    // Nothing after the last one.
    const Result<QList<Event>> none = m_db.events(*last, 100);
    QVERIFY_OK(none);
    QVERIFY(none->isEmpty());
}

// A megabyte of prompt and output stays in the task's row: the event has their start and end and
// their sizes, and so has the row of the events table (which every replay reads).
void tst_Events::eventsCarrySummaries()
{
    const Agent a = makeAgent(u"summaries"_s);
    QString prompt = u"Ünïcode first line\n"_s;
    while (prompt.size() < 1024 * 1024)
        prompt += u"Fill the prompt with a megabyte of text. "_s;
    const Result<qint64> before = m_db.lastEventSeq();
    QVERIFY_OK(before);
    const Task t = makeTask(prompt);
    QVERIFY(m_db.claimTask(t.id, a.id)->task);
    QVERIFY_OK(m_db.startTask(t.id, a.id));
    TaskResult r;
    r.output = u"start of the output\n"_s + QString(2 * 1024 * 1024, u'x') + u"\nthe end 😀"_s;
    r.exitCode = 0;
    AgentReport report;
    report.answer = QString(5000, u'a');
    report.isError = false;
    report.permissionDenials.append(
        {u"Write"_s,
         QJsonObject{{u"file_path"_s, u"/tmp/x.txt"_s}, {u"content"_s, QString(100000, u'c')}}});
    r.report = report;
    QVERIFY_OK(m_db.finishTask(t.id, a.id, r, true));

    // The rows of the events table are small.
    QSqlQuery big
        = raw(u"SELECT max(length(payload::text)) FROM events WHERE id > %1"_s.arg(*before));
    QVERIFY(big.next());
    QVERIFY2(big.value(0).toLongLong() < 8 * 1024, qPrintable(big.value(0).toString()));

    const Result<QList<Event>> events = m_db.events(*before, 100);
    QVERIFY_OK(events);
    std::optional<Event> created, succeeded;
    for (const Event &e : *events) {
        if (e.task && e.task->id == t.id && e.type == u"task.created"_s)
            created = e;
        if (e.task && e.task->id == t.id && e.type == u"task.succeeded"_s)
            succeeded = e;
    }
    QVERIFY(created && succeeded);
    for (const Event &e : {*created, *succeeded}) {
        QVERIFY(e.task->summary);
        QCOMPARE(e.task->promptBytes, qint64(prompt.toUtf8().size()));
        QCOMPARE(e.task->prompt, prompt.left(Task::kPreviewChars));
        QCOMPARE(e.task->title, t.title);
        const QJsonObject json = e.toJson().value(u"task"_s).toObject();
        QVERIFY(!json.contains(u"prompt"_s));
        QCOMPARE(json.value(u"prompt_preview"_s).toString(), prompt.left(Task::kPreviewChars));
        QCOMPARE(json.value(u"prompt_bytes"_s).toInteger(), prompt.toUtf8().size());
    }
    const TaskResult &got = *succeeded->task->result;
    QCOMPARE(got.outputBytes, qint64(r.output.toUtf8().size()));
    QVERIFY(got.output.size() <= Task::kPreviewChars);
    QVERIFY(got.output.endsWith(u"\nthe end 😀"_s)); // the end, the emoji whole
    QCOMPARE(got.answerBytes, qint64(5000));
    QCOMPARE(got.report->answer, QString(Task::kPreviewChars, u'a'));
    QCOMPARE(got.report->permissionDenials.size(), 1);
    QCOMPARE(got.report->deniedSummary(), u"Write /tmp/x.txt"_s);
    QVERIFY(!got.report->permissionDenials.first().input.contains(u"content"_s));
    const QJsonObject result
        = succeeded->toJson().value(u"task"_s).toObject().value(u"result"_s).toObject();
    QVERIFY(!result.contains(u"output"_s) && !result.contains(u"answer"_s));
    QCOMPARE(result.value(u"output_bytes"_s).toInteger(), r.output.toUtf8().size());
    QVERIFY(result.value(u"output_tail"_s).toString().endsWith(u"the end 😀"_s));
    QCOMPARE(result.value(u"answer_bytes"_s).toInteger(), 5000);
    QCOMPARE(result.value(u"exit_code"_s).toInt(), 0);
    // Read back from JSON it is the same summary.
    const std::optional<Event> again = Event::fromJson(succeeded->toJsonBytes());
    QVERIFY(again && again->task);
    QCOMPARE(again->toJson(), succeeded->toJson());
    QCOMPARE(again->task->toSummary().toJson(), again->task->toJson());

    // The whole task is still there.
    const Result<Task> whole = m_db.task(t.id);
    QVERIFY_OK(whole);
    QVERIFY(!whole->summary);
    QCOMPARE(whole->prompt, prompt);
    QCOMPARE(whole->result->output, r.output);
    QCOMPARE(whole->toSummary().toJson(), succeeded->task->toJson());
}

// A transaction that took an event id and then waits (here for a row another connection holds)
// keeps every other writer from committing an event after it: otherwise a reader could see seq
// N+1 while N is still to come, and a client that asked for "the events after N+1" would never
// get N.
void tst_Events::seqFollowsCommitOrder()
{
    const Agent a = makeAgent(u"order"_s);
    const Task parent = makeTask(u"parent"_s);
    QVERIFY(m_db.claimTask(parent.id, a.id)->task);
    QVERIFY_OK(m_db.startTask(parent.id, a.id));
    const Task child = makeTask(u"child"_s, {parent.id});
    QCOMPARE(child.status, Task::Status::Blocked);
    const Task other = makeTask(u"other"_s);
    QSqlQuery seq = raw(u"SELECT last_value FROM events_id_seq"_s);
    QVERIFY(seq.next());
    const qint64 before = seq.value(0).toLongLong();

    // The child's row, held: finishing the parent records its events, then waits to unblock it.
    QVERIFY(raw(u"BEGIN"_s).isActive());
    QVERIFY(raw(u"SELECT id FROM tasks WHERE id = '%1' FOR UPDATE"_s.arg(child.id)).isActive());

    const QString url = m_fx->databaseUrl();
    std::atomic<bool> finishedParent = false;
    std::atomic<bool> cancelledOther = false;
    QThread *finisher = QThread::create([&] {
        Database db;
        if (db.open(url, u"finisher"_s)) {
            TaskResult r;
            r.output = u"done"_s;
            (void)db.finishTask(parent.id, a.id, r, true);
        }
        db.close();
        finishedParent = true;
    });
    QThread *canceller = QThread::create([&] {
        Database db;
        if (db.open(url, u"canceller"_s))
            (void)db.cancelTask(other.id);
        db.close();
        cancelledOther = true;
    });
    // Watched from a connection of its own: inside the transaction above, pg_stat_activity would
    // stay as it was when first read.
    Database watch;
    QVERIFY_OK(watch.open(url, u"watch"_s));
    auto waiting = [](const QString &event) {
        QSqlQuery q(QSqlDatabase::database(u"watch"_s));
        q.exec(u"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
               "AND wait_event = '%1'"_s.arg(event));
        return q.next() ? q.value(0).toInt() : -1;
    };
    // Whatever happens below, the row is let go and the threads end before this returns.
    auto letGo = qScopeGuard([&] {
        raw(u"ROLLBACK"_s);
        finisher->wait(15000);
        canceller->wait(15000);
        delete finisher;
        delete canceller;
    });
    finisher->start();
    // It took its ids and now waits for the child's row.
    QTRY_VERIFY_WITH_TIMEOUT(waiting(u"tuple"_s) + waiting(u"transactionid"_s) == 1, 15000);
    QVERIFY(!finishedParent);
    canceller->start();
    // Either the cancel commits now (the bug), or it waits for the finisher's transaction.
    QTRY_VERIFY_WITH_TIMEOUT(cancelledOther || waiting(u"advisory"_s) == 1, 15000);

    // No event may be visible while one with a smaller id is still uncommitted.
    QSqlQuery visible
        = raw(u"SELECT count(*), coalesce(min(id), 0) FROM events WHERE id > %1"_s.arg(before));
    QVERIFY(visible.next());
    QVERIFY2(visible.value(0).toInt() == 0,
             qPrintable(u"event %1 committed while the events after %2 before it were still open"_s
                            .arg(visible.value(1).toLongLong())
                            .arg(before)));

    letGo.dismiss();
    QVERIFY(raw(u"ROLLBACK"_s).isActive());
    QVERIFY(finisher->wait(15000));
    QVERIFY(canceller->wait(15000));
    delete finisher;
    delete canceller;
    const Result<QList<Event>> events = m_db.events(before, 100);
    QVERIFY_OK(events);
    QVERIFY(events->size() >= 3); // task.succeeded, agent.status, task.queued (the child), …
    QCOMPARE(events->last().type, u"task.cancelled"_s);
    QCOMPARE(events->last().task->id, other.id);
    QCOMPARE(m_db.task(child.id)->status, Task::Status::Queued);
}

QTEST_GUILESS_MAIN(tst_Events)
#include "tst_events.moc"
