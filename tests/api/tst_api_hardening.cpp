// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLocalSocket>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Hive;

// What a client that does not play by the rules can do to the API (see ApiTestBase), over raw
// sockets: HTTP framing that would let one request hide another, connections that never finish a
// request or never go, floods of connections without the token, U+0000 in JSON strings, and
// what a 500 tells.
class tst_ApiHardening : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void malformedFramingIsRefused_data();
    void malformedFramingIsRefused();
    void wellFormedVariantsAreServed();
    void requestTimeout();
    void idleTimeout();
    void unauthenticatedIdlersCannotStarveTokenHolders();
    void unixSocketHasItsOwnBudget();
    void nulInStringsIsRefused_data();
    void nulInStringsIsRefused();
    void hookPayloadMayCarryNulElsewhere();
    void internalErrorsCarryAnIdNotSqlText();
    void mutatedRequestsGetA4xx();

private:
    struct Exchange
    {
        Reply reply;
        bool closed = false; // the server closed the connection after the answer
        QByteArray after;    // whatever came after the first answer
    };
    // Sends request on a new TCP connection to port, reads the first answer, then waits up to
    // closeMs for the server to close the connection.
    Exchange exchange(const QByteArray &request, quint16 port = 0, int closeMs = 3000);
    // A server of its own with these limits (the shared one keeps the defaults).
    std::unique_ptr<ApiServer> smallServer(const std::function<void(ApiServer::Options &)> &set);
    std::unique_ptr<QTemporaryDir> m_smallDir;
};

tst_ApiHardening::Exchange
tst_ApiHardening::exchange(const QByteArray &request, quint16 port, int closeMs)
{
    Exchange x;
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port ? port : quint16(m_api->port()));
    if (!s.waitForConnected(5000))
        return x;
    s.write(request);
    const auto open = [&s] {
        return s.state() == QAbstractSocket::ConnectedState;
    };
    QByteArray pending;
    x.reply = readResponse(&s, open, 10000, &pending);
    QDeadlineTimer d(closeMs);
    while (open() && !d.hasExpired()) {
        pending += s.readAll();
        QTest::qWait(5);
    }
    x.closed = !open();
    x.after = pending + s.readAll();
    return x;
}

std::unique_ptr<ApiServer>
tst_ApiHardening::smallServer(const std::function<void(ApiServer::Options &)> &set)
{
    m_smallDir = std::make_unique<QTemporaryDir>(
        qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/hard-XXXXXX"_s);
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = m_smallDir->path();
    set(o);
    auto api = std::make_unique<ApiServer>(o, m_engine.get());
    auto url = await(api->start());
    if (!url)
        qFatal("the small server did not start: %s", qPrintable(url.error().message));
    return api;
}

// Every row is a request that QHttpServer 6.8's parser would have taken (most of them creating a
// task, or answering a request hidden in another): refused with 400 (413 over the limit) before it
// sees them, the connection closed, nothing else answered, nothing changed.
void tst_ApiHardening::malformedFramingIsRefused_data()
{
    QTest::addColumn<QByteArray>("request"); // "{auth}" is replaced by the bearer header
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");

    const QByteArray body = R"({"prompt":"smuggled","title":"hardening"})";
    const QByteArray len = QByteArray::number(body.size());
    const QByteArray post = "POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n{auth}"
                            "Content-Type: application/json\r\n";
    const QByteArray chunked
        = QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
    const QByteArray smuggled = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n";

    QTest::newRow("two different Content-Length")
        << post + "Content-Length: " + len
               + "\r\nContent-Length: " + QByteArray::number(body.size() + 5) + "\r\n\r\n" + body
        << 400 << u"Content-Length: given 2 times"_s;
    QTest::newRow("the same Content-Length twice")
        << post + "Content-Length: " + len + "\r\nContent-Length: " + len + "\r\n\r\n" + body << 400
        << u"Content-Length: given 2 times"_s;
    QTest::newRow("Content-Length with a list")
        << post + "Content-Length: " + len + ", " + len + "\r\n\r\n" + body << 400
        << u"Content-Length"_s;
    QTest::newRow("Content-Length with a sign")
        << post + "Content-Length: +" + len + "\r\n\r\n" + body << 400 << u"Content-Length"_s;
    QTest::newRow("Transfer-Encoding with Content-Length")
        << post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunked << 400
        << u"Transfer-Encoding and Content-Length together"_s;
    QTest::newRow("Content-Length with Transfer-Encoding")
        << post + "Content-Length: " + QByteArray::number(chunked.size())
               + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
        << 400 << u"Transfer-Encoding and Content-Length together"_s;
    QTest::newRow("two Transfer-Encoding")
        << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
        << 400 << u"Transfer-Encoding: given 2 times"_s;
    QTest::newRow("Transfer-Encoding gzip, chunked")
        << post + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked << 400
        << u"only 'chunked'"_s;
    QTest::newRow("chunked in HTTP/1.0") << QByteArray(post).replace("HTTP/1.1", "HTTP/1.0")
                                                + "Transfer-Encoding: chunked\r\n\r\n" + chunked
                                         << 400 << u"HTTP/1.0"_s;
    // The parser reads a size it cannot parse as 0: the body ends there and what follows is read
    // as the next request.
    QTest::newRow("chunk size 2^64-1")
        << post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n" + smuggled << 400
        << u"chunk size 'ffffffffffffffff' does not fit"_s;
    QTest::newRow("chunk size past 64 bits")
        << post + "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\n" + body + "\r\n0\r\n\r\n"
        << 400 << u"does not fit"_s;
    QTest::newRow("chunk size over the body limit")
        << post + "Transfer-Encoding: chunked\r\n\r\n200000\r\n" + body << 413
        << u"larger than 1048576 bytes"_s;
    QTest::newRow("negative chunk size")
        << post + "Transfer-Encoding: chunked\r\n\r\n-5\r\n" + smuggled << 400
        << u"not a hexadecimal number"_s;
    QTest::newRow("0x chunk size")
        << post + "Transfer-Encoding: chunked\r\n\r\n0x" + QByteArray::number(body.size(), 16)
               + "\r\n" + body + "\r\n0\r\n\r\n"
        << 400 << u"not a hexadecimal number"_s;
    QTest::newRow("chunk longer than its size")
        << post + "Transfer-Encoding: chunked\r\n\r\n1\r\n" + body + "\r\n0\r\n\r\n"
        << 400 << u"not followed by CRLF"_s;
    QTest::newRow("chunk size line with a bare LF")
        << post + "Transfer-Encoding: chunked\r\n\r\n" + QByteArray::number(body.size(), 16) + "\n"
               + body + "\r\n0\r\n\r\n"
        << 400 << u"CRLF"_s;
    QTest::newRow("chunked trailer")
        << post + "Transfer-Encoding: chunked\r\n\r\n" + QByteArray::number(body.size(), 16)
               + "\r\n" + body + "\r\n0\r\nX-Smuggled: " + smuggled.left(20) + "\r\n\r\n"
        << 400 << u"trailer"_s;
    QTest::newRow("absolute-form target")
        << QByteArray(post).replace("/api/v1/tasks", "http://localhost/api/v1/tasks")
               + "Content-Length: " + len + "\r\n\r\n" + body
        << 400 << u"request target: 'http://localhost/api/v1/tasks' is not a path"_s;
    QTest::newRow("absolute-form target, other host")
        << QByteArray("GET http://x/api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"request target"_s;
    QTest::newRow("network-path target")
        << QByteArray("GET //evil.example/api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"request target"_s;
    QTest::newRow("authority-form target")
        << QByteArray("CONNECT localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"request target"_s;
    QTest::newRow("asterisk-form target")
        << QByteArray("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"request target"_s;
    QTest::newRow("HTTP/2.0") << QByteArray(post).replace("HTTP/1.1", "HTTP/2.0")
                                     + "Content-Length: " + len + "\r\n\r\n" + body
                              << 400 << u"HTTP version"_s;
    QTest::newRow("lower-case version")
        << QByteArray("GET /api/v1/health http/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"HTTP version"_s;
    QTest::newRow("two spaces in the request line")
        << QByteArray("GET  /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
        << u"request line"_s;
    QTest::newRow("space before the colon")
        << post + "Content-Length : " + len + "\r\n\r\n" + body << 400 << u"not a token"_s;
    QTest::newRow("folded header")
        << post + "Content-Length: " + len + "\r\nX-Note: a\r\n folded\r\n\r\n" + body << 400
        << u"folded"_s;
    QTest::newRow("NUL in a header") << post + "Content-Length: " + len + "\r\nX-Note: a"
                                            + QByteArray(1, '\0') + "b\r\n\r\n" + body
                                     << 400 << u"control character"_s;
    QTest::newRow("bare CR in a header")
        << post + "Content-Length: " + len + "\r\nX-Note: a\rb\r\n\r\n" + body << 400 << u"CR"_s;
    QTest::newRow("header without a colon")
        << post + "Content-Length: " + len + "\r\nX-Note\r\n\r\n" + body << 400
        << u"expected 'Name: value'"_s;
}

void tst_ApiHardening::malformedFramingIsRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    request.replace("{auth}",
                    QByteArray("Authorization: Bearer " + m_api->token().toLatin1() + "\r\n"));
    const QString before = counts();
    const Exchange x = exchange(request);
    QVERIFY2(x.reply.status == status, x.reply.describe().constData());
    QCOMPARE(x.reply.code(), status == 413 ? u"payload_too_large"_s : u"malformed_request"_s);
    QVERIFY2(x.reply.message().contains(mentions), qPrintable(x.reply.message()));
    QCOMPARE(x.reply.headers.value("connection"), QByteArray("close"));
    QVERIFY2(x.closed, "the connection stayed open");
    QVERIFY2(x.after.isEmpty(), x.after.left(300).constData()); // nothing hidden was answered
    QCOMPARE(counts(), before);
    // The server goes on serving.
    QCOMPARE(exchange("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                 .reply.status,
             200);
}

// What the strict framing must still take: chunked bodies split anywhere, extensions, leading
// empty lines, LF-only heads, HTTP/1.0, a pipeline.
void tst_ApiHardening::wellFormedVariantsAreServed()
{
    const QByteArray auth = "Authorization: Bearer " + m_api->token().toLatin1() + "\r\n";
    const QByteArray body = R"({"prompt":"framing variants","title":"hardening"})";
    QByteArray chunked;
    for (qsizetype i = 0; i < body.size(); i += 7) {
        const QByteArray piece = body.mid(i, 7);
        chunked += QByteArray::number(piece.size(), 16).toUpper() + (i == 0 ? ";ext=1" : "")
                   + "\r\n" + piece + "\r\n";
    }
    chunked += "0\r\n\r\n";
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(s.waitForConnected(2000));
    const auto open = [&s] {
        return s.state() == QAbstractSocket::ConnectedState;
    };
    // Byte by byte, so that every state of the framing meets the end of the data.
    const QByteArray request = "\r\nPOST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                               + "Content-Type: application/json\r\nTransfer-Encoding: Chunked"
                                 "\r\n\r\n"
                               + chunked;
    for (const char c : request) {
        s.write(&c, 1);
        s.flush();
        QTest::qWait(1);
    }
    QByteArray pending;
    Reply r = readResponse(&s, open, 30000, &pending);
    QVERIFY2(r.status == 201, r.describe().constData());
    QCOMPARE(r.object().value(u"prompt"_s).toString(), u"framing variants"_s);
    // A pipeline: an LF-only head, a Content-Length body, a 404, then HTTP/1.0 which closes.
    s.write("GET /api/v1/health HTTP/1.1\nHost: localhost\n\n"
            + requestText("POST", u"/api/v1/tasks"_s, body, auth)
            + requestText("GET", u"/api/v1/tasks/"_s + kUnknownId, {}, auth)
            + "GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n");
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 200);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 201);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 404);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(!open(), 5000);

    // "Expect: 100-continue": the body follows the interim answer.
    QTcpSocket c;
    c.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(c.waitForConnected(2000));
    c.write("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
            + "Expect: 100-continue\r\nContent-Length: " + QByteArray::number(body.size())
            + "\r\n\r\n");
    QByteArray interim;
    QTRY_VERIFY_WITH_TIMEOUT((interim += c.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(interim.startsWith("HTTP/1.1 100"), interim.constData());
    c.write(body);
    r = readResponse(&c, [&c] { return c.state() == QAbstractSocket::ConnectedState; });
    QVERIFY2(r.status == 201, r.describe().constData());

    // A refused request behind one the engine answers: the answers stay in order.
    QTcpSocket p;
    p.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(p.waitForConnected(2000));
    p.write(requestText("GET", u"/api/v1/agents"_s, {}, auth)
            + "GET http://localhost/api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto pOpen = [&p] {
        return p.state() == QAbstractSocket::ConnectedState;
    };
    pending.clear();
    r = readResponse(&p, pOpen, 30000, &pending);
    QVERIFY2(r.status == 200 && r.body.startsWith('['), r.describe().constData());
    r = readResponse(&p, pOpen, 30000, &pending);
    QVERIFY2(r.status == 400, r.describe().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!pOpen(), 5000);
}

void tst_ApiHardening::requestTimeout()
{
    const auto api = smallServer([](ApiServer::Options &o) {
        o.requestTimeoutMs = 400;
        o.idleTimeoutMs = 60000;
    });
    const quint16 port = quint16(api->port());
    const QByteArray auth = "Authorization: Bearer " + api->token().toLatin1() + "\r\n";
    const QString before = counts();
    // Nothing sent; half a head (slowloris); a whole head and half of its body.
    for (const QByteArray &request :
         {QByteArray(),
          QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: local"),
          QByteArray("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                     + "Content-Length: 40\r\n\r\n{\"prompt\":\"never fin")}) {
        const Exchange x = exchange(request, port, 5000);
        QVERIFY2(x.reply.status == 408,
                 QByteArray(request + " → " + x.reply.describe()).constData());
        QCOMPARE(x.reply.code(), u"request_timeout"_s);
        QVERIFY(x.closed);
    }
    // A chunked body that never ends, its bytes trickling in.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(s.waitForConnected(2000));
    s.write("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
            + "Transfer-Encoding: chunked\r\n\r\n");
    QByteArray got;
    QDeadlineTimer d(5000);
    while (s.state() == QAbstractSocket::ConnectedState && !d.hasExpired()) {
        s.write("1\r\na\r\n");
        QTest::qWait(50);
        got += s.readAll();
    }
    got += s.readAll();
    QVERIFY2(got.startsWith("HTTP/1.1 408"), got.constData());
    QCOMPARE(counts(), before);
    // A client that sends in time is served.
    QCOMPARE(
        exchange("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n", port, 0).reply.status,
        200);
}

void tst_ApiHardening::idleTimeout()
{
    const auto api = smallServer([](ApiServer::Options &o) {
        o.requestTimeoutMs = 60000;
        o.idleTimeoutMs = 400;
    });
    const quint16 port = quint16(api->port());
    for (const bool local : {false, true}) {
        std::unique_ptr<QIODevice> device;
        std::function<bool()> open;
        if (local) {
            auto *s = new QLocalSocket;
            device.reset(s);
            s->connectToServer(api->socketPath());
            QVERIFY(s->waitForConnected(2000));
            open = [s] {
                return s->state() == QLocalSocket::ConnectedState;
            };
        } else {
            auto *s = new QTcpSocket;
            device.reset(s);
            s->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(s->waitForConnected(2000));
            open = [s] {
                return s->state() == QAbstractSocket::ConnectedState;
            };
        }
        QByteArray pending;
        for (int i = 0; i < 3; ++i) { // requests within the timeout keep it open
            device->write(requestText("GET", u"/api/v1/health"_s, {}, {}));
            QCOMPARE(readResponse(device.get(), open, 10000, &pending).status, 200);
            QTest::qWait(100);
        }
        // Then, without a request, it is closed, silently.
        QTRY_VERIFY_WITH_TIMEOUT(!open(), 5000);
        pending += device->readAll();
        QVERIFY2(pending.isEmpty(), pending.constData());
    }
    // A WebSocket has no idle timeout: it is quiet until there is an event.
    QUrl url(u"ws://127.0.0.1:%1/api/v1/events"_s.arg(port));
    QNetworkRequest req(url);
    req.setRawHeader("Authorization", "Bearer " + api->token().toLatin1());
    QWebSocket ws;
    ws.open(req);
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 5000);
    QTest::qWait(1500); // well past the idle timeout
    QCOMPARE(ws.state(), QAbstractSocket::ConnectedState);
    QSignalSpy pong(&ws, &QWebSocket::pong);
    ws.ping();
    QVERIFY(pong.wait(5000));
}

void tst_ApiHardening::unauthenticatedIdlersCannotStarveTokenHolders()
{
    const auto api = smallServer([](ApiServer::Options &o) {
        o.maxConnections = 8;
        o.maxUnauthenticatedConnections = 4;
        o.requestTimeoutMs = 60000;
        o.idleTimeoutMs = 60000;
    });
    const quint16 port = quint16(api->port());
    const QByteArray auth = "Authorization: Bearer " + api->token().toLatin1() + "\r\n";
    const auto connectTo = [port] {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, port);
        return s;
    };
    // Three clients with the token, kept alive.
    std::vector<std::unique_ptr<QTcpSocket>> holders;
    for (int i = 0; i < 3; ++i) {
        holders.push_back(connectTo());
        QTcpSocket *s = holders.back().get();
        QVERIFY(s->waitForConnected(2000));
        s->write(requestText("GET", u"/api/v1/agents"_s, {}, auth));
        QCOMPARE(
            readResponse(s, [s] { return s->state() == QAbstractSocket::ConnectedState; }).status,
            200);
    }
    // Thirty connections that send nothing, kept open by the client.
    std::vector<std::unique_ptr<QTcpSocket>> idlers;
    for (int i = 0; i < 30; ++i) {
        idlers.push_back(connectTo());
        QVERIFY(idlers.back()->waitForConnected(2000));
    }
    QTest::qWait(200);
    // A newcomer with the token gets in, and the clients that have it still work.
    for (int i = 0; i < 3; ++i) {
        const Exchange x = exchange(
            requestText("GET", u"/api/v1/agents"_s, {}, auth + "Connection: close\r\n"), port);
        QVERIFY2(x.reply.status == 200, x.reply.describe().constData());
    }
    for (auto &s : holders) {
        s->write(requestText("GET", u"/api/v1/agents"_s, {}, auth));
        QTcpSocket *p = s.get();
        QCOMPARE(
            readResponse(p, [p] { return p->state() == QAbstractSocket::ConnectedState; }).status,
            200);
    }
    // The idlers made room: told why (503) and closed, all but the newest few.
    int closed = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (closed = int(std::count_if(
             idlers.begin(),
             idlers.end(),
             [](const auto &s) { return s->state() != QAbstractSocket::ConnectedState; })),
         closed >= 30 - 4),
        5000);
    QVERIFY(idlers.front()->readAll().startsWith("HTTP/1.1 503"));
}

void tst_ApiHardening::unixSocketHasItsOwnBudget()
{
    const auto api = smallServer([](ApiServer::Options &o) {
        o.maxConnections = 2;
        o.maxLocalConnections = 2;
    });
    const quint16 port = quint16(api->port());
    const QByteArray auth = "Authorization: Bearer " + api->token().toLatin1() + "\r\n";
    // The TCP budget is full of clients with the token.
    std::vector<std::unique_ptr<QTcpSocket>> tcp;
    for (int i = 0; i < 2; ++i) {
        tcp.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket *s = tcp.back().get();
        s->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s->waitForConnected(2000));
        s->write(requestText("GET", u"/api/v1/agents"_s, {}, auth));
        QCOMPARE(
            readResponse(s, [s] { return s->state() == QAbstractSocket::ConnectedState; }).status,
            200);
    }
    Exchange x = exchange(requestText("GET", u"/api/v1/health"_s, {}, {}), port);
    QVERIFY2(x.reply.status == 503, x.reply.describe().constData());
    QCOMPARE(x.reply.code(), u"too_many_connections"_s);
    // The Unix socket is not touched by it.
    Reply r = unixCall("GET", u"/api/v1/agents"_s, {}, {}, api->socketPath());
    QVERIFY2(r.status == 200, r.describe().constData());
    // Its own limit: two kept-alive connections, a third is refused; TCP is not touched by that.
    std::vector<std::unique_ptr<QLocalSocket>> local;
    for (int i = 0; i < 2; ++i) {
        local.push_back(std::make_unique<QLocalSocket>());
        QLocalSocket *s = local.back().get();
        s->connectToServer(api->socketPath());
        QVERIFY(s->waitForConnected(2000));
        s->write(requestText("GET", u"/api/v1/agents"_s, {}, {}));
        QCOMPARE(readResponse(s, [s] { return s->state() == QLocalSocket::ConnectedState; }).status,
                 200);
    }
    r = unixCall("GET", u"/api/v1/agents"_s, {}, {}, api->socketPath());
    QVERIFY2(r.status == 503, r.describe().constData());
    tcp.pop_back();
    QTRY_COMPARE_WITH_TIMEOUT(
        exchange(requestText("GET", u"/api/v1/health"_s, {}, "Connection: close\r\n"), port)
            .reply.status,
        200,
        10000);
}

// Every string of a body that reaches PostgreSQL or tmux: U+0000 is a 422 naming the field, before
// anything is looked up or changed.
void tst_ApiHardening::nulInStringsIsRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");

    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    QTest::newRow("prompt") << tasks << QByteArray(R"({"prompt":"rm\u0000 -rf"})") << u"prompt"_s;
    QTest::newRow("title") << tasks << QByteArray(R"({"prompt":"x","title":"a\u0000"})")
                           << u"title"_s;
    QTest::newRow("task agent_type")
        << tasks << QByteArray(R"({"prompt":"x","agent_type":"dev\u0000"})") << u"agent_type"_s;
    QTest::newRow("depends_on") << tasks << QByteArray(R"({"prompt":"x","depends_on":["\u0000"]})")
                                << u"depends_on[0]"_s;
    QTest::newRow("agent type") << agents << QByteArray(R"({"type":"dev\u0000"})") << u"type"_s;
    QTest::newRow("name") << agents << QByteArray(R"({"type":"dev","name":"a\u0000b"})")
                          << u"name"_s;
    QTest::newRow("profile") << agents << QByteArray(R"({"type":"dev","profile":"fake\u0000"})")
                             << u"profile"_s;
    QTest::newRow("workdir") << agents << QByteArray(R"({"type":"dev","workdir":"/tmp\u0000"})")
                             << u"workdir"_s;
    QTest::newRow("repository") << agents
                                << QByteArray(R"({"type":"dev","repository":"/tmp/r\u0000"})")
                                << u"repository"_s;
    QTest::newRow("permission_mode")
        << agents << QByteArray(R"({"type":"dev","permission_mode":"plan\u0000"})")
        << u"permission_mode"_s;
    QTest::newRow("text") << agent + u"/input"_s << QByteArray(R"({"text":"yes\u0000no"})")
                          << u"text"_s;
    QTest::newRow("keys") << agent + u"/input"_s
                          << QByteArray(R"({"text":"","keys":["Enter","\u0000"]})") << u"keys[1]"_s;
    QTest::newRow("hook session_id")
        << agent + u"/hooks"_s << QByteArray(R"({"hook_event_name":"Stop","session_id":"s\u0000"})")
        << u"session_id"_s;
    QTest::newRow("hook, nested")
        << agent + u"/hooks"_s
        << QByteArray(
               R"({"hook_event_name":"PreToolUse","tool_input":{"command":["ls","\u0000"]}})")
        << u"tool_input.command[1]"_s;
}

void tst_ApiHardening::nulInStringsIsRefused()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const QString before = counts();
    Reply r = call("POST", path, body);
    QVERIFY2(r.status == 422, r.describe().constData());
    QCOMPARE(r.code(), u"invalid_value"_s);
    QVERIFY2(r.message().startsWith(field + u": must not contain U+0000"_s),
             qPrintable(r.message()));
    r = unixCall("POST", path, body);
    QVERIFY2(r.status == 422, r.describe().constData());
    QCOMPARE(counts(), before);
}

// A hook reports what a tool read or wrote, which may be a binary file's bytes: only the fields
// that reach PostgreSQL are held to it (here the agent is unknown: 404, not 422).
void tst_ApiHardening::hookPayloadMayCarryNulElsewhere()
{
    const Reply r = call("POST",
                         u"/api/v1/agents/"_s + kUnknownId + u"/hooks"_s,
                         R"({"hook_event_name":"PostToolUse","tool_name":"Read",)"
                         R"("tool_input":{"file_path":"/tmp/a.bin","content":"\u0000"},)"
                         R"("tool_response":{"file":{"content":"\u0000\u0001"}}})");
    QVERIFY2(r.status == 404, r.describe().constData());
}

// A 500 says nothing of its cause: an SQL error quotes the statement and the values of the row
// (DETAIL, CONTEXT). The answer has an id; the log has the id, the SQLSTATE and the message, not
// the values.
void tst_ApiHardening::internalErrorsCarryAnIdNotSqlText()
{
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    QVERIFY2(q.exec(u"CREATE FUNCTION hive_test_explode() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN IF NEW.prompt LIKE 'explode%' THEN RAISE EXCEPTION 'the test trigger "
                    "refuses this task' USING ERRCODE = 'XX000', DETAIL = 'the prompt was ' || "
                    "NEW.prompt; END IF; RETURN NEW; END $$"_s),
             qPrintable(q.lastError().text()));
    const auto dropIt = qScopeGuard([] {
        QSqlQuery d(QSqlDatabase::database(u"probe"_s));
        d.exec(u"DROP TRIGGER IF EXISTS hive_test_explode ON tasks"_s);
        d.exec(u"DROP FUNCTION IF EXISTS hive_test_explode()"_s);
    });
    QVERIFY2(q.exec(u"CREATE TRIGGER hive_test_explode BEFORE INSERT ON tasks FOR EACH ROW "
                    "EXECUTE FUNCTION hive_test_explode()"_s),
             qPrintable(q.lastError().text()));
    const QString before = counts();
    const QByteArray secret = "explode-secret-4711";
    const Reply r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":")" + secret + R"("})");
    QVERIFY2(r.status == 500, r.describe().constData());
    QCOMPARE(r.code(), u"internal"_s);
    const QString id = r.object().value(u"error"_s).toObject().value(u"id"_s).toString();
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{12}$"_s).match(id).hasMatch(), r.body.constData());
    QVERIFY2(r.message().contains(id), qPrintable(r.message()));
    for (const QByteArray &leak : {secret,
                                   QByteArray("INSERT"),
                                   QByteArray("trigger"),
                                   QByteArray("XX000"),
                                   QByteArray("tasks")})
        QVERIFY2(!r.body.contains(leak), r.body.constData());
    QCOMPARE(counts(), before);

    QFile log(m_fx->path(u"logs/test.log"_s));
    QByteArray text;
    QTRY_VERIFY_WITH_TIMEOUT(
        (log.open(QIODevice::ReadOnly) ? (text = log.readAll(), log.close()) : void(),
         text.contains(id.toLatin1())),
        5000);
    QVERIFY2(!text.contains(secret), text.right(2000).constData());
    const QList<QByteArray> lines = text.split('\n');
    const QByteArray line = *std::find_if(lines.begin(), lines.end(), [&id](const QByteArray &l) {
        return l.contains(id.toLatin1());
    });
    QVERIFY2(line.contains("XX000") && line.contains("the test trigger refuses this task"),
             line.constData());
}

// A few hundred requests mutated from good ones (bytes flipped, dropped, doubled, CR, LF, NUL and
// spaces put in, the request cut short): every one is answered with a status below 500 (a 4xx,
// or an answer to what was still a good request), and the server lives on.
void tst_ApiHardening::mutatedRequestsGetA4xx()
{
    const auto api = smallServer([](ApiServer::Options &o) {
        o.maxConnections = 1024;
        o.maxUnauthenticatedConnections = 1024;
        o.requestTimeoutMs = 1500;
    });
    const quint16 port = quint16(api->port());
    const QByteArray auth = "Authorization: Bearer " + api->token().toLatin1() + "\r\n";
    const QByteArray id = kUnknownId.toLatin1();
    // None of them changes anything when it succeeds.
    const QList<QByteArray> seeds{
        "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /api/v1/agents/" + id + " HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n",
        "POST /api/v1/agents/" + id + "/input HTTP/1.1\r\nHost: localhost\r\n" + auth
            + "Content-Type: application/json\r\nContent-Length: 26\r\n\r\n"
              "{\"text\":\"hi\",\"enter\":true}",
        "POST /api/v1/tasks/" + id + "/retry HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "DELETE /api/v1/tasks/" + id + "?x=1 HTTP/1.0\r\nHost: [::1]:8000\r\n" + auth + "\r\n",
    };
    const QByteArray noise("\r\n\0 \t:;,/%\x7f\xff"
                           "0f-",
                           14);
    // HIVE_API_MUTATIONS and HIVE_API_MUTATION_SEED run more of them, or others.
    const int rounds = qEnvironmentVariableIsSet("HIVE_API_MUTATIONS")
                           ? qEnvironmentVariableIntValue("HIVE_API_MUTATIONS")
                           : 400;
    const quint32 seed = qEnvironmentVariableIsSet("HIVE_API_MUTATION_SEED")
                             ? quint32(qEnvironmentVariableIntValue("HIVE_API_MUTATION_SEED"))
                             : 4711;
    QRandomGenerator rng(seed);
    const auto mutate = [&](QByteArray r) {
        const int edits = 1 + int(rng.bounded(3));
        for (int e = 0; e < edits && !r.isEmpty(); ++e) {
            const qsizetype at = qsizetype(rng.bounded(int(r.size())));
            switch (rng.bounded(6)) {
            case 0:
                r[at] = char(rng.bounded(256));
                break;
            case 1:
                r.remove(at, 1 + qsizetype(rng.bounded(4)));
                break;
            case 2:
                r.insert(at, r.mid(at, 1 + qsizetype(rng.bounded(8))));
                break;
            case 3:
                r.insert(at, noise.at(qsizetype(rng.bounded(int(noise.size())))));
                break;
            case 4:
                r.truncate(at);
                break;
            case 5:
                r.insert(at, "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked");
                break;
            }
        }
        return r;
    };
    // In batches, all of a batch at once (those cut short wait for the request timeout together).
    for (int done = 0; done < rounds; done += 400) {
        QList<QByteArray> requests;
        for (int i = done; i < qMin(rounds, done + 400); ++i)
            requests << mutate(seeds.at(int(rng.bounded(seeds.size()))));
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (const QByteArray &r : std::as_const(requests)) {
            sockets.push_back(std::make_unique<QTcpSocket>());
            sockets.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(sockets.back()->waitForConnected(5000));
            sockets.back()->write(r);
        }
        for (size_t i = 0; i < sockets.size(); ++i) {
            QTcpSocket *s = sockets[i].get();
            const Reply r = readResponse(
                s, [s] { return s->state() == QAbstractSocket::ConnectedState; }, 15000);
            const QByteArray what = requests.at(qsizetype(i)).toPercentEncoding(" /:?=\"{},");
            QVERIFY2(
                r.status >= 200 && r.status < 500,
                QByteArray(QByteArray::number(done + int(i)) + ": " + what + " → " + r.describe())
                    .constData());
            if (r.status >= 400)
                QVERIFY2(!r.code().isEmpty(), QByteArray(what + " → " + r.describe()).constData());
        }
    }
    QCOMPARE(
        exchange("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n", port, 0).reply.status,
        200);
}

QTEST_GUILESS_MAIN(tst_ApiHardening)
#include "tst_api_hardening.moc"
