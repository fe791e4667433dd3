// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/services/redistestbase.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QPointer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Hive;

// RedisClient's connection (see RedisTestBase): commands while disconnected, close, sockets and
// URLs that do not work, connect timeouts, AUTH and SELECT, and its lifetime (deleted in its own
// callback, destroyed with a command in flight or while connecting).
class tst_RedisClientConnection : public Test::RedisTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void commandsWhileDisconnected();
    void closeIsGraceful();
    void missingSocketKeepsRetrying();
    void tcpRefusedAndInvalidUrl();
    void connectTimeout();
    void authAndSelect();
    void deleteInsideOwnCallback();
    void destroyWithBlockingCommandInFlight();
    void destroyWhileConnecting();
};

void tst_RedisClientConnection::commandsWhileDisconnected()
{
    RedisClient c(m_fx->redisUrl()); // never opened
    bool called = false;
    RedisReply got;
    c.command({"PING"}, [&](const RedisReply &r) {
        called = true;
        got = r;
    });
    QVERIFY(!called); // never inside command()
    QTRY_VERIFY(called);
    QCOMPARE(got.type, Type::Error);
    QVERIFY2(got.str.startsWith("ERR not connected to Redis at "), got.str.constData());
    QVERIFY(got.str.contains(m_fx->redis().socketPath().toUtf8()));

    QFuture<RedisReply> f = c.commandFuture({"PING"});
    QTRY_VERIFY(f.isFinished());
    QVERIFY(f.result().isError());

    c.command({"PING"}); // no callback: nothing to deliver, nothing to crash
}

void tst_RedisClientConnection::closeIsGraceful()
{
    RedisClient c(m_fx->redisUrl());
    QSignalSpy disconnected(&c, &RedisClient::disconnected);
    c.open();
    QVERIFY(waitConnected(c));

    // close() inside a callback: the replies already in flight still arrive.
    std::optional<RedisReply> first, second;
    c.command({"PING"}, [&](const RedisReply &r) {
        first = r;
        c.close();
    });
    c.command({"ECHO", "still here"}, [&](const RedisReply &r) { second = r; });
    QTRY_VERIFY(second.has_value());
    QCOMPARE(first->str, "PONG"_ba);
    QCOMPARE(second->str, "still here"_ba);
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY2(disconnected.at(0).at(0).toString().contains(u"closed"_s),
             qPrintable(disconnected.at(0).at(0).toString()));
    QVERIFY(!c.isConnected());
    QVERIFY(exec(c, {"PING"}).str.startsWith("ERR not connected"));

    // And it can be opened again.
    QSignalSpy connected(&c, &RedisClient::connected);
    c.open();
    QTRY_COMPARE(connected.count(), 1);
    QCOMPARE(exec(c, {"PING"}).str, "PONG"_ba);
}

void tst_RedisClientConnection::missingSocketKeepsRetrying()
{
    const QString path = m_fx->dir() + u"/no/such/redis.sock"_s;
    RedisClient c(u"unix://"_s + path, u"tst-missing"_s);
    QSignalSpy connected(&c, &RedisClient::connected);
    QSignalSpy disconnected(&c, &RedisClient::disconnected);
    c.open();
    QCOMPARE(disconnected.count(), 0); // never from inside open()
    // The first attempt at once, then 100, 200, 400 ms later: it keeps trying.
    QTRY_VERIFY_WITH_TIMEOUT(disconnected.count() >= 4, 5000);
    const QString reason = disconnected.at(0).at(0).toString();
    QVERIFY2(reason.contains(path) && reason.contains(u"cannot connect"_s), qPrintable(reason));
    QCOMPARE(connected.count(), 0);
    QVERIFY(!c.isConnected());
    const RedisReply r = exec(c, {"PING"});
    QVERIFY2(r.str.startsWith("ERR not connected"), r.str.constData());
    c.close();
}

void tst_RedisClientConnection::tcpRefusedAndInvalidUrl()
{
    // A refused TCP connect fails asynchronously (connect callback with an error).
    RedisClient tcp(u"redis://127.0.0.1:1/2"_s);
    QSignalSpy tcpDown(&tcp, &RedisClient::disconnected);
    tcp.open();
    QTRY_VERIFY(tcpDown.count() >= 2);
    QVERIFY2(tcpDown.at(0).at(0).toString().contains(u"127.0.0.1:1"_s),
             qPrintable(tcpDown.at(0).at(0).toString()));
    QVERIFY(!tcp.isConnected());

    RedisClient bad(u"http://:secret@example.org/"_s);
    QSignalSpy badDown(&bad, &RedisClient::disconnected);
    bad.open();
    QTRY_COMPARE(badDown.count(), 1);
    const QString reason = badDown.at(0).at(0).toString();
    QVERIFY2(reason.contains(u"invalid Redis URL"_s), qPrintable(reason));
    QVERIFY(!reason.contains(u"secret"_s));
    const RedisReply r = exec(bad, {"PING"});
    QVERIFY(r.isError());
    QVERIFY(!r.str.contains("secret"));
}

void tst_RedisClientConnection::connectTimeout()
{
    // A listening socket whose accept queue is full: the kernel drops further SYNs, so a TCP
    // connect neither succeeds nor fails; hiredis' connect timeout (our timer hook) ends it.
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(server >= 0);
    auto closeServer = qScopeGuard([&] { ::close(server); });
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    QCOMPARE(::bind(server, reinterpret_cast<sockaddr *>(&addr), len), 0);
    QCOMPARE(::listen(server, 0), 0);
    QCOMPARE(::getsockname(server, reinterpret_cast<sockaddr *>(&addr), &len), 0);
    std::vector<int> fillers;
    auto closeFillers = qScopeGuard([&] {
        for (int fd : fillers)
            ::close(fd);
    });
    for (int i = 0; i < 4; ++i) { // backlog 0 holds one; the others wait in SYN-SENT
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        QVERIFY(fd >= 0);
        fillers.push_back(fd);
        (void)::connect(fd, reinterpret_cast<sockaddr *>(&addr), len);
    }

    RedisClient c(u"redis://127.0.0.1:%1"_s.arg(ntohs(addr.sin_port)));
    c.setConnectTimeout(200);
    QSignalSpy up(&c, &RedisClient::connected);
    QSignalSpy down(&c, &RedisClient::disconnected);
    QElapsedTimer t;
    t.start();
    c.open();
    QTRY_VERIFY(down.count() >= 2); // timed out, and tried again
    const QString reason = down.at(0).at(0).toString();
    QVERIFY2(reason.contains(u"cannot connect to Redis at 127.0.0.1:"_s), qPrintable(reason));
    QVERIFY2(reason.contains(u"Timeout"_s), qPrintable(reason));
    QCOMPARE(up.count(), 0);
    QVERIFY(!c.isConnected());
    c.close();
}

void tst_RedisClientConnection::authAndSelect()
{
    Test::HiveFixture fx(Test::HiveFixture::Redis);
    auto started = fx.start();
    QVERIFY2(started, qPrintable(errorOf(started)));
    const QString path = fx.redis().socketPath();

    RedisClient admin(fx.redisUrl(), u"tst-admin"_s);
    admin.open();
    QVERIFY(waitConnected(admin));
    QCOMPARE(exec(admin, {"CONFIG", "SET", "requirepass", "s3cret"}).str, "OK"_ba);
    // The fixture stops Redis with a password-less SHUTDOWN.
    auto noPassword = qScopeGuard([&] { exec(admin, {"CONFIG", "SET", "requirepass", ""}); });

    RedisClient wrong(u"unix://:wrong@"_s + path, u"tst-wrong"_s);
    QSignalSpy wrongUp(&wrong, &RedisClient::connected);
    QSignalSpy wrongDown(&wrong, &RedisClient::disconnected);
    wrong.open();
    QTRY_VERIFY(wrongDown.count() >= 2); // refused, and tried again
    const QString reason = wrongDown.at(0).at(0).toString();
    QVERIFY2(reason.contains(u"refused AUTH"_s), qPrintable(reason));
    QVERIFY2(!reason.contains(u":wrong"_s), qPrintable(reason)); // no password in messages
    QCOMPARE(wrongUp.count(), 0);
    QVERIFY(!wrong.isConnected());
    wrong.close();

    RedisClient db2(u"unix://:s3cret@"_s + path + u"?db=2"_s, u"tst auth"_s);
    RedisClient db0(u"unix://:s3cret@"_s + path);
    db2.open();
    db0.open();
    QVERIFY(waitConnected(db2));
    QVERIFY(waitConnected(db0));
    QCOMPARE(exec(db2, {"CLIENT", "GETNAME"}).str, "tst-auth"_ba); // blanks become '-'
    QCOMPARE(exec(db2, {"SET", "where", "db2"}).str, "OK"_ba);
    QCOMPARE(exec(db0, {"GET", "where"}).type, Type::Nil);
    QCOMPARE(exec(db0, {"SELECT", "2"}).str, "OK"_ba);
    QCOMPARE(exec(db0, {"GET", "where"}).str, "db2"_ba);
}

void tst_RedisClientConnection::deleteInsideOwnCallback()
{
    auto *c = new RedisClient(m_fx->redisUrl(), u"tst-delete"_s);
    c->open();
    QVERIFY(waitConnected(*c));
    QPointer<RedisClient> guard(c);
    bool secondCalled = false;
    c->command({"PING"}, [c](const RedisReply &) { delete c; });
    c->command({"PING"}, [&](const RedisReply &) { secondCalled = true; });
    QTRY_VERIFY(guard.isNull());

    // Run the event loop through a round trip on another connection: nothing more arrives.
    RedisClient other(m_fx->redisUrl());
    other.open();
    QVERIFY(waitConnected(other));
    QCOMPARE(exec(other, {"PING"}).str, "PONG"_ba);
    QVERIFY(!secondCalled);
}

void tst_RedisClientConnection::destroyWithBlockingCommandInFlight()
{
    RedisClient other(m_fx->redisUrl());
    other.open();
    QVERIFY(waitConnected(other));
    exec(other, {"DEL", "never-pushed"});

    auto c = std::make_unique<RedisClient>(m_fx->redisUrl(), u"tst-destroy"_s);
    c->setCommandTimeout(0);
    c->open();
    QVERIFY(waitConnected(*c));
    QFuture<RedisReply> f = c->commandFuture({"BLPOP", "never-pushed", "0"});
    QTRY_COMPARE(blockedClients(other), 1);
    c.reset();
    QVERIFY(f.isFinished());
    QVERIFY(f.isCanceled());                // dropped, not called
    QTRY_COMPARE(blockedClients(other), 0); // the connection is closed
}

void tst_RedisClientConnection::destroyWhileConnecting()
{
    for (int i = 0; i < 20; ++i) {
        auto c = std::make_unique<RedisClient>(m_fx->redisUrl());
        bool called = false;
        c->open();
        c->command({"PING"}, [&](const RedisReply &) { called = true; });
        c.reset(); // socket notifiers and the pending "not connected" reply go with it
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }
    RedisClient c(m_fx->redisUrl());
    c.open();
    QVERIFY(waitConnected(c));
}

QTEST_GUILESS_MAIN(tst_RedisClientConnection)
#include "tst_redisclient_connection.moc"
