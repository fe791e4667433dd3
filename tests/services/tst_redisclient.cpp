// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/fixture/hivefixture.h"
#include "services/queue/redisclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace Hive {
// Readable QCOMPARE failures (found by argument-dependent lookup).
char *toString(const RedisReply::Type &type)
{
    static const char *const names[] = {"Nil",    "Status", "Error",  "Integer", "String",
                                        "Array",  "Double", "Bool",   "Map"};
    return qstrdup(names[static_cast<int>(type)]);
}
} // namespace Hive

namespace {

using Args = QList<QByteArray>;
using Type = RedisReply::Type;

// Sends argv and runs the event loop until the reply is there.
RedisReply exec(RedisClient &client, const Args &argv, int timeoutMs = 5000)
{
    QFuture<RedisReply> f = client.commandFuture(argv);
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, timeoutMs))
        return RedisReply::error("TEST no reply within the time allowed");
    if (f.isCanceled() || f.resultCount() == 0)
        return RedisReply::error("TEST future cancelled");
    return f.result();
}

// QVERIFY2 evaluates its message even when the check passes: never call error() on a success.
QString errorOf(const Result<> &r)
{
    return r ? QString() : r.error().message;
}

bool waitConnected(RedisClient &client, int timeoutMs = 5000)
{
    return QTest::qWaitFor([&] { return client.isConnected(); }, timeoutMs);
}

// Subscribers of a channel, as the server counts them (-1 on error).
qint64 subscribers(RedisClient &client, const QByteArray &channel)
{
    const RedisReply r = exec(client, {"PUBSUB", "NUMSUB", channel});
    if (r.type != Type::Array || r.elements.size() != 2)
        return -1;
    return r.elements.at(1).integer;
}

// Clients blocked in BLPOP and the like (INFO clients), -1 on error.
int blockedClients(RedisClient &client)
{
    const RedisReply r = exec(client, {"INFO", "clients"});
    const QByteArray tag = "blocked_clients:";
    const qsizetype at = r.str.indexOf(tag);
    if (r.type != Type::String || at < 0)
        return -1;
    const qsizetype from = at + tag.size();
    return r.str.mid(from, r.str.indexOf('\r', from) - from).toInt();
}

} // namespace

class tst_RedisClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void setGetBinarySafe();
    void integerReplies();
    void errorReplies();
    void arrayReplies();
    void resp3Replies();
    void commandsWhileDisconnected();
    void closeIsGraceful();
    void pubSub();
    void reconnectsAfterRestart();
    void blockingCommand();
    void commandTimeoutBreaksAndRecovers();
    void missingSocketKeepsRetrying();
    void tcpRefusedAndInvalidUrl();
    void connectTimeout();
    void authAndSelect();
    void pipelinedInOrder();
    void deleteInsideOwnCallback();
    void destroyWithBlockingCommandInFlight();
    void destroyWhileConnecting();

private:
    std::unique_ptr<Test::HiveFixture> m_fx;
};

void tst_RedisClient::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fx = std::make_unique<Test::HiveFixture>(Test::HiveFixture::Redis);
    auto started = m_fx->start();
    QVERIFY2(started, qPrintable(errorOf(started)));
}

void tst_RedisClient::cleanupTestCase()
{
    m_fx.reset();
}

void tst_RedisClient::setGetBinarySafe()
{
    RedisClient c(m_fx->redisUrl(), u"tst-binary"_s);
    c.open();
    QVERIFY(waitConnected(c));

    const QByteArray key("bin\0key", 7);
    const QByteArray value = QByteArray("a\0b\0\r\n\xff\xfe\x00", 10)
                             + u"grüße, 日本語 ✓"_s.toUtf8();
    RedisReply r = exec(c, {"SET", key, value});
    QCOMPARE(r.type, Type::Status);
    QCOMPARE(r.str, "OK"_ba);

    r = exec(c, {"GET", key});
    QCOMPARE(r.type, Type::String);
    QCOMPARE(r.str.size(), value.size());
    QCOMPARE(r.str, value);

    r = exec(c, {"STRLEN", key});
    QCOMPARE(r.type, Type::Integer);
    QCOMPARE(r.integer, value.size());

    r = exec(c, {"GET", QByteArray("bin\0other", 9)}); // differs from key only after the NUL
    QCOMPARE(r.type, Type::Nil);

    r = exec(c, {"SET", "empty", ""});
    QCOMPARE(r.type, Type::Status);
    r = exec(c, {"GET", "empty"});
    QCOMPARE(r.type, Type::String);
    QVERIFY(r.str.isEmpty());
}

void tst_RedisClient::integerReplies()
{
    RedisClient c(m_fx->redisUrl());
    c.open();
    QVERIFY(waitConnected(c));
    exec(c, {"DEL", "counter"});
    RedisReply r = exec(c, {"INCR", "counter"});
    QCOMPARE(r.type, Type::Integer);
    QCOMPARE(r.integer, 1);
    r = exec(c, {"INCRBY", "counter", "9007199254740993"});
    QCOMPARE(r.type, Type::Integer);
    QCOMPARE(r.integer, Q_INT64_C(9007199254740994));
    r = exec(c, {"DECRBY", "counter", "9007199254741000"});
    QCOMPARE(r.integer, -6);
}

void tst_RedisClient::errorReplies()
{
    RedisClient c(m_fx->redisUrl());
    c.open();
    QVERIFY(waitConnected(c));
    exec(c, {"SET", "a-string", "x"});
    RedisReply r = exec(c, {"LPUSH", "a-string", "y"});
    QCOMPARE(r.type, Type::Error);
    QVERIFY(r.isError());
    QVERIFY2(r.str.startsWith("WRONGTYPE"), r.str.constData());

    r = exec(c, {"NOSUCHCOMMAND", "x"});
    QCOMPARE(r.type, Type::Error);
    QVERIFY2(r.str.startsWith("ERR unknown command"), r.str.constData());

    r = exec(c, {"INCR", "a-string"});
    QCOMPARE(r.type, Type::Error);

    // Pub/sub commands go through subscribe(); command() refuses them instead of confusing hiredis.
    r = exec(c, {"subscribe", "x"});
    QCOMPARE(r.type, Type::Error);
    r = exec(c, {});
    QCOMPARE(r.type, Type::Error);

    // The connection is still fine after errors.
    r = exec(c, {"PING"});
    QCOMPARE(r.type, Type::Status);
    QCOMPARE(r.str, "PONG"_ba);
}

void tst_RedisClient::arrayReplies()
{
    RedisClient c(m_fx->redisUrl());
    c.open();
    QVERIFY(waitConnected(c));
    exec(c, {"DEL", "list", "stream"});

    const Args items{"a", "", QByteArray("c\0d", 3)};
    RedisReply r = exec(c, Args{"RPUSH", "list"} + items);
    QCOMPARE(r.integer, 3);
    r = exec(c, {"LRANGE", "list", "0", "-1"});
    QCOMPARE(r.type, Type::Array);
    QCOMPARE(r.elements.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(r.elements.at(i).type, Type::String);
        QCOMPARE(r.elements.at(i).str, items.at(i));
    }
    r = exec(c, {"LRANGE", "nothing-here", "0", "-1"});
    QCOMPARE(r.type, Type::Array);
    QVERIFY(r.elements.isEmpty());

    const RedisReply id1 = exec(c, {"XADD", "stream", "*", "kind", "task", "body", "ünïcode"_ba});
    QCOMPARE(id1.type, Type::String);
    const RedisReply id2 = exec(c, {"XADD", "stream", "*", "kind", "event"});
    QCOMPARE(id2.type, Type::String);
    r = exec(c, {"XRANGE", "stream", "-", "+"});
    QCOMPARE(r.type, Type::Array);
    QCOMPARE(r.elements.size(), 2);
    const RedisReply &first = r.elements.at(0);
    QCOMPARE(first.type, Type::Array);
    QCOMPARE(first.elements.size(), 2);
    QCOMPARE(first.elements.at(0).str, id1.str);
    const RedisReply &fields = first.elements.at(1);
    QCOMPARE(fields.type, Type::Array);
    QCOMPARE(fields.elements.size(), 4);
    QCOMPARE(fields.elements.at(0).str, "kind"_ba);
    QCOMPARE(fields.elements.at(1).str, "task"_ba);
    QCOMPARE(fields.elements.at(3).str, "ünïcode"_ba);
    QCOMPARE(r.elements.at(1).elements.at(0).str, id2.str);
    QCOMPARE(r.elements.at(1).elements.at(1).elements.at(1).str, "event"_ba);
}

void tst_RedisClient::resp3Replies()
{
    RedisClient c(m_fx->redisUrl());
    c.open();
    QVERIFY(waitConnected(c));
    RedisReply r = exec(c, {"HELLO", "3"});
    QCOMPARE(r.type, Type::Map);
    QVERIFY(r.elements.size() % 2 == 0);
    QVERIFY(r.elements.size() >= 2);

    exec(c, {"DEL", "h", "z", "s"});
    exec(c, {"HSET", "h", "a", "1", "b", "2"});
    r = exec(c, {"HGETALL", "h"});
    QCOMPARE(r.type, Type::Map);
    QCOMPARE(r.elements.size(), 4);

    exec(c, {"ZADD", "z", "1.5", "m"});
    r = exec(c, {"ZSCORE", "z", "m"});
    QCOMPARE(r.type, Type::Double);
    QCOMPARE(r.str, "1.5"_ba);

    exec(c, {"SADD", "s", "x", "y"});
    r = exec(c, {"SMEMBERS", "s"});
    QCOMPARE(r.type, Type::Array); // a RESP3 set
    QCOMPARE(r.elements.size(), 2);

    r = exec(c, {"EVAL", "redis.setresp(3); return true", "0"});
    QCOMPARE(r.type, Type::Bool);
    QCOMPARE(r.integer, 1);

    r = exec(c, {"GET", "no-such-key"});
    QCOMPARE(r.type, Type::Nil);
}

void tst_RedisClient::commandsWhileDisconnected()
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

void tst_RedisClient::closeIsGraceful()
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

void tst_RedisClient::pubSub()
{
    RedisClient sub(m_fx->redisUrl(), u"tst-sub"_s);
    RedisClient pub(m_fx->redisUrl(), u"tst-pub"_s);
    QSignalSpy messages(&sub, &RedisClient::message);
    sub.subscribe({"news"}); // before the connection is up
    sub.open();
    pub.open();
    QVERIFY(waitConnected(pub));
    QTRY_COMPARE(subscribers(pub, "news"), 1);

    const QByteArray payload = QByteArray("hello\0world", 11) + u" ✓"_s.toUtf8();
    RedisReply r = exec(pub, {"PUBLISH", "news", payload});
    QCOMPARE(r.integer, 1);
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), "news"_ba);
    QCOMPARE(messages.at(0).at(1).toByteArray(), payload);

    // More channels while connected; one already subscribed is not subscribed twice.
    sub.subscribe({"news", "more"});
    QTRY_COMPARE(subscribers(pub, "more"), 1);
    QCOMPARE(exec(pub, {"PUBLISH", "other", "nobody"}).integer, 0);
    QCOMPARE(exec(pub, {"PUBLISH", "more", "m1"}).integer, 1);
    QCOMPARE(exec(pub, {"PUBLISH", "news", "n2"}).integer, 1);
    QTRY_COMPARE(messages.count(), 3);
    QCOMPARE(messages.at(1).at(0).toByteArray(), "more"_ba);
    QCOMPARE(messages.at(1).at(1).toByteArray(), "m1"_ba);
    QCOMPARE(messages.at(2).at(1).toByteArray(), "n2"_ba);
    QCOMPARE(messages.count(), 3); // exactly once each
}

void tst_RedisClient::reconnectsAfterRestart()
{
    Test::HiveFixture fx(Test::HiveFixture::Redis);
    auto started = fx.start();
    QVERIFY2(started, qPrintable(errorOf(started)));

    RedisClient client(fx.redisUrl(), u"tst-restart"_s);
    RedisClient blocking(fx.redisUrl(), u"tst-restart-blocking"_s);
    blocking.setCommandTimeout(0);
    RedisClient sub(fx.redisUrl(), u"tst-restart-sub"_s);
    sub.subscribe({"events"});

    QStringList clientEvents, subEvents;
    connect(&client, &RedisClient::connected, this, [&] { clientEvents << u"connected"_s; });
    connect(&client, &RedisClient::disconnected, this, [&] { clientEvents << u"disconnected"_s; });
    connect(&sub, &RedisClient::connected, this, [&] { subEvents << u"connected"_s; });
    connect(&sub, &RedisClient::disconnected, this, [&] { subEvents << u"disconnected"_s; });
    QSignalSpy messages(&sub, &RedisClient::message);

    client.open();
    blocking.open();
    sub.open();
    QTRY_COMPARE(clientEvents, QStringList{u"connected"_s});
    QTRY_COMPARE(subEvents, QStringList{u"connected"_s});
    QVERIFY(waitConnected(blocking));
    QTRY_COMPARE(subscribers(client, "events"), 1);
    QCOMPARE(exec(client, {"PUBLISH", "events", "before"}).integer, 1);
    QTRY_COMPARE(messages.count(), 1);

    // A command in flight when the server goes away gets an error, it does not hang.
    std::optional<RedisReply> blocked;
    blocking.command({"BLPOP", "never-pushed", "0"}, [&](const RedisReply &r) { blocked = r; });
    QTRY_COMPARE(blockedClients(client), 1);

    auto stopped = fx.redis().stop();
    QVERIFY2(stopped, qPrintable(errorOf(stopped)));
    QTRY_VERIFY(blocked.has_value());
    QCOMPARE(blocked->type, Type::Error);
    QCOMPARE(blocked->str, "connection lost"_ba);
    QTRY_VERIFY(clientEvents.contains(u"disconnected"_s));
    QTRY_VERIFY(subEvents.contains(u"disconnected"_s));
    QVERIFY(!client.isConnected());
    const RedisReply whileDown = exec(client, {"PING"});
    QVERIFY2(whileDown.str.startsWith("ERR not connected"), whileDown.str.constData());

    auto restarted = fx.redis().start();
    QVERIFY2(restarted, qPrintable(errorOf(restarted)));
    QTRY_COMPARE_WITH_TIMEOUT(clientEvents.count(u"connected"_s), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(subEvents.count(u"connected"_s), 2, 10000);
    QCOMPARE(clientEvents.first(), u"connected"_s);
    QCOMPARE(clientEvents.at(1), u"disconnected"_s);
    QCOMPARE(clientEvents.last(), u"connected"_s);
    QCOMPARE(subEvents.last(), u"connected"_s);
    QCOMPARE(exec(client, {"PING"}).str, "PONG"_ba);
    QVERIFY(waitConnected(blocking, 10000));
    QCOMPARE(exec(blocking, {"PING"}).str, "PONG"_ba);

    // The subscriber re-subscribed by itself.
    QTRY_COMPARE(subscribers(client, "events"), 1);
    QCOMPARE(exec(client, {"PUBLISH", "events", "after restart"}).integer, 1);
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(1).at(1).toByteArray(), "after restart"_ba);
}

void tst_RedisClient::blockingCommand()
{
    RedisClient blocking(m_fx->redisUrl(), u"tst-blpop"_s);
    blocking.setCommandTimeout(0);
    QCOMPARE(blocking.commandTimeout(), 0);
    RedisClient pusher(m_fx->redisUrl(), u"tst-lpush"_s);
    blocking.open();
    pusher.open();
    QVERIFY(waitConnected(blocking));
    QVERIFY(waitConnected(pusher));
    exec(pusher, {"DEL", "jobs"});

    std::optional<RedisReply> got;
    QElapsedTimer t;
    t.start();
    blocking.command({"BLPOP", "jobs", "5"}, [&](const RedisReply &r) { got = r; });
    QTRY_COMPARE(blockedClients(pusher), 1);
    QVERIFY(!got.has_value());
    QCOMPARE(exec(pusher, {"LPUSH", "jobs", "job-1"}).integer, 1);
    QTRY_VERIFY(got.has_value());
    QVERIFY(t.elapsed() < 5000);
    QCOMPARE(got->type, Type::Array);
    QCOMPARE(got->elements.size(), 2);
    QCOMPARE(got->elements.at(0).str, "jobs"_ba);
    QCOMPARE(got->elements.at(1).str, "job-1"_ba);

    // A block that runs out gives nil.
    const RedisReply none = exec(blocking, {"BLPOP", "jobs", "0.2"});
    QCOMPARE(none.type, Type::Nil);
    QVERIFY(blocking.isConnected());
}

void tst_RedisClient::commandTimeoutBreaksAndRecovers()
{
    // Why blocking connections need setCommandTimeout(0): a block longer than the command timeout
    // breaks the connection. The client then reconnects by itself.
    RedisClient c(m_fx->redisUrl(), u"tst-timeout"_s);
    c.setCommandTimeout(300);
    QSignalSpy connected(&c, &RedisClient::connected);
    QSignalSpy disconnected(&c, &RedisClient::disconnected);
    c.open();
    QTRY_COMPARE(connected.count(), 1);

    QElapsedTimer t;
    t.start();
    const RedisReply r = exec(c, {"BLPOP", "never-pushed", "5"});
    QCOMPARE(r.type, Type::Error);
    QCOMPARE(r.str, "connection lost"_ba);
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY2(disconnected.at(0).at(0).toString().contains(u"Timeout"_s),
             qPrintable(disconnected.at(0).at(0).toString()));
    QTRY_COMPARE(connected.count(), 2);
    QCOMPARE(exec(c, {"PING"}).str, "PONG"_ba);

    // An idle connection is not affected by the command timeout.
    QTest::qWait(600);
    QVERIFY(c.isConnected());
    QCOMPARE(disconnected.count(), 1);
}

void tst_RedisClient::missingSocketKeepsRetrying()
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

void tst_RedisClient::tcpRefusedAndInvalidUrl()
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

void tst_RedisClient::connectTimeout()
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

void tst_RedisClient::authAndSelect()
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

void tst_RedisClient::pipelinedInOrder()
{
    constexpr int N = 1000;
    RedisClient c(m_fx->redisUrl(), u"tst-pipeline"_s);
    c.open();
    QVERIFY(waitConnected(c));
    exec(c, {"DEL", "pipe"});

    // Timed with a plain QEventLoop: QTest::qWait() naps 10 ms whenever no event is pending.
    QEventLoop loop;
    QTimer::singleShot(20000, &loop, &QEventLoop::quit); // a safety net; the checks below fail
    QList<qint64> seen;
    seen.reserve(N);
    qint64 pipelinedNs = 0;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < N; ++i) {
        c.command({"INCR", "pipe"}, [&](const RedisReply &r) {
            seen.append(r.type == Type::Integer ? r.integer : -1);
            if (seen.size() == N) {
                pipelinedNs = t.nsecsElapsed();
                loop.quit();
            }
        });
    }
    loop.exec();
    QCOMPARE(seen.size(), N);
    for (int i = 0; i < N; ++i)
        QCOMPARE(seen.at(i), i + 1);

    // The same count one after the other (each sent from the previous reply), for comparison.
    int done = 0;
    qint64 sequentialNs = 0;
    std::function<void()> next = [&] {
        c.command({"INCR", "pipe"}, [&](const RedisReply &) {
            if (++done < N) {
                next();
            } else {
                sequentialNs = t.nsecsElapsed();
                loop.quit();
            }
        });
    };
    t.restart();
    next();
    loop.exec();
    QCOMPARE(done, N);
    QCOMPARE(exec(c, {"GET", "pipe"}).str, QByteArray::number(2 * N));

    qInfo("%d INCR pipelined: %.1f ms (%.1f us each); one after the other: %.1f ms (%.1f us each)",
          N, double(pipelinedNs) / 1e6, double(pipelinedNs) / 1e3 / N, double(sequentialNs) / 1e6,
          double(sequentialNs) / 1e3 / N);
}

void tst_RedisClient::deleteInsideOwnCallback()
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

void tst_RedisClient::destroyWithBlockingCommandInFlight()
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
    QVERIFY(f.isCanceled()); // dropped, not called
    QTRY_COMPARE(blockedClients(other), 0); // the connection is closed
}

void tst_RedisClient::destroyWhileConnecting()
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

QTEST_GUILESS_MAIN(tst_RedisClient)
#include "tst_redisclient.moc"
