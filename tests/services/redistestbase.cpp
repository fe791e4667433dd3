// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/services/redistestbase.h"

#include <QFuture>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

namespace Hive {
char *toString(const RedisReply::Type &type)
{
    static const char *const names[]
        = {"Nil", "Status", "Error", "Integer", "String", "Array", "Double", "Bool", "Map"};
    return qstrdup(names[static_cast<int>(type)]);
}
} // namespace Hive

namespace Hive::Test {

void RedisTestBase::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fx = std::make_unique<HiveFixture>(HiveFixture::Redis);
    auto started = m_fx->start();
    QVERIFY2(started, qPrintable(errorOf(started)));
}

void RedisTestBase::cleanupTestCase()
{
    m_fx.reset();
}

RedisReply RedisTestBase::exec(RedisClient &client, const Args &argv, int timeoutMs)
{
    QFuture<RedisReply> f = client.commandFuture(argv);
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, timeoutMs))
        return RedisReply::error("TEST no reply within the time allowed");
    if (f.isCanceled() || f.resultCount() == 0)
        return RedisReply::error("TEST future cancelled");
    return f.result();
}

QString RedisTestBase::errorOf(const Result<> &r)
{
    return r ? QString() : r.error().message;
}

bool RedisTestBase::waitConnected(RedisClient &client, int timeoutMs)
{
    return QTest::qWaitFor([&] { return client.isConnected(); }, timeoutMs);
}

qint64 RedisTestBase::subscribers(RedisClient &client, const QByteArray &channel)
{
    const RedisReply r = exec(client, {"PUBSUB", "NUMSUB", channel});
    if (r.type != Type::Array || r.elements.size() != 2)
        return -1;
    return r.elements.at(1).integer;
}

int RedisTestBase::blockedClients(RedisClient &client)
{
    const RedisReply r = exec(client, {"INFO", "clients"});
    const QByteArray tag = "blocked_clients:";
    const qsizetype at = r.str.indexOf(tag);
    if (r.type != Type::String || at < 0)
        return -1;
    const qsizetype from = at + tag.size();
    return r.str.mid(from, r.str.indexOf('\r', from) - from).toInt();
}

} // namespace Hive::Test
