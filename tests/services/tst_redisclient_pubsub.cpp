// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/services/redistestbase.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using namespace Hive;

// RedisClient's pub/sub and reconnects (see RedisTestBase): messages exactly once, re-subscribing
// after Redis restarts, a command timeout that breaks the connection and the client recovering.
class tst_RedisClientPubSub : public Test::RedisTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void pubSub();
    void reconnectsAfterRestart();
    void commandTimeoutBreaksAndRecovers();
};

void tst_RedisClientPubSub::pubSub()
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

void tst_RedisClientPubSub::reconnectsAfterRestart()
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

void tst_RedisClientPubSub::commandTimeoutBreaksAndRecovers()
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

QTEST_GUILESS_MAIN(tst_RedisClientPubSub)
#include "tst_redisclient_pubsub.moc"
