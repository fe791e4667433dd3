// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/settings.h"
#include "services/core/config.h"
#include "services/core/process.h"
#include "tests/fixture/hivefixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace Hive;

// The agenthive and hive-runner executables as a user runs them: flags, exit codes, the managed
// PostgreSQL and Redis brought up and stopped again, one app per data directory, the settings
// saved in the Settings dialog applied at the next start. Every app started here reads its
// settings from a temporary folder (XDG_CONFIG_HOME, HOME), never the user's.
class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badFlagsExitWithTwo_data();
    void badFlagsExitWithTwo();
    void versionAndHelp();
    void headlessRunStartsAndStopsServices();
    void killedAppIsRestartedAndAdoptsItsAgents();
    void savedSettingsApplyAtTheNextStart();

private:
    static QString bin(const QString &name) { return Test::HiveFixture::binDir() + u'/' + name; }
    // The environment of an app started here: settings (and anything else under HOME) in home.
    static QProcessEnvironment isolated(const QString &home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, home);
        env.insert(u"XDG_CONFIG_HOME"_s, home + u"/.config"_s);
        return env;
    }
    QProcessEnvironment isolated() const { return isolated(m_home.path()); }

    QTemporaryDir m_home;
    static qint64 pidFromFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readLine().trimmed().toLongLong() : 0;
    }
};

void tst_Cli::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_home.isValid());
}

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
    p.setProcessEnvironment(isolated());
    p.start(bin(u"agenthive"_s), args);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(mentions), qPrintable(err));
}

void tst_Cli::versionAndHelp()
{
    QProcess p;
    p.setProcessEnvironment(isolated());
    p.start(bin(u"agenthive"_s), {u"--version"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("agenthive " HIVE_VERSION));
    p.start(bin(u"agenthive"_s), {u"--help"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QByteArray help = p.readAllStandardOutput();
    for (const char *flag : {"--headless",
                             "--data-dir",
                             "--api-host",
                             "--api-port",
                             "--database-url",
                             "--redis-url",
                             "--tmux-socket"})
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
    QProcessEnvironment env = isolated();
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

namespace {
struct Http
{
    QString base;
    QByteArray token;
    QNetworkAccessManager nam;

    std::pair<int, QJsonObject>
    call(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        QNetworkRequest req(QUrl(base + path));
        req.setRawHeader("Authorization", "Bearer " + token);
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *reply = nam.sendCustomRequest(
            req,
            method,
            body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return {status, json};
    }
};

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
}
} // namespace

// The app killed with SIGKILL while an agent works, then started again: the agent and its session
// are adopted, its running task finishes once, queued work is still queued and runs.
void tst_Cli::killedAppIsRestartedAndAdoptsItsAgents()
{
    Test::HiveFixture fx(0);
    QVERIFY_OK(fx.start());
    const QString dataDir = fx.path(u"data"_s);
    QDir().mkpath(dataDir + u"/profiles"_s);
    {
        QFile f(dataDir + u"/profiles/fake.json"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            QJsonDocument(QJsonObject{{u"name"_s, u"fake"_s},
                                      {u"command"_s,
                                       QJsonArray{Test::HiveFixture::fakeAgent(), u"{prompt}"_s}}})
                .toJson());
    }
    const QStringList args{u"--headless"_s,
                           u"--data-dir"_s,
                           dataDir,
                           u"--api-port"_s,
                           u"0"_s,
                           u"--tmux-socket"_s,
                           fx.tmuxSocket()};
    auto startApp = [&](QProcess &app) {
        app.setProcessEnvironment(isolated());
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(bin(u"agenthive"_s), args);
        if (!app.waitForStarted(10000))
            return false;
        QByteArray log;
        QDeadlineTimer deadline(60000);
        while (!log.contains("is ready") && !deadline.hasExpired()
               && app.state() == QProcess::Running) {
            app.waitForReadyRead(200);
            log += app.readAll();
        }
        if (!log.contains("is ready"))
            qWarning().noquote() << "agenthive did not come up:" << log.right(3000);
        return log.contains("is ready");
    };
    QProcess first;
    QVERIFY(startApp(first));
    Http http;
    http.base = u"http://127.0.0.1:%1/api/v1"_s.arg(
        QString::fromUtf8(readFile(dataDir + u"/api-port"_s)));
    http.token = readFile(dataDir + u"/api-token"_s);
    QVERIFY(!http.token.isEmpty());

    auto [st, agent]
        = http.call("POST", u"/agents"_s, {{u"type"_s, u"dev"_s}, {u"profile"_s, u"fake"_s}});
    QCOMPARE(st, 201);
    const QString agentId = agent.value(u"id").toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        http.call("GET", u"/agents/"_s + agentId).second.value(u"status").toString(),
        u"idle"_s,
        15000);
    const QString runs = fx.path(u"runs"_s);
    auto [st1, busy]
        = http.call("POST", u"/tasks"_s, {{u"prompt"_s, u"sleep=4 touch=%1"_s.arg(runs)}});
    QCOMPARE(st1, 201);
    auto [st2, later] = http.call("POST", u"/tasks"_s, {{u"prompt"_s, u"after the restart"_s}});
    QCOMPARE(st2, 201);
    const QString busyId = busy.value(u"id").toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        http.call("GET", u"/tasks/"_s + busyId).second.value(u"status").toString(),
        u"running"_s,
        15000);

    QVERIFY(::kill(static_cast<pid_t>(first.processId()), SIGKILL) == 0);
    QVERIFY(first.waitForFinished(10000));

    QProcess second;
    QVERIFY(startApp(second));
    http.base = u"http://127.0.0.1:%1/api/v1"_s.arg(
        QString::fromUtf8(readFile(dataDir + u"/api-port"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(
        http.call("GET", u"/tasks/"_s + busyId).second.value(u"status").toString(),
        u"succeeded"_s,
        30000);
    QTRY_COMPARE_WITH_TIMEOUT(http.call("GET", u"/tasks/"_s + later.value(u"id").toString())
                                  .second.value(u"status")
                                  .toString(),
                              u"succeeded"_s,
                              30000);
    const QJsonObject adopted = http.call("GET", u"/agents/"_s + agentId).second;
    QCOMPARE(adopted.value(u"status").toString(), u"idle"_s);
    QCOMPARE(http.call("GET", u"/tasks/"_s + busyId).second.value(u"attempts").toInt(), 1);
    QCOMPARE(readFile(runs).count('\n') + 1, 1); // the task ran once

    second.terminate();
    QVERIFY(second.waitForFinished(30000));
    QCOMPARE(second.exitCode(), 0);
}

// What the Settings dialog saved (tmux socket, API port) is what the next start runs with, unless
// a flag says otherwise.
void tst_Cli::savedSettingsApplyAtTheNextStart()
{
    Test::HiveFixture fx(0);
    QVERIFY_OK(fx.start());
    const QString home = fx.path(u"home"_s);
    const QString dataDir = fx.path(u"data"_s);
    QDir().mkpath(dataDir + u"/profiles"_s);
    {
        QFile f(dataDir + u"/profiles/fake.json"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            QJsonDocument(QJsonObject{{u"name"_s, u"fake"_s},
                                      {u"command"_s,
                                       QJsonArray{Test::HiveFixture::fakeAgent(), u"{prompt}"_s}}})
                .toJson());
    }
    quint16 savedPort = 0;
    {
        QTcpServer probe; // a port nobody uses now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        savedPort = probe.serverPort();
    }
    {
        // The file QSettings() of the app reads under this XDG_CONFIG_HOME, written as the dialog
        // does.
        Settings saved(home + u"/.config/agenthive/agenthive.conf"_s);
        const SettingsDialog::Values shown;
        SettingsDialog::Values v = shown;
        v.tmuxSocket = fx.tmuxSocket();
        v.apiPort = savedPort;
        saved.setValues(v, shown);
    }
    auto startApp = [&](QProcess &app, const QStringList &flags) {
        app.setProcessEnvironment(isolated(home));
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(bin(u"agenthive"_s),
                  QStringList{u"--headless"_s, u"--data-dir"_s, dataDir} + flags);
        QByteArray log;
        QDeadlineTimer deadline(60000);
        while (!log.contains("is ready") && !deadline.hasExpired()
               && app.state() != QProcess::NotRunning) {
            app.waitForReadyRead(200);
            log += app.readAll();
        }
        if (!log.contains("is ready"))
            qWarning().noquote() << "agenthive did not come up:" << log.right(3000);
        return log.contains("is ready");
    };
    auto sessions = [](const QString &socket) {
        QProcess tmux;
        tmux.start(u"tmux"_s, {u"-L"_s, socket, u"list-sessions"_s, u"-F"_s, u"#{session_name}"_s});
        tmux.waitForFinished(10000);
        return QString::fromUtf8(tmux.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    };
    auto spawn = [&](const QString &name) {
        Http http;
        http.base = u"http://127.0.0.1:%1/api/v1"_s.arg(
            QString::fromUtf8(readFile(dataDir + u"/api-port"_s)));
        http.token = readFile(dataDir + u"/api-token"_s);
        return http
            .call("POST",
                  u"/agents"_s,
                  {{u"type"_s, u"dev"_s}, {u"profile"_s, u"fake"_s}, {u"name"_s, name}})
            .first;
    };

    QProcess first;
    QVERIFY(startApp(first, {}));
    QCOMPARE(readFile(dataDir + u"/api-port"_s), QByteArray::number(savedPort));
    QCOMPARE(spawn(u"saved"_s), 201);
    QTRY_VERIFY_WITH_TIMEOUT(sessions(fx.tmuxSocket()).contains(u"saved"_s), 10000);
    first.terminate();
    QVERIFY(first.waitForFinished(30000));
    QCOMPARE(first.exitCode(), 0);

    // Flags win over what was saved.
    const QString flagSocket = fx.tmuxSocket() + u"-flag"_s;
    QProcess second;
    QVERIFY(startApp(second, {u"--api-port"_s, u"0"_s, u"--tmux-socket=%1"_s.arg(flagSocket)}));
    QVERIFY(readFile(dataDir + u"/api-port"_s) != QByteArray::number(savedPort));
    QCOMPARE(spawn(u"flagged"_s), 201);
    QTRY_VERIFY_WITH_TIMEOUT(sessions(flagSocket).contains(u"flagged"_s), 10000);
    QVERIFY(!sessions(fx.tmuxSocket()).contains(u"flagged"_s));
    second.terminate();
    QVERIFY(second.waitForFinished(30000));
    QCOMPARE(second.exitCode(), 0);
    Test::killTmuxServer(flagSocket);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
