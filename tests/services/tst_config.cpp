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

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
