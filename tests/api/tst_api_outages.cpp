// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QDir>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSqlDatabase>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Hive;

// When something cannot keep up or goes away (see ApiTestBase): a slow WebSocket client is dropped
// while the others get every event, and Redis or PostgreSQL away answer 503.
class tst_ApiOutages : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void slowWebSocketClientIsDropped();
    void outagesAnswer503();
};

void tst_ApiOutages::slowWebSocketClientIsDropped()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/slow-XXXXXX"_s);
    QVERIFY(dir.isValid());
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = dir.path();
    o.maxWebSocketBacklogBytes = 256 * 1024;
    ApiServer api(o, m_engine.get());
    auto url = await(api.start());
    QVERIFY_OK(url);

    // A reader that keeps up, and a client that stops reading after its handshake.
    QList<QJsonObject> fast;
    QUrl wsUrl(*url + u"/api/v1/events"_s);
    wsUrl.setScheme(u"ws"_s);
    QNetworkRequest req(wsUrl);
    req.setRawHeader("Authorization", "Bearer " + api.token().toLatin1());
    QWebSocket reader;
    connect(&reader, &QWebSocket::textMessageReceived, this, [&fast](const QString &m) {
        fast << QJsonDocument::fromJson(m.toUtf8()).object();
    });
    reader.open(req);
    QTRY_COMPARE_WITH_TIMEOUT(reader.state(), QAbstractSocket::ConnectedState, 5000);

    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, quint16(api.port()));
    QVERIFY(slow.waitForConnected(2000));
    slow.write(
        requestText("GET",
                    u"/api/v1/events?token="_s + api.token(),
                    {},
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    QByteArray handshake;
    QTRY_VERIFY_WITH_TIMEOUT((handshake += slow.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(handshake.startsWith("HTTP/1.1 101"), handshake.constData());
    handshake.remove(0, handshake.indexOf("\r\n\r\n") + 4);
    slow.setReadBufferSize(4096); // from now on Qt stops reading once 4 KiB wait

    // 16 MB of events: more than the kernel's buffers and the backlog allowance together. (In the
    // title: events carry only the start of a prompt, but the whole title.)
    const int n = 160;
    const QString bulk(100 * 1024, u'x');
    QStringList ids;
    for (int i = 0; i < n; ++i) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.title = bulk + QString::number(i);
        t.prompt = u"slow %1"_s.arg(i);
        t.agentType = u"nobody"_s;
        auto made = await(m_engine->createTask(t));
        QVERIFY_OK(made);
        ids << t.id;
    }
    auto created = [&fast](const QString &id) {
        return std::any_of(fast.cbegin(), fast.cend(), [&](const QJsonObject &e) {
            return e.value(u"type"_s).toString() == u"task.created"_s
                   && e.value(u"task"_s).toObject().value(u"id"_s).toString() == id;
        });
    };
    // The reader got every one of them, in order.
    QTRY_VERIFY_WITH_TIMEOUT(created(ids.last()), 60000);
    for (const QString &id : std::as_const(ids))
        QVERIFY(created(id));
    // The slow one was dropped: once it reads again it finds the stream cut short.
    slow.setReadBufferSize(0);
    QByteArray buf = handshake;
    int received = 0;
    bool closeFrame = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            buf += slow.readAll();
            for (const auto &[opcode, payload] : takeFrames(buf)) {
                if (opcode == 0x1)
                    ++received;
                if (opcode == 0x8)
                    closeFrame = true;
            }
            return slow.state() == QAbstractSocket::UnconnectedState;
        }(),
        30000);
    QVERIFY2(
        received < n,
        qPrintable(u"received %1 of %2, close frame: %3"_s.arg(received).arg(n).arg(closeFrame)));
    QCOMPARE(reader.state(), QAbstractSocket::ConnectedState);
    for (const QString &id : std::as_const(ids))
        QCOMPARE(await(m_engine->cancelTask(id))->status, Task::Status::Cancelled);
    api.stop();
}

void tst_ApiOutages::outagesAnswer503()
{
    // Redis away: state changes are refused and say why; reads still work.
    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"redis"_s)
            == QJsonValue(false),
        15000);
    Reply r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"degraded"_s);
    QString before = counts();
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"while redis is away"})");
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"unavailable"_s);
    QVERIFY2(r.message().contains(u"Redis"_s), qPrintable(r.message()));
    r = call("POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake"})");
    QCOMPARE(r.status, 503);
    QCOMPARE(counts(), before);
    QCOMPARE(call("GET", u"/api/v1/tasks?limit=1"_s).status, 200);
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"status"_s)
            == QJsonValue(u"ok"_s),
        20000);

    // PostgreSQL away: every call that needs it is 503 and names it.
    QVERIFY_OK(m_fx->postgres().stop());
    r = call("GET", u"/api/v1/tasks"_s);
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"unavailable"_s);
    QVERIFY2(r.message().contains(u"PostgreSQL"_s), qPrintable(r.message()));
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"while postgres is away"})");
    QCOMPARE(r.status, 503);
    QVERIFY2(r.message().contains(u"PostgreSQL"_s), qPrintable(r.message()));
    r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"postgres"_s), QJsonValue(false));
    QCOMPARE(r.object().value(u"status"_s).toString(), u"degraded"_s);
    QVERIFY_OK(m_fx->postgres().start());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"status"_s)
            == QJsonValue(u"ok"_s),
        20000);
    QSqlDatabase::database(u"probe"_s).close();
    QVERIFY(QSqlDatabase::database(u"probe"_s).open());
    QCOMPARE(counts(), before);
}

QTEST_GUILESS_MAIN(tst_ApiOutages)
#include "tst_api_outages.moc"
