// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/config.h"
#include "tests/fixture/hivefixture.h"

#include <QDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_Config : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void flags();
    void environment();
    void flagsWinOverEnvironment();
    void badValues_data();
    void badValues();
    void helpAndVersion();
    void maxAgents();
    void moneyAndHostLimits();
};

static QStringList argv(std::initializer_list<QString> rest)
{
    QStringList a{u"agenthive"_s};
    a.append(QStringList(rest));
    return a;
}

void tst_Config::defaults()
{
    auto c = Config::parse(argv({}), QProcessEnvironment());
    QVERIFY_OK(c);
    QCOMPARE(c->action, Config::Action::Run);
    QCOMPARE(c->headless, false);
    QCOMPARE(c->apiHost, u"127.0.0.1"_s);
    QCOMPARE(c->apiPort, 8000);
    QCOMPARE(c->tmuxSocket, u"agenthive"_s);
    QVERIFY(c->managedPostgres());
    QVERIFY(c->managedRedis());
    QVERIFY(!c->dataDir.isEmpty());
}

void tst_Config::flags()
{
    auto c = Config::parse(argv({u"--headless"_s,
                                 u"--data-dir"_s,
                                 u"/tmp/hive-x"_s,
                                 u"--api-host"_s,
                                 u"127.0.0.2"_s,
                                 u"--api-port"_s,
                                 u"0"_s,
                                 u"--database-url"_s,
                                 u"postgresql://u@localhost:5433/hive"_s,
                                 u"--redis-url"_s,
                                 u"redis://localhost:6380/1"_s,
                                 u"--tmux-socket"_s,
                                 u"mine"_s}),
                           QProcessEnvironment());
    QVERIFY_OK(c);
    QVERIFY(c->headless);
    QCOMPARE(c->dataDir, u"/tmp/hive-x"_s);
    QCOMPARE(c->apiHost, u"127.0.0.2"_s);
    QCOMPARE(c->apiPort, 0);
    QCOMPARE(c->databaseUrl, u"postgresql://u@localhost:5433/hive"_s);
    QCOMPARE(c->redisUrl, u"redis://localhost:6380/1"_s);
    QCOMPARE(c->tmuxSocket, u"mine"_s);
    QVERIFY(!c->managedPostgres());
    QVERIFY(!c->managedRedis());
}

void tst_Config::environment()
{
    QProcessEnvironment env;
    env.insert(u"HIVE_DATA_DIR"_s, u"/tmp/hive-env"_s);
    env.insert(u"HIVE_DATABASE_URL"_s, u"postgres://db.example/hive"_s);
    env.insert(u"HIVE_REDIS_URL"_s, u"unix:///tmp/r.sock"_s);
    auto c = Config::parse(argv({}), env);
    QVERIFY_OK(c);
    QCOMPARE(c->dataDir, u"/tmp/hive-env"_s);
    QCOMPARE(c->databaseUrl, u"postgres://db.example/hive"_s);
    QCOMPARE(c->redisUrl, u"unix:///tmp/r.sock"_s);
}

void tst_Config::flagsWinOverEnvironment()
{
    QProcessEnvironment env;
    env.insert(u"HIVE_DATA_DIR"_s, u"/tmp/from-env"_s);
    env.insert(u"HIVE_REDIS_URL"_s, u"redis://a"_s);
    auto c = Config::parse(argv({u"--data-dir=/tmp/from-flag"_s, u"--redis-url=redis://b"_s}), env);
    QVERIFY_OK(c);
    QCOMPARE(c->dataDir, u"/tmp/from-flag"_s);
    QCOMPARE(c->redisUrl, u"redis://b"_s);
}

void tst_Config::badValues_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("port not a number") << argv({u"--api-port"_s, u"abc"_s}) << u"--api-port"_s;
    QTest::newRow("port too large") << argv({u"--api-port"_s, u"70000"_s}) << u"--api-port"_s;
    QTest::newRow("port negative") << argv({u"--api-port=-1"_s}) << u"--api-port"_s;
    QTest::newRow("host not an address")
        << argv({u"--api-host"_s, u"example.com"_s}) << u"--api-host"_s;
    QTest::newRow("database url scheme")
        << argv({u"--database-url"_s, u"mysql://x/y"_s}) << u"--database-url"_s;
    QTest::newRow("redis url scheme")
        << argv({u"--redis-url"_s, u"http://x"_s}) << u"--redis-url"_s;
    QTest::newRow("tmux socket with slash")
        << argv({u"--tmux-socket"_s, u"../x"_s}) << u"--tmux-socket"_s;
    QTest::newRow("tmux socket empty") << argv({u"--tmux-socket="_s}) << u"--tmux-socket"_s;
    QTest::newRow("unknown flag") << argv({u"--frobnicate"_s}) << u"frobnicate"_s;
    QTest::newRow("missing value") << argv({u"--api-port"_s}) << u"api-port"_s;
    QTest::newRow("positional") << argv({u"extra"_s}) << u"extra"_s;
    QTest::newRow("log level") << argv({u"--log-level"_s, u"loud"_s}) << u"--log-level"_s;
    QTest::newRow("max agents zero") << argv({u"--max-agents"_s, u"0"_s}) << u"--max-agents: '0'"_s;
    QTest::newRow("max agents word") << argv({u"--max-agents=many"_s}) << u"--max-agents"_s;
    QTest::newRow("max agents huge") << argv({u"--max-agents=100000"_s}) << u"1-10000"_s;
    QTest::newRow("per type without n")
        << argv({u"--max-agents-per-type=dev"_s}) << u"--max-agents-per-type: 'dev'"_s;
    QTest::newRow("per type zero")
        << argv({u"--max-agents-per-type=dev=2,qa=0"_s}) << u"--max-agents-per-type: 'qa=0'"_s;
    QTest::newRow("free memory negative")
        << argv({u"--min-free-memory-mb=-1"_s}) << u"--min-free-memory-mb: '-1'"_s;
    QTest::newRow("budget word") << argv({u"--daily-budget-usd=lots"_s})
                                 << u"--daily-budget-usd: 'lots'"_s;
    QTest::newRow("budget negative")
        << argv({u"--daily-budget-usd=-5"_s}) << u"--daily-budget-usd: '-5'"_s;
}

void tst_Config::badValues()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    auto c = Config::parse(args, QProcessEnvironment());
    QVERIFY(!c);
    QVERIFY2(c.error().message.contains(mentions), qPrintable(c.error().message));
}

void tst_Config::helpAndVersion()
{
    auto h = Config::parse(argv({u"--help"_s}), QProcessEnvironment());
    QVERIFY(h);
    QCOMPARE(h->action, Config::Action::ShowHelp);
    QVERIFY(h->helpText.contains(u"--api-port"_s));
    auto v = Config::parse(argv({u"--version"_s}), QProcessEnvironment());
    QVERIFY(v);
    QCOMPARE(v->action, Config::Action::ShowVersion);
}

// The cap on live agents (each worker holds a PostgreSQL connection): the managed server's
// max_connections less a reserve by default, a flag or HIVE_MAX_AGENTS otherwise.
void tst_Config::maxAgents()
{
    auto d = Config::parse(argv({}), QProcessEnvironment());
    QVERIFY_OK(d);
    QCOMPARE(d->maxAgents, 150);
    QCOMPARE(d->maxAgents, Config::kManagedMaxConnections - Config::kConnectionReserve);
    QVERIFY(d->helpText.contains(u"--max-agents"_s));
    auto f = Config::parse(argv({u"--max-agents"_s, u"12"_s}), QProcessEnvironment());
    QVERIFY_OK(f);
    QCOMPARE(f->maxAgents, 12);
    QProcessEnvironment env;
    env.insert(u"HIVE_MAX_AGENTS"_s, u"7"_s);
    auto e = Config::parse(argv({}), env);
    QVERIFY_OK(e);
    QCOMPARE(e->maxAgents, 7);
    QCOMPARE(Config::parse(argv({u"--max-agents=9"_s}), env)->maxAgents, 9);
    env.insert(u"HIVE_MAX_AGENTS"_s, u"-3"_s);
    auto bad = Config::parse(argv({}), env);
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.contains(u"HIVE_MAX_AGENTS: '-3'"_s),
             qPrintable(bad.error().message));
}

// The per-type caps, the free-memory guard (512 MiB unless told, 0: off) and the daily budget
// (not given: the stored one stays; "none": removed).
void tst_Config::moneyAndHostLimits()
{
    auto d = Config::parse(argv({}), QProcessEnvironment());
    QVERIFY_OK(d);
    QVERIFY(d->maxAgentsPerType.isEmpty());
    QCOMPARE(d->minFreeMemoryMb, 512);
    QVERIFY(!d->setDailyBudget);
    auto f = Config::parse(argv({u"--max-agents-per-type"_s,
                                 u"dev=4, qa=2"_s,
                                 u"--min-free-memory-mb=0"_s,
                                 u"--daily-budget-usd=12.5"_s}),
                           QProcessEnvironment());
    QVERIFY_OK(f);
    QCOMPARE(f->maxAgentsPerType.value(u"dev"_s), 4);
    QCOMPARE(f->maxAgentsPerType.value(u"qa"_s), 2);
    QCOMPARE(f->minFreeMemoryMb, 0);
    QVERIFY(f->setDailyBudget);
    QCOMPARE(f->dailyBudgetUsd.value_or(-1), 12.5);
    QProcessEnvironment env;
    env.insert(u"HIVE_DAILY_BUDGET_USD"_s, u"none"_s);
    auto e = Config::parse(argv({}), env);
    QVERIFY_OK(e);
    QVERIFY(e->setDailyBudget);
    QVERIFY(!e->dailyBudgetUsd);
}

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
