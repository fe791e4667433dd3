// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/services/redistestbase.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>

using namespace Qt::StringLiterals;
using namespace Hive;

// RedisClient's commands against a real Redis (see RedisTestBase): binary-safe strings, every
// reply type of RESP2 and RESP3, errors, blocking commands, pipelining.
class tst_RedisClientCommands : public Test::RedisTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void setGetBinarySafe();
    void integerReplies();
    void errorReplies();
    void arrayReplies();
    void resp3Replies();
    void blockingCommand();
    void pipelinedInOrder();
};

void tst_RedisClientCommands::setGetBinarySafe()
{
    RedisClient c(m_fx->redisUrl(), u"tst-binary"_s);
    c.open();
    QVERIFY(waitConnected(c));

    const QByteArray key("bin\0key", 7);
    const QByteArray value
        = QByteArray("a\0b\0\r\n\xff\xfe\x00", 10) + u"grüße, 日本語 ✓"_s.toUtf8();
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

void tst_RedisClientCommands::integerReplies()
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

void tst_RedisClientCommands::errorReplies()
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

void tst_RedisClientCommands::arrayReplies()
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

void tst_RedisClientCommands::resp3Replies()
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

void tst_RedisClientCommands::blockingCommand()
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

void tst_RedisClientCommands::pipelinedInOrder()
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
          N,
          double(pipelinedNs) / 1e6,
          double(pipelinedNs) / 1e3 / N,
          double(sequentialNs) / 1e6,
          double(sequentialNs) / 1e3 / N);
}

QTEST_GUILESS_MAIN(tst_RedisClientCommands)
#include "tst_redisclient_commands.moc"
