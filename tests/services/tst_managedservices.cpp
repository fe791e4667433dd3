// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/process.h"
#include "services/infra/datadirlock.h"
#include "services/infra/managedpostgres.h"
#include "services/infra/managedredis.h"
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_ManagedServices : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void startReachableStopNothingLeft();
    void adoptsRunningInstances();
    void migrationsApplyOnceOnEmptyCluster();
    void dataDirLockRefusesSecondOwner();

private:
    static qint64 postmasterPid(const QString &pgDir)
    {
        QFile f(pgDir + u"/data/postmaster.pid"_s);
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        return f.readLine().trimmed().toLongLong();
    }
};

void tst_ManagedServices::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_ManagedServices::startReachableStopNothingLeft()
{
    Test::HiveFixture fx;
    auto started = fx.start();
    QVERIFY_OK(started);
    QVERIFY(fx.postgres().isRunning());
    QVERIFY(fx.redis().isRunning());

    Database db;
    auto opened = db.open(fx.databaseUrl(), u"t1"_s);
    QVERIFY_OK(opened);
    QVERIFY(db.ping());
    db.close();
    QVERIFY(redisPing(fx.redisUrl()));

    const qint64 pgPid = postmasterPid(fx.path(u"postgres"_s));
    const qint64 redisPid = fx.redis().pid();
    QVERIFY(Process::isPidAlive(pgPid));
    QVERIFY(Process::isPidAlive(redisPid));

    QVERIFY(fx.postgres().stop());
    QVERIFY(fx.redis().stop());
    QVERIFY(!Process::isPidAlive(pgPid));
    QVERIFY(!Process::isPidAlive(redisPid));
    QVERIFY(!fx.postgres().isRunning());
    QVERIFY(!fx.redis().isRunning());
    QVERIFY(!redisPing(fx.redisUrl()));
    auto again = db.open(fx.databaseUrl(), u"t1b"_s);
    QVERIFY(!again);
    QCOMPARE(again.error().kind, Error::Kind::Unavailable);
}

void tst_ManagedServices::adoptsRunningInstances()
{
    Test::HiveFixture fx;
    QVERIFY(fx.start());
    const qint64 pgPid = postmasterPid(fx.path(u"postgres"_s));
    const qint64 redisPid = fx.redis().pid();

    // A second owner of the same directories (the app after a kill -9) adopts what runs.
    ManagedPostgres pg2(fx.path(u"postgres"_s));
    ManagedRedis redis2(fx.path(u"redis"_s));
    auto p = pg2.start();
    QVERIFY_OK(p);
    auto r = redis2.start();
    QVERIFY_OK(r);
    QCOMPARE(postmasterPid(fx.path(u"postgres"_s)), pgPid);
    QCOMPARE(redis2.pid(), redisPid);
}

void tst_ManagedServices::migrationsApplyOnceOnEmptyCluster()
{
    Test::HiveFixture fx(Test::HiveFixture::Postgres);
    QVERIFY(fx.start());
    Database db;
    QVERIFY(db.open(fx.databaseUrl(), u"m"_s));
    auto first = db.migrate();
    QVERIFY_OK(first);
    QVERIFY(first->contains(u"0001"_s));
    auto second = db.migrate();
    QVERIFY_OK(second);
    QVERIFY2(second->isEmpty(), qPrintable(second->join(u", "_s)));
    // The tables and pgvector are there.
    auto agents = db.agents();
    QVERIFY_OK(agents);
    QVERIFY(agents->isEmpty());
}

void tst_ManagedServices::dataDirLockRefusesSecondOwner()
{
    QTemporaryDir dir;
    DataDirLock first(dir.path());
    QVERIFY(first.acquire());
    DataDirLock second(dir.path());
    auto r = second.acquire();
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"already using"_s), qPrintable(r.error().message));
    first.release();
    QVERIFY(second.acquire());
}

QTEST_GUILESS_MAIN(tst_ManagedServices)
#include "tst_managedservices.moc"
