// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "hivefixture.h"
#include "process.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// The agenthive and hive-runner executables as a user runs them: flags, exit codes, the managed
// PostgreSQL and Redis brought up and stopped again, one app per data directory.
class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badFlagsExitWithTwo_data();
    void badFlagsExitWithTwo();
    void versionAndHelp();
    void headlessRunStartsAndStopsServices();

private:
    static QString bin(const QString &name) { return Test::HiveFixture::binDir() + u'/' + name; }
    static qint64 pidFromFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readLine().trimmed().toLongLong() : 0;
    }
};

void tst_Cli::badFlagsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("port abc") << QStringList{u"--api-port"_s, u"abc"_s} << u"--api-port: 'abc'"_s;
    QTest::newRow("unknown") << QStringList{u"--nope"_s} << u"nope"_s;
    QTest::newRow("redis url") << QStringList{u"--redis-url"_s, u"ftp://x"_s} << u"--redis-url"_s;
}

void tst_Cli::badFlagsExitWithTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QProcess p;
    p.start(bin(u"agenthive"_s), args);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(mentions), qPrintable(err));
}

void tst_Cli::versionAndHelp()
{
    QProcess p;
    p.start(bin(u"agenthive"_s), {u"--version"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("agenthive " HIVE_VERSION));
    p.start(bin(u"agenthive"_s), {u"--help"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QByteArray help = p.readAllStandardOutput();
    for (const char *flag : {"--headless", "--data-dir", "--api-host", "--api-port", "--database-url",
                             "--redis-url", "--tmux-socket"})
        QVERIFY2(help.contains(flag), flag);
    p.start(bin(u"hive-runner"_s), {u"--version"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("hive-runner " HIVE_VERSION));
    p.start(bin(u"hive-runner"_s), {u"--agent"_s, u"x"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
}

void tst_Cli::headlessRunStartsAndStopsServices()
{
    Test::HiveFixture fx(0); // only its temporary directory and tmux socket
    QVERIFY(fx.start());
    const QString dataDir = fx.path(u"data"_s);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HIVE_DATA_DIR"_s, dataDir); // the environment variable, not the flag
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"QT_QPA_PLATFORM"_s);

    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(bin(u"agenthive"_s), {u"--api-port"_s, u"0"_s, u"--tmux-socket"_s, fx.tmuxSocket()});
    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT((log += app.readAll()).contains("is ready"), 60000);
    QVERIFY2(log.contains("no display"), log.constData());
    QVERIFY(QFile::exists(dataDir + u"/logs/agenthive.log"_s));

    const qint64 pgPid = pidFromFile(dataDir + u"/postgres/data/postmaster.pid"_s);
    const qint64 redisPid = pidFromFile(dataDir + u"/redis/redis.pid"_s);
    QVERIFY(Process::isPidAlive(pgPid));
    QVERIFY(Process::isPidAlive(redisPid));

    // A second app on the same data directory is refused, and changes nothing.
    QProcess second;
    second.setProcessEnvironment(env);
    second.start(bin(u"agenthive"_s), {u"--headless"_s, u"--api-port"_s, u"0"_s});
    QVERIFY(second.waitForFinished(20000));
    QCOMPARE(second.exitCode(), 1);
    const QString err = QString::fromUtf8(second.readAllStandardError());
    QVERIFY2(err.contains(u"already using the data directory"_s), qPrintable(err));
    QVERIFY(Process::isPidAlive(pgPid));

    // SIGTERM: a clean stop that takes the managed services with it.
    app.terminate();
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!Process::isPidAlive(pgPid), 10000);
    QVERIFY(!Process::isPidAlive(redisPid));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
