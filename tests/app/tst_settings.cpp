// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/settings.h"
#include "services/core/config.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// Settings, the one owner of QSettings: its values come back typed, service settings saved in the
// dialog reach the next start's Config under the flags and the environment, and a flag given for
// one run is not made permanent by saving something else.
class tst_Settings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void valuesComeBack();
    void savedServicesApplyUnderFlags_data();
    void savedServicesApplyUnderFlags();
    void unchangedServicesAreNotStored();

private:
    static QStringList argv(const QStringList &flags)
    {
        return QStringList{u"agenthive"_s} + flags;
    }
};

void tst_Settings::initTestCase()
{
    // ~/.qttest/config, not the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"agenthive-test"_s);
    QCoreApplication::setApplicationName(u"tst_settings"_s);
}

void tst_Settings::init()
{
    QSettings().clear();
}

void tst_Settings::valuesComeBack()
{
    Config running;
    running.apiPort = 0;
    {
        Settings s;
        SettingsDialog::Values v = s.values(running);
        QCOMPARE(v.apiPort, 0); // what runs now, nothing being stored
        QCOMPARE(v.tmuxSocket, u"agenthive"_s);
        const SettingsDialog::Values shown = v;
        v.closeToTray = false;
        v.externalTerminal = u"xterm -e"_s;
        v.tmuxSocket = u"elsewhere"_s;
        s.setValues(v, shown);
        s.setWindowLayout("geometry", "state");
        s.setTerminalGrid(true);
        s.setAgentPanel({"header", 2});
        s.setTaskBoard({"tasks", "split", 3});
        s.setDismissedAgents({u"a"_s, u"b"_s});
        s.setCloseNoticeShown(true);
    }
    Settings s;
    const SettingsDialog::Values v = s.values(running);
    QCOMPARE(v.closeToTray, false);
    QCOMPARE(v.externalTerminal, u"xterm -e"_s);
    QCOMPARE(v.tmuxSocket, u"elsewhere"_s);
    QCOMPARE(s.windowGeometry(), QByteArray("geometry"));
    QCOMPARE(s.windowState(), QByteArray("state"));
    QVERIFY(s.terminalGrid());
    QCOMPARE(s.agentPanel().header, QByteArray("header"));
    QCOMPARE(s.agentPanel().statusFilter, 2);
    QCOMPARE(s.taskBoard().splitter, QByteArray("split"));
    QCOMPARE(s.taskBoard().tab, 3);
    QCOMPARE(s.dismissedAgents(), (QStringList{u"a"_s, u"b"_s}));
    QVERIFY(s.closeNoticeShown());
}

void tst_Settings::savedServicesApplyUnderFlags_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("redis");
    const QString saved = u"redis://127.0.0.1:6390/0"_s;
    QTest::newRow("saved") << QStringList{} << QStringList{} << 8123 << u"saved-socket"_s << saved;
    QTest::newRow("flag wins") << QStringList{u"--api-port"_s, u"9000"_s, u"--tmux-socket=mine"_s}
                               << QStringList{} << 9000 << u"mine"_s << saved;
    QTest::newRow("env wins") << QStringList{}
                              << QStringList{u"HIVE_REDIS_URL"_s, u"redis://h:1/0"_s} << 8123
                              << u"saved-socket"_s << u"redis://h:1/0"_s;
}

void tst_Settings::savedServicesApplyUnderFlags()
{
    QFETCH(QStringList, flags);
    QFETCH(QStringList, env);
    QFETCH(int, port);
    QFETCH(QString, socket);
    QFETCH(QString, redis);
    Config running;
    Settings s;
    const SettingsDialog::Values shown = s.values(running);
    SettingsDialog::Values v = shown;
    v.apiPort = 8123;
    v.tmuxSocket = u"saved-socket"_s;
    v.redisUrl = u"redis://127.0.0.1:6390/0"_s;
    s.setValues(v, shown);

    QProcessEnvironment e;
    for (qsizetype i = 0; i + 1 < env.size(); i += 2)
        e.insert(env.at(i), env.at(i + 1));
    const auto config = Config::parse(s.arguments(argv(flags), e), e);
    QVERIFY2(config, config ? "" : qPrintable(config.error().message));
    QCOMPARE(config->apiPort, port);
    QCOMPARE(config->tmuxSocket, socket);
    QCOMPARE(config->redisUrl, redis);
    QVERIFY(config->databaseUrl.isEmpty()); // embedded stays embedded
}

void tst_Settings::unchangedServicesAreNotStored()
{
    // Running with --api-port 0 for once, the user changes the font and saves.
    Config running;
    running.apiPort = 0;
    running.tmuxSocket = u"just-this-once"_s;
    Settings s;
    const SettingsDialog::Values shown = s.values(running);
    SettingsDialog::Values v = shown;
    v.notifications = false;
    s.setValues(v, shown);
    const auto config = Config::parse(s.arguments(argv({}), {}), {});
    QVERIFY(config);
    QCOMPARE(config->apiPort, 8000);
    QCOMPARE(config->tmuxSocket, u"agenthive"_s);
    QCOMPARE(s.values(Config()).notifications, false);
}

QTEST_MAIN(tst_Settings) // the dialog values hold a QFont
#include "tst_settings.moc"
