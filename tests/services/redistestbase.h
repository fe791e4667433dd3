// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"
#include "services/queue/redisclient.h"
#include "tests/fixture/hivefixture.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace Hive {
// Readable QCOMPARE failures (found by argument-dependent lookup).
char *toString(const RedisReply::Type &type);
} // namespace Hive

namespace Hive::Test {

// The shared set-up of the tst_redisclient_* tests: one Redis of the fixture, and helpers that run
// the event loop until a reply is there. QTest runs the private slots below for every test class
// derived from it.
class RedisTestBase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

protected:
    using Args = QList<QByteArray>;
    using Type = RedisReply::Type;

    // Sends argv and runs the event loop until the reply is there.
    static RedisReply exec(RedisClient &client, const Args &argv, int timeoutMs = 5000);
    // QVERIFY2 evaluates its message even when the check passes: never call error() on a success.
    static QString errorOf(const Result<> &r);
    static bool waitConnected(RedisClient &client, int timeoutMs = 5000);
    // Subscribers of a channel, as the server counts them (-1 on error).
    static qint64 subscribers(RedisClient &client, const QByteArray &channel);
    // Clients blocked in BLPOP and the like (INFO clients), -1 on error.
    static int blockedClients(RedisClient &client);

    std::unique_ptr<HiveFixture> m_fx;
};

} // namespace Hive::Test
