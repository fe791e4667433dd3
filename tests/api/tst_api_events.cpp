// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>
#include <QWebSocket>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Hive;

// GET /api/v1/events (see ApiTestBase): pages of stored events (plain GET), a WebSocket that
// replays the events after ?since= and goes on live without a gap or a duplicate at the seam,
// live clients that get events Redis never carried (written by another connection, or while
// Redis was away), and events that carry summaries instead of megabytes of prompt and output.
class tst_ApiEvents : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void pagesOfStoredEvents();
    void badSinceAndLimitAreRefused();
    void webSocketReplaysThenGoesLive();
    void liveClientsGetWhatRedisNeverCarried();
    void eventsPublishedWhileRedisWasAwayArrive();
    void eventsCarrySummaries();

private:
    qint64 newestSeq();
    QList<qint64> storedSeqs(qint64 since); // every seq after since, from PostgreSQL
    static QList<qint64> seqsOf(const QList<QJsonObject> &events);
    QString createTask(const QString &prompt, const QString &type = u"events-none"_s);
    // A task written straight into PostgreSQL: its event is never published on Redis.
    QString createUnpublishedTask(const QString &prompt);
    static bool hasEvent(const QList<QJsonObject> &events, const QString &type, const QString &id);
};

// Straight from the table, not through the code under test.
qint64 tst_ApiEvents::newestSeq()
{
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    if (!q.exec(u"SELECT coalesce(max(id), 0) FROM events"_s) || !q.next())
        qFatal("cannot read the newest seq");
    return q.value(0).toLongLong();
}

QList<qint64> tst_ApiEvents::storedSeqs(qint64 since)
{
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    if (!q.exec(u"SELECT id FROM events WHERE id > %1 ORDER BY id"_s.arg(since)))
        qFatal("cannot read the events");
    QList<qint64> out;
    while (q.next())
        out << q.value(0).toLongLong();
    return out;
}

QList<qint64> tst_ApiEvents::seqsOf(const QList<QJsonObject> &events)
{
    QList<qint64> out;
    for (const QJsonObject &e : events)
        out << e.value(u"seq"_s).toInteger();
    return out;
}

QString tst_ApiEvents::createTask(const QString &prompt, const QString &type)
{
    const Reply r = call("POST",
                         u"/api/v1/tasks"_s,
                         QJsonDocument(QJsonObject{{u"prompt"_s, prompt}, {u"agent_type"_s, type}})
                             .toJson(QJsonDocument::Compact));
    if (r.status != 201)
        qWarning() << r.describe();
    return r.object().value(u"id"_s).toString();
}

QString tst_ApiEvents::createUnpublishedTask(const QString &prompt)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.agentType = u"events-none"_s;
    const Result<Change> c = m_probe->createTask(t);
    if (!c)
        qWarning() << c.error().message;
    return t.id;
}

bool tst_ApiEvents::hasEvent(const QList<QJsonObject> &events,
                             const QString &type,
                             const QString &id)
{
    for (const QJsonObject &e : events)
        if (e.value(u"type"_s).toString() == type
            && e.value(u"task"_s).toObject().value(u"id"_s).toString() == id)
            return true;
    return false;
}

void tst_ApiEvents::pagesOfStoredEvents()
{
    const qint64 before = newestSeq();
    QStringList ids;
    for (int i = 0; i < 5; ++i)
        ids << createTask(u"paged %1"_s.arg(i));
    QVERIFY(!ids.contains(QString()));

    // Two at a time, each page asked for with the "next" of the one before.
    QList<QJsonObject> all;
    qint64 since = before;
    for (int pages = 0; pages < 10; ++pages) {
        const Reply r = call("GET", u"/api/v1/events?since=%1&limit=2"_s.arg(since));
        QVERIFY2(r.status == 200, r.describe().constData());
        const QJsonArray events = r.object().value(u"events"_s).toArray();
        QVERIFY(events.size() <= 2);
        const qint64 next = r.object().value(u"next"_s).toInteger();
        if (events.isEmpty()) {
            QCOMPARE(next, since); // nothing new: ask again with the same
            break;
        }
        for (const QJsonValue &e : events)
            all << e.toObject();
        QCOMPARE(next, all.last().value(u"seq"_s).toInteger());
        since = next;
    }
    QCOMPARE(seqsOf(all), storedSeqs(before));
    QCOMPARE(all.size(), 5);
    for (qsizetype i = 0; i < all.size(); ++i) {
        QCOMPARE(all.at(i).value(u"type"_s).toString(), u"task.created"_s);
        QCOMPARE(all.at(i).value(u"task"_s).toObject().value(u"id"_s).toString(), ids.at(i));
        QVERIFY(!all.at(i).value(u"at"_s).toString().isEmpty());
    }

    // No since: from the first event; no limit: 100 at most. Over the Unix socket, no token.
    Reply r = call("GET", u"/api/v1/events"_s);
    QVERIFY2(r.status == 200, r.describe().constData());
    const QJsonArray first = r.object().value(u"events"_s).toArray();
    QCOMPARE(first.size(), qMin<qsizetype>(100, storedSeqs(0).size()));
    QCOMPARE(first.first().toObject().value(u"seq"_s).toInteger(), storedSeqs(0).first());
    r = unixCall("GET", u"/api/v1/events?limit=1000&since=%1"_s.arg(before));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"events"_s).toArray().size(), 5);
    // Without the token over TCP: no.
    r = call("GET", u"/api/v1/events"_s, {}, {}, false);
    QCOMPARE(r.status, 401);
}

void tst_ApiEvents::badSinceAndLimitAreRefused()
{
    const QString before = counts();
    const QList<std::pair<QString, QString>> bad = {
        {u"since=-1"_s, u"since"_s},
        {u"since=abc"_s, u"since"_s},
        {u"since=1.5"_s, u"since"_s},
        {u"since="_s, u"since"_s},
        {u"limit=0"_s, u"limit"_s},
        {u"limit=1001"_s, u"limit"_s},
        {u"limit=ten"_s, u"limit"_s},
        {u"since=1&since=2"_s, u"since"_s},
        {u"sinse=1"_s, u"sinse"_s},
    };
    for (const auto &[query, name] : bad) {
        const Reply r = call("GET", u"/api/v1/events?"_s + query);
        QVERIFY2(r.status == 400, qPrintable(query + u": "_s + QString::fromUtf8(r.describe())));
        QCOMPARE(r.code(), u"invalid_parameter"_s);
        QVERIFY2(r.message().startsWith(name), qPrintable(r.message()));
    }
    // The WebSocket refuses a bad since before the upgrade.
    const QByteArray upgrade
        = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
          + m_api->token().toLatin1() + "\r\n";
    Reply r = tcpRaw(requestText("GET", u"/api/v1/events?since=soon"_s, {}, upgrade));
    QVERIFY2(r.status == 400, r.describe().constData());
    QCOMPARE(r.code(), u"invalid_parameter"_s);
    QVERIFY(r.message().startsWith(u"since"_s));
    r = tcpRaw(requestText("GET", u"/api/v1/events?since=0"_s, {}, upgrade));
    QCOMPARE(r.status, 101);
    QCOMPARE(counts(), before);
}

// Three pages of stored events, then live ones made while the replay runs: every seq once, in
// order, none missing at the seam.
void tst_ApiEvents::webSocketReplaysThenGoesLive()
{
    const qint64 before = newestSeq();
    for (int i = 0; i < 450; ++i)
        createUnpublishedTask(u"stored %1"_s.arg(i));
    createTask(u"stored and published"_s);

    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events, u"?since=%1"_s.arg(before)));
    // While it connects and replays: more, published as they happen.
    QStringList live;
    for (int i = 0; i < 5; ++i)
        live << createTask(u"during the replay %1"_s.arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
    for (int i = 0; i < 5; ++i)
        live << createTask(u"after the replay %1"_s.arg(i));
    const qint64 newest = newestSeq();
    QTRY_VERIFY_WITH_TIMEOUT(
        !events.isEmpty() && events.last().value(u"seq"_s).toInteger() >= newest, 30000);
    QCOMPARE(seqsOf(events), storedSeqs(before));
    for (const QString &id : std::as_const(live))
        QVERIFY(hasEvent(events, u"task.created"_s, id));
    // And it goes on live.
    const QString later = createTask(u"later"_s);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, u"task.created"_s, later), 10000);
    QCOMPARE(seqsOf(events), storedSeqs(before));
}

// Another connection (a hive-runner's, say) committed an event whose publication never arrived;
// the next event shows the gap, which is read from PostgreSQL before anything after it is sent.
void tst_ApiEvents::liveClientsGetWhatRedisNeverCarried()
{
    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
    const QString first = createTask(u"first"_s);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, u"task.created"_s, first), 10000);
    const qint64 from = events.last().value(u"seq"_s).toInteger();

    const QString unseen = createUnpublishedTask(u"never published"_s);
    const QString seen = createTask(u"published"_s);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, u"task.created"_s, seen), 10000);
    QVERIFY(hasEvent(events, u"task.created"_s, unseen));
    QList<qint64> since;
    for (const QJsonObject &e : std::as_const(events))
        if (e.value(u"seq"_s).toInteger() > from)
            since << e.value(u"seq"_s).toInteger();
    QCOMPARE(since, storedSeqs(from));
}

// Nothing published while Redis was away reaches anyone through Redis: once it is back, the hub
// reads it from PostgreSQL, without waiting for a next event to show the gap.
void tst_ApiEvents::eventsPublishedWhileRedisWasAwayArrive()
{
    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
    const qint64 before = newestSeq();

    QVERIFY_OK(m_fx->redis().stop());
    auto restart = qScopeGuard([this] { (void)m_fx->redis().start(); }); // also when this fails
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->redisConnected(), 10000);
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"made while Redis was away"_s;
    t.agentType = u"events-none"_s;
    QVERIFY_OK(await(m_engine->createTask(t)));
    QCOMPARE(storedSeqs(before).size(), 1);
    QVERIFY(!hasEvent(events, u"task.created"_s, t.id));

    restart.dismiss();
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, u"task.created"_s, t.id), 15000);
    QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
}

// A 90 KiB prompt (an argument of the agent CLI: Linux takes at most 128 KiB) and 300 KiB of
// output: the events carry their start or end and their sizes; the whole task is
// GET /api/v1/tasks/{id}.
void tst_ApiEvents::eventsCarrySummaries()
{
    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
    const qint64 before = newestSeq();
    Reply r = call(
        "POST", u"/api/v1/agents"_s, R"({"type":"events-sum","profile":"fake","name":"summer"})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString agentId = r.object().value(u"id"_s).toString();

    QString prompt = u"lines=20000 "_s;
    while (prompt.toUtf8().size() < 90 * 1024)
        prompt += u"ünïcode filler "_s;
    const QString id = createTask(prompt, u"events-sum"_s);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, u"task.succeeded"_s, id), 60000);
    r = call("GET", u"/api/v1/tasks/"_s + id);
    QCOMPARE(r.status, 200);
    const QJsonObject whole = r.object();
    QCOMPARE(whole.value(u"prompt"_s).toString(), prompt);
    const QString output = whole.value(u"result"_s).toObject().value(u"output"_s).toString();
    QVERIFY2(output.size() > 250 * 1024, qPrintable(QString::number(output.size())));

    int seen = 0;
    for (const QJsonObject &e : std::as_const(events)) {
        const QJsonObject task = e.value(u"task"_s).toObject();
        if (task.value(u"id"_s).toString() != id)
            continue;
        ++seen;
        const QByteArray message = QJsonDocument(e).toJson(QJsonDocument::Compact);
        QVERIFY2(message.size() < 8 * 1024, message.left(300).constData());
        QVERIFY(!task.contains(u"prompt"_s));
        QCOMPARE(task.value(u"prompt_preview"_s).toString(), prompt.left(200));
        QCOMPARE(task.value(u"prompt_bytes"_s).toInteger(), prompt.toUtf8().size());
        QCOMPARE(task.value(u"agent_type"_s).toString(), u"events-sum"_s);
        if (e.value(u"type"_s).toString() == u"task.succeeded"_s) {
            const QJsonObject result = task.value(u"result"_s).toObject();
            QVERIFY(!result.contains(u"output"_s));
            QCOMPARE(result.value(u"output_bytes"_s).toInteger(), output.toUtf8().size());
            QCOMPARE(result.value(u"output_tail"_s).toString(), output.right(200));
            QCOMPARE(result.value(u"exit_code"_s).toInt(), 0);
            QVERIFY(result.contains(u"duration_ms"_s));
            QCOMPARE(task.value(u"status"_s).toString(), u"succeeded"_s);
        }
    }
    QCOMPARE(seen, 4); // created, assigned, started, succeeded
    // The stored events are the same summaries.
    r = call("GET", u"/api/v1/events?since=%1"_s.arg(before));
    QCOMPARE(r.status, 200);
    QVERIFY(r.object().value(u"events"_s).toArray().size() >= 4);
    QVERIFY2(r.body.size() < 64 * 1024, QByteArray::number(r.body.size()).constData());
    QCOMPARE(call("DELETE", u"/api/v1/agents/"_s + agentId).status, 204);
}

QTEST_MAIN(tst_ApiEvents)
#include "tst_api_events.moc"
