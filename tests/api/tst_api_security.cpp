// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Hive;

// Who gets in and how much (see ApiTestBase): the token file, refusals only a raw connection can
// send, Connection: close, the Unix socket's checks, WebSocket handshakes, a regenerated token,
// and the connection limits.
class tst_ApiSecurity : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void tokenFileIsPrivateAndStable();
    void refusalsOnTheRawConnection();
    void connectionCloseIsHonoured();
    void unixSocketNeedsNoTokenButChecksHost();
    void webSocketHandshakeRefusals();
    void regeneratedTokenCountsAtOnce();
    void connectionLimits();
};

void tst_ApiSecurity::tokenFileIsPrivateAndStable()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/tok-XXXXXX"_s);
    QVERIFY(dir.isValid());
    auto first = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY_OK(first);
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(*first).hasMatch(), qPrintable(*first));
    const QString file = dir.filePath(u"api-token"_s);
    QCOMPARE(QFileInfo(file).permissions()
                 & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                    | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    auto again = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY_OK(again);
    QCOMPARE(*again, *first);
    auto fresh = ApiServer::regenerateToken(dir.path());
    QVERIFY_OK(fresh);
    QVERIFY(*fresh != *first);
    QCOMPARE(*ApiServer::loadOrCreateToken(dir.path()), *fresh);
    // Readable by others: made private again.
    QVERIFY(QFile::setPermissions(
        file, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QVERIFY_OK(ApiServer::loadOrCreateToken(dir.path()));
    QVERIFY(!(QFileInfo(file).permissions() & QFileDevice::ReadOther));
    // Something that is no token is refused, not replaced behind the user's back.
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("short\n");
    }
    auto bad = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.contains(u"api-token"_s), qPrintable(bad.error().message));
    // Two tokens made independently differ.
    QTemporaryDir other(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath())
                        + u"/tok-XXXXXX"_s);
    QVERIFY(*ApiServer::loadOrCreateToken(other.path()) != *fresh);
}

void tst_ApiSecurity::refusalsOnTheRawConnection()
{
    const QString before = counts();
    const QByteArray auth = "Authorization: Bearer " + m_api->token().toLatin1() + "\r\n";
    // Content-Length over the limit: refused before a byte of the body is sent.
    Reply r = tcpRaw("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                     + "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
    QVERIFY2(r.status == 413, r.describe().constData());
    QCOMPARE(r.code(), u"payload_too_large"_s);
    QCOMPARE(r.headers.value("connection"), QByteArray("close"));
    // A chunked body that grows past the limit: refused when it does.
    QByteArray chunked = "POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                         + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const QByteArray piece(64 * 1024, 'a');
    for (int i = 0; i < 32; ++i)
        chunked += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    chunked += "0\r\n\r\n";
    r = tcpRaw(chunked);
    QVERIFY2(r.status == 413, r.describe().constData());
    // A head that never ends.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\n" + auth
               + "X-Padding: " + QByteArray(100 * 1024, 'p'));
    QVERIFY2(r.status == 431, r.describe().constData());
    // No Host header at all.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\n" + auth + "Connection: close\r\n\r\n");
    QVERIFY2(r.status == 403, r.describe().constData());
    // Two Host headers.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n" + auth
               + "Connection: close\r\n\r\n");
    QVERIFY2(r.status == 403, r.describe().constData());
    // The allowed spellings of Host.
    for (const QByteArray host :
         {"localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8000"}) {
        r = tcpRaw(
            requestText("GET", u"/api/v1/agents"_s, {}, auth + "Connection: close\r\n", host));
        QVERIFY2(r.status == 200, QByteArray(host + ": " + r.describe()).constData());
    }
    // Keep-alive: a refused request leaves the connection usable; requests are answered in order.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(s.waitForConnected(2000));
    s.write(requestText("POST", u"/api/v1/tasks"_s, R"({"prompt":)", auth)
            + requestText("GET", u"/api/v1/tasks/"_s + kUnknownId, {}, auth)
            + requestText("GET", u"/api/v1/health"_s, {}, {}));
    const auto open = [&s] {
        return s.state() == QAbstractSocket::ConnectedState;
    };
    QByteArray pending;
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 400);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 404);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 200);
    QCOMPARE(counts(), before);
}

void tst_ApiSecurity::connectionCloseIsHonoured()
{
    // HTTP/1.1 with "Connection: close", and HTTP/1.0 without keep-alive: the server closes after
    // the answer (clients that read to the end of the stream depend on it).
    for (const QByteArray &request :
         {QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
          QByteArray("GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n")}) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
        QVERIFY(s.waitForConnected(2000));
        s.write(request);
        QByteArray all;
        QTRY_VERIFY_WITH_TIMEOUT(
            (all += s.readAll(), s.state() == QAbstractSocket::UnconnectedState), 5000);
        all += s.readAll();
        QVERIFY2(all.contains("\"status\":\"ok\""), all.constData());
    }
    // Keep-alive stays open.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(s.waitForConnected(2000));
    s.write("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(readResponse(&s, [&s] { return s.state() == QAbstractSocket::ConnectedState; }).status,
             200);
    QTest::qWait(200);
    QCOMPARE(s.state(), QAbstractSocket::ConnectedState);
}

void tst_ApiSecurity::unixSocketNeedsNoTokenButChecksHost()
{
    Reply r = unixCall("GET", u"/api/v1/agents"_s);
    QVERIFY2(r.status == 200, r.describe().constData());
    QVERIFY(r.array().isEmpty() || r.array().first().isObject());
    const QString before = counts();
    r = unixCall("GET", u"/api/v1/agents"_s, {}, "Origin: http://localhost\r\n");
    QCOMPARE(r.status, 403);
    QCOMPARE(r.code(), u"forbidden"_s);
    QLocalSocket s;
    s.connectToServer(m_api->socketPath());
    QVERIFY(s.waitForConnected(2000));
    s.write(requestText("GET", u"/api/v1/agents"_s, {}, "Connection: close\r\n", "evil.example"));
    r = readResponse(&s, [&s] { return s.state() == QLocalSocket::ConnectedState; });
    QCOMPARE(r.status, 403);
    r = unixCall(
        "POST", u"/api/v1/tasks"_s, "{\"prompt\":\"" + QByteArray(2 * 1024 * 1024, 'a') + "\"}");
    QVERIFY2(r.status == 413, r.describe().constData());
    r = unixCall("POST", u"/api/v1/tasks"_s, R"({"prompt":1})");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.code(), u"wrong_type"_s);
    r = unixCall("GET", u"/api/v1/events?limit=1"_s); // a page of stored events
    QCOMPARE(r.status, 200);
    QVERIFY(r.object().contains(u"next"_s));
    QCOMPARE(counts(), before);
}

void tst_ApiSecurity::webSocketHandshakeRefusals()
{
    const QByteArray upgrade
        = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const QByteArray token = m_api->token().toLatin1();
    Reply r = tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade));
    QVERIFY2(r.status == 401, r.describe().constData());
    QCOMPARE(r.code(), u"unauthorized"_s);
    r = tcpRaw(requestText(
        "GET", u"/api/v1/events?token=0123456789abcdef0123456789abcdef"_s, {}, upgrade));
    QCOMPARE(r.status, 401);
    r = tcpRaw(
        requestText("GET", u"/api/v1/events"_s, {}, upgrade + "Authorization: Bearer nope\r\n"));
    QCOMPARE(r.status, 401);
    r = tcpRaw(requestText("GET",
                           u"/api/v1/events?token="_s + QString::fromLatin1(token),
                           {},
                           upgrade + "Origin: http://localhost\r\n"));
    QCOMPARE(r.status, 403);
    r = tcpRaw(requestText("GET",
                           u"/api/v1/events?token="_s + QString::fromLatin1(token),
                           {},
                           upgrade,
                           "rebound.example"));
    QCOMPARE(r.status, 403);
    r = tcpRaw(
        requestText("GET", u"/api/v1/agents?token="_s + QString::fromLatin1(token), {}, upgrade));
    QCOMPARE(r.status, 404);
    // Accepted with the token in the query (clients that cannot set headers) and as bearer.
    r = tcpRaw(
        requestText("GET", u"/api/v1/events?token="_s + QString::fromLatin1(token), {}, upgrade));
    QCOMPARE(r.status, 101);
    QList<QJsonObject> none;
    QWebSocket *viaQuery = openEvents(&none, u"?token="_s + m_api->token(), false);
    QTRY_COMPARE_WITH_TIMEOUT(viaQuery->state(), QAbstractSocket::ConnectedState, 5000);
    QWebSocket *refused = openEvents(&none, {}, false);
    QSignalSpy errors(refused, &QWebSocket::errorOccurred);
    QTRY_VERIFY_WITH_TIMEOUT(
        !errors.isEmpty() || refused->state() == QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(refused->state() != QAbstractSocket::ConnectedState);
    delete viaQuery;
    delete refused;
}

void tst_ApiSecurity::regeneratedTokenCountsAtOnce()
{
    const QString old = m_api->token();
    auto fresh = ApiServer::regenerateToken(m_fx->dir());
    QVERIFY_OK(fresh);
    QTRY_COMPARE_WITH_TIMEOUT(m_api->token(), *fresh, 5000);
    Reply r
        = call("GET", u"/api/v1/agents"_s, {}, "Authorization: Bearer " + old.toLatin1(), false);
    QCOMPARE(r.status, 401);
    r = call("GET", u"/api/v1/agents"_s);
    QCOMPARE(r.status, 200);
}

void tst_ApiSecurity::connectionLimits()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/lim-XXXXXX"_s);
    QVERIFY(dir.isValid());
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = dir.path();
    o.maxConnections = 3;
    o.maxWebSocketClients = 1;
    ApiServer small(o, m_engine.get());
    auto url = await(small.start());
    QVERIFY_OK(url);
    const quint16 port = quint16(small.port());
    QVERIFY(port != m_api->port());

    // Three connections that have sent a request with the token (unvetted ones would make room).
    std::vector<std::unique_ptr<QTcpSocket>> held;
    const QByteArray auth = "Authorization: Bearer " + small.token().toLatin1() + "\r\n";
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *s = held.back().get();
        s->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s->waitForConnected(2000));
        s->write(requestText("GET", u"/api/v1/agents"_s, {}, auth));
        QCOMPARE(
            readResponse(s, [s] { return s->state() == QAbstractSocket::ConnectedState; }).status,
            200);
    }
    // A fourth is answered 503 and closed.
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(probe.waitForConnected(2000));
    const Reply refused = readResponse(
        &probe, [&probe] { return probe.state() == QAbstractSocket::ConnectedState; }, 5000);
    QVERIFY2(refused.status == 503, refused.describe().constData());
    QCOMPARE(refused.code(), u"too_many_connections"_s);
    // The held ones still work.
    held.front()->write(requestText("GET", u"/api/v1/health"_s, {}, {}));
    QCOMPARE(readResponse(held.front().get(),
                          [&] { return held.front()->state() == QAbstractSocket::ConnectedState; })
                 .status,
             200);
    // Room again once one goes.
    held.pop_back();
    QTRY_VERIFY_WITH_TIMEOUT(
        tcpRaw(requestText("GET", u"/api/v1/health"_s, {}, "Connection: close\r\n"), port).status
            == 200,
        10000);
    held.clear();
    small.stop();
    QVERIFY(!QFile::exists(small.socketPath()));

    // WebSocket clients: one at a time here.
    o.maxConnections = 256;
    ApiServer one(o, m_engine.get());
    url = await(one.start());
    QVERIFY_OK(url);
    const quint16 onePort = quint16(one.port());
    const QByteArray token = one.token().toLatin1();
    QUrl wsUrl(*url + u"/api/v1/events"_s);
    wsUrl.setScheme(u"ws"_s);
    QNetworkRequest req(wsUrl);
    req.setRawHeader("Authorization", "Bearer " + token);
    QWebSocket first;
    first.open(req);
    QTRY_COMPARE_WITH_TIMEOUT(first.state(), QAbstractSocket::ConnectedState, 5000);
    const QByteArray upgrade
        = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
          + token + "\r\n";
    Reply r = tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade), onePort);
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"too_many_connections"_s);
    QVERIFY2(r.message().contains(u"WebSocket"_s), qPrintable(r.message()));
    first.close();
    QTRY_VERIFY_WITH_TIMEOUT(
        tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade), onePort).status == 101, 10000);
    one.stop();
}

QTEST_GUILESS_MAIN(tst_ApiSecurity)
#include "tst_api_security.moc"
