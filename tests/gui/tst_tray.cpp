// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/mainwindow.h"
#include "app/sessioncontroller.h"
#include "models/agentmodel.h"
#include "services/core/config.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/desktop.h"
#include "tests/gui/guitest.h"
#include "widgets/agentpanel.h"
#include "widgets/desktopnotifications.h"
#include "widgets/terminalarea.h"
#include "widgets/trayicon.h"

#include <QApplication>
#include <QCursor>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QScreen>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

const QString kNotifications = u"org.freedesktop.Notifications"_s;

// The notifications dunst received, from its log: each one's app name, summary and body.
struct Notice
{
    QString app, summary, body;
    uint id = 0; // the server's number for it (a notice that replaces another has that one's)
};

QList<Notice> parseNotices(const QString &log)
{
    QList<Notice> out;
    Notice n;
    static const QRegularExpression field(u"^\\s*(appname|summary|body): '(.*)'$"_s);
    static const QRegularExpression id(u"^\\tid: (\\d+)$"_s);
    for (const QString &line : log.split(u'\n')) {
        if (line == u"{"_s) // a notification's own braces are at the start of the line
            n = {};
        const auto m = field.match(line);
        if (m.hasMatch()) {
            if (m.captured(1) == u"appname"_s)
                n.app = m.captured(2);
            else if (m.captured(1) == u"summary"_s)
                n.summary = m.captured(2);
            else
                n.body = m.captured(2);
        }
        if (const auto m = id.match(line); m.hasMatch())
            n.id = m.captured(1).toUInt();
        if (line == u"}"_s) // (its "actions: {…}" are indented)
            out << n;
    }
    return out;
}

// The notification server's NotificationClosed signals: (id, reason) pairs.
class ClosedNotices : public QObject
{
    Q_OBJECT

public:
    ClosedNotices()
    {
        QDBusConnection::sessionBus().connect(kNotifications,
                                              u"/org/freedesktop/Notifications"_s,
                                              kNotifications,
                                              u"NotificationClosed"_s,
                                              this,
                                              SLOT(closed(uint, uint)));
    }
    QList<std::pair<uint, uint>> list;

public Q_SLOTS:
    void closed(uint id, uint reason) { list.append({id, reason}); }
};

} // namespace

// The tray as a desktop has it: a real XEmbed tray host (stalonetray) and a real notification
// server (dunst) on a private D-Bus session bus, on a private X server, with the whole app against
// the real engine. The tray's counts follow the agents, its menu quick-spawns one, closing the
// window leaves the app in the tray, and an agent that waits for the user is a desktop
// notification naming it and its need. Screenshots go to build/test-screens/tray/.
class tst_Tray : public QObject
{
    Q_OBJECT

public:
    explicit tst_Tray(Test::Desktop *desktop)
        : m_desktop(desktop)
    {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void trayThatStartsLaterGetsTheIcon();
    void trayIconIsDocked();
    void countsFollowTheAgents();
    void quickSpawnFromTheTrayMenu();
    void closeToTrayAndBack();
    void notificationNamesTheAgentAndItsNeed();
    void clickingTheNotificationShowsTheAgent();
    void hideWindowFromTheMenuGoesToTheTray();
    void withoutANotificationServerTheTraySaysIt();
    void noticesAboutOneAgentReplaceEachOther();
    void trayHostRestarts();

private:
    void shot(const QString &name);
    void writeProfile(const QString &name, const QStringList &command, bool interactive);
    QStringList tmux(const QStringList &args);
    std::optional<Agent> agentNamed(const QString &name);
    Agent spawn(const QString &name, const QString &profile);
    QWidget *trayIconWidget();
    void hover(QWidget *menu, QPoint to);
    QList<Notice> notices() const { return parseNotices(m_desktop->notificationLog()); }
    int noticesWith(const QString &summary, const QString &body = {}) const;
    void askAndWait(const QString &agent);
    void answer(const QString &agent);
    QSystemTrayIcon *systemTray() const;
    QAction *menuAction(QMenu *menu, const QString &textStart) const;
    QAction *hideWindowAction() const;
    QVariant dunst(const QString &method, const QVariantList &args = {});
    int displayedNotices();
    void closeNotice(uint id);

    Test::Desktop *m_desktop;
    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
    int m_shot = 0;
};

void tst_Tray::shot(const QString &name)
{
    const QString file
        = QDir(m_shots).filePath(u"%1-%2.png"_s.arg(++m_shot, 2, 10, QChar(u'0')).arg(name));
    QVERIFY2(Test::saveScreenshot(file), qPrintable(file));
}

void tst_Tray::writeProfile(const QString &name, const QStringList &command, bool interactive)
{
    QVERIFY(Test::writeAgentProfile(m_fx->dir(), name, command, interactive));
}

QStringList tst_Tray::tmux(const QStringList &args)
{
    QProcess p;
    p.start(u"tmux"_s, QStringList{u"-L"_s, m_fx->tmuxSocket()} + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

std::optional<Agent> tst_Tray::agentNamed(const QString &name)
{
    for (const Agent &a : m_window->agentModel()->agents())
        if (a.name == name)
            return a;
    return std::nullopt;
}

Agent tst_Tray::spawn(const QString &name, const QString &profile)
{
    SpawnRequest r;
    r.name = name;
    r.profile = profile;
    const Result<Agent> a = Test::await(m_app->engine()->spawn(r));
    if (!a)
        qFatal("spawn %s: %s", qPrintable(name), qPrintable(a.error().message));
    return *a;
}

// Qt's XEmbed tray icon: a small window of its own that the tray host reparents into its panel.
QWidget *tst_Tray::trayIconWidget()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (qstrcmp(w->metaObject()->className(), "QSystemTrayIconSys") == 0)
            return w;
    return nullptr;
}

// The pointer moves onto an item as a hand moves it, in steps: a menu takes no notice of the first
// few moves after it opened (QMenu's guard against an item chosen by the click that opened it).
void tst_Tray::hover(QWidget *menu, QPoint to)
{
    const QPoint from(menu->width() / 2, 2);
    for (int i = 1; i <= 8; ++i) {
        QTest::mouseMove(menu, from + (to - from) * i / 8);
        QTest::qWait(20);
    }
    qInfo() << "hover" << menu << to << QCursor::pos() << menu->geometry();
}

QSystemTrayIcon *tst_Tray::systemTray() const
{
    return m_window->tray()->systemTrayIcon();
}

QAction *tst_Tray::menuAction(QMenu *menu, const QString &textStart) const
{
    for (QAction *a : menu->actions())
        if (a->text().remove(u'&').startsWith(textStart))
            return a;
    return nullptr;
}

QAction *tst_Tray::hideWindowAction() const
{
    for (QAction *a : m_window->menuBar()->actions().first()->menu()->actions())
        if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_H))
            return a;
    return nullptr;
}

// dunst's own D-Bus interface (what dunstctl uses): closing notices, clicking one, counting.
QVariant tst_Tray::dunst(const QString &method, const QVariantList &args)
{
    QDBusMessage call = QDBusMessage::createMethodCall(
        kNotifications, u"/org/freedesktop/Notifications"_s, u"org.dunstproject.cmd0"_s, method);
    call.setArguments(args);
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call);
    if (reply.type() != QDBusMessage::ReplyMessage)
        qWarning("dunst %s: %s", qPrintable(method), qPrintable(reply.errorMessage()));
    return reply.arguments().value(0);
}

// As the user closes it (a notice already gone is no error worth a word).
void tst_Tray::closeNotice(uint id)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kNotifications,
                                                       u"/org/freedesktop/Notifications"_s,
                                                       kNotifications,
                                                       u"CloseNotification"_s);
    call.setArguments({id});
    QDBusConnection::sessionBus().call(call);
}

int tst_Tray::displayedNotices()
{
    QDBusMessage call = QDBusMessage::createMethodCall(kNotifications,
                                                       u"/org/freedesktop/Notifications"_s,
                                                       u"org.freedesktop.DBus.Properties"_s,
                                                       u"Get"_s);
    call.setArguments({u"org.dunstproject.cmd0"_s, u"displayedLength"_s});
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call);
    return reply.arguments().value(0).value<QDBusVariant>().variant().toInt();
}

int tst_Tray::noticesWith(const QString &summary, const QString &body) const
{
    int n = 0;
    for (const Notice &notice : notices())
        if (notice.summary == summary && (body.isEmpty() || notice.body == body))
            ++n;
    return n;
}

// The interactive stand-in asks "Do you want to proceed? (y/n)" when told to; the pane watcher
// sees the question and the agent waits for input, with that line as its need.
void tst_Tray::askAndWait(const QString &agent)
{
    tmux({u"send-keys"_s, u"-t"_s, u"="_s + agent + u":"_s, u"-l"_s, u"please ask me"_s});
    tmux({u"send-keys"_s, u"-t"_s, u"="_s + agent + u":"_s, u"Enter"_s});
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(agent)->status, Agent::Status::WaitingInput, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(agent)->need, u"Do you want to proceed? (y/n)"_s, 10000);
}

void tst_Tray::answer(const QString &agent)
{
    tmux({u"send-keys"_s, u"-t"_s, u"="_s + agent + u":"_s, u"-l"_s, u"y"_s});
    tmux({u"send-keys"_s, u"-t"_s, u"="_s + agent + u":"_s, u"Enter"_s});
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(agent)->status != Agent::Status::WaitingInput, 20000);
}

void tst_Tray::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR) + u"/tray"_s;
    QDir(m_shots).removeRecursively();
    QVERIFY(QDir().mkpath(m_shots));

    // The desktop is up before the app looks for it: a notification server on the session bus,
    // and no tray yet: the app starts before the panel (a login's autostart race).
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    QTRY_VERIFY_WITH_TIMEOUT(bus.interface()->isServiceRegistered(kNotifications).value(), 15000);
    QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable());

    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    writeProfile(u"fake-chat"_s, {Test::HiveFixture::fakeAgent(), u"--interactive"_s}, true);

    Config c;
    c.dataDir = m_fx->dir();
    c.databaseUrl = m_fx->databaseUrl();
    c.redisUrl = m_fx->redisUrl();
    c.tmuxSocket = m_fx->tmuxSocket();
    c.apiPort = 0;
    m_app = std::make_unique<Application>(c, false);
    m_app->setRunnerPath(Test::HiveFixture::binDir() + u"/hive-runner"_s);
    QVERIFY_OK(m_app->lockDataDir());
    m_app->start();
    m_window = m_app->window();
    QVERIFY(m_window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    // Above the panel (stalonetray, 32 px high at the bottom).
    m_window->setGeometry(QGuiApplication::primaryScreen()->geometry().adjusted(0, 0, 0, -40));
    m_window->activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isLoaded(), 60000);
    // The quick-spawn menu lists the profiles once they are read.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->tray()->menu()->findChildren<QMenu *>().size() == 1
                                 && m_window->tray()->menu()->findChild<QMenu *>()->isEnabled(),
                             10000);
}

void tst_Tray::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

void tst_Tray::trayThatStartsLaterGetsTheIcon()
{
    QVERIFY(!TrayIcon::isAvailable());
    QVERIFY(!m_window->tray()->isVisible());
    // Nothing to hide the window into.
    QVERIFY(!hideWindowAction()->isEnabled());
    QVERIFY(m_desktop->startTray());
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->tray()->isVisible(), 10000);
    QWidget *icon = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((icon = trayIconWidget()) && icon->isVisible(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(systemTray()->geometry().isValid(), 10000);
    QTRY_VERIFY(hideWindowAction()->isEnabled()); // told by a queued signal
}

void tst_Tray::trayIconIsDocked()
{
    QVERIFY(TrayIcon::isAvailable());
    QVERIFY(m_window->tray()->isVisible());
    QSystemTrayIcon *tray = systemTray();
    QVERIFY(tray);
    QVERIFY(tray->isVisible());
    // Embedded in stalonetray's panel at the bottom right of the screen.
    QWidget *icon = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((icon = trayIconWidget()) && icon->isVisible(), 10000);
    const QRect screen = QGuiApplication::primaryScreen()->geometry();
    QTRY_VERIFY_WITH_TIMEOUT(tray->geometry().isValid(), 10000);
    const QRect where = tray->geometry();
    QVERIFY2(where.right() > screen.width() - 100 && where.bottom() > screen.height() - 100,
             qPrintable(u"the tray icon is at %1,%2 %3x%4"_s.arg(where.x())
                            .arg(where.y())
                            .arg(where.width())
                            .arg(where.height())));
    QVERIFY(!tray->icon().isNull());
    shot(u"tray-docked"_s);
}

void tst_Tray::countsFollowTheAgents()
{
    QSystemTrayIcon *tray = systemTray();
    QMenu *menu = m_window->tray()->menu();
    QCOMPARE(m_window->agentModel()->rowCount(), 0);
    QCOMPARE(tray->toolTip(), TrayIcon::tr("Agent Hive — %1").arg(TrayIcon::tr("No agents")));
    QCOMPARE(menu->actions().first()->text(), TrayIcon::tr("No agents"));

    spawn(u"alpha"_s, u"fake"_s);
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(u"alpha"_s)->status, Agent::Status::Idle, 30000);
    // What the tray host shows on hover, and the menu's first lines.
    QTRY_VERIFY2_WITH_TIMEOUT(
        tray->toolTip().contains(u"1 idle"_s), qPrintable(tray->toolTip()), 5000);
    QCOMPARE(tray->toolTip(),
             TrayIcon::tr("Agent Hive — %1").arg(TrayIcon::summary(m_window->agentModel())));
    QCOMPARE(menu->actions().first()->text(), TrayIcon::summary(m_window->agentModel()));
    QAction *idle = menuAction(menu, AgentModel::statusLabel(Agent::Status::Idle) + u':');
    QVERIFY(idle);
    QVERIFY(idle->isVisible());
    QCOMPARE(idle->text(), u"%1: 1"_s.arg(AgentModel::statusLabel(Agent::Status::Idle)));
    QAction *waiting = menuAction(menu, AgentModel::statusLabel(Agent::Status::WaitingInput));
    QVERIFY(waiting);
    QVERIFY(!waiting->isVisible());

    spawn(u"beta"_s, u"fake"_s);
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(u"beta"_s)->status, Agent::Status::Idle, 30000);
    QTRY_VERIFY2_WITH_TIMEOUT(
        tray->toolTip().contains(u"2 idle"_s), qPrintable(tray->toolTip()), 5000);
    QCOMPARE(idle->text(), u"%1: 2"_s.arg(AgentModel::statusLabel(Agent::Status::Idle)));
}

void tst_Tray::quickSpawnFromTheTrayMenu()
{
    QMenu *menu = m_window->tray()->menu();
    QWidget *icon = trayIconWidget();
    QVERIFY(icon);
    // A right click on the icon in the tray opens the menu next to it.
    QTest::mouseClick(icon, Qt::RightButton, {}, icon->rect().center());
    QTRY_VERIFY(menu->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    const QRect screen = QGuiApplication::primaryScreen()->geometry();
    QVERIFY(menu->geometry().right() > screen.width() - 300);
    shot(u"tray-menu"_s);

    QAction *quick = menuAction(menu, TrayIcon::tr("&Quick Spawn").remove(u'&'));
    QVERIFY(quick);
    QMenu *sub = quick->menu();
    QVERIFY(sub);
    QStringList profiles;
    for (QAction *a : sub->actions())
        profiles << a->text();
    QVERIFY2(profiles.contains(u"fake"_s) && profiles.contains(u"fake-chat"_s),
             qPrintable(profiles.join(u", "_s)));
    hover(menu, menu->actionGeometry(quick).center());
    QTRY_VERIFY(sub->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(sub));
    QAction *fake = menuAction(sub, u"fake"_s);
    QVERIFY(fake);
    QCOMPARE(fake->text(), u"fake"_s);
    hover(sub, sub->actionGeometry(fake).center());
    shot(u"tray-quick-spawn"_s);
    const int before = m_window->agentModel()->rowCount();
    QTest::mouseClick(sub, Qt::LeftButton, {}, sub->actionGeometry(fake).center());
    QTRY_VERIFY(!menu->isVisible());

    // An agent of type dev, named automatically, with the profile that was picked.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->agentModel()->rowCount(), before + 1, 30000);
    std::optional<Agent> spawned;
    for (const Agent &a : m_window->agentModel()->agents())
        if (a.name != u"alpha"_s && a.name != u"beta"_s)
            spawned = a;
    QVERIFY(spawned);
    QVERIFY2(spawned->name.startsWith(u"dev-"_s), qPrintable(spawned->name));
    QCOMPARE(spawned->type, u"dev"_s);
    QCOMPARE(spawned->profile, u"fake"_s);
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(spawned->name)->status, Agent::Status::Idle, 30000);
    QTRY_VERIFY2_WITH_TIMEOUT(
        systemTray()->toolTip().contains(u"3 idle"_s), qPrintable(systemTray()->toolTip()), 5000);
}

void tst_Tray::closeToTrayAndBack()
{
    QSignalSpy quitting(qApp, &QCoreApplication::aboutToQuit);
    QMenu *menu = m_window->tray()->menu();
    QAction *showHide = menuAction(menu, TrayIcon::tr("&Hide Agent Hive").remove(u'&'));
    QVERIFY2(showHide, "the menu offers to hide the window while it is shown");

    // Closing the window leaves the app in the tray, the agents running.
    QVERIFY(m_window->isVisible());
    QVERIFY(m_window->close() == false);
    QTRY_VERIFY(!m_window->isVisible());
    QVERIFY(systemTray()->isVisible());
    QCOMPARE(showHide->text(), TrayIcon::tr("&Show Agent Hive"));
    QTest::qWait(200);
    QCOMPARE(quitting.size(), 0);
    QVERIFY(!QCoreApplication::closingDown());
    const auto agents = Test::await(m_app->engine()->agents());
    QVERIFY(agents);
    QCOMPARE(agents->size(), 3);
    // The first time, the desktop says where the app went.
    QTRY_COMPARE_WITH_TIMEOUT(noticesWith(TrayIcon::tr("Agent Hive is still running")), 1, 10000);
    shot(u"closed-to-tray"_s);

    // The tray's menu brings it back.
    showHide->trigger();
    QTRY_VERIFY(m_window->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QTRY_COMPARE(showHide->text(), TrayIcon::tr("&Hide Agent Hive"));

    // Again, closed and brought back with a click on the icon; the notice was said once.
    QVERIFY(!m_window->close());
    QTRY_VERIFY(!m_window->isVisible());
    QWidget *icon = trayIconWidget();
    QTest::mouseClick(icon, Qt::LeftButton, {}, icon->rect().center());
    QTRY_VERIFY(m_window->isVisible());
    QTest::qWait(300);
    QCOMPARE(noticesWith(TrayIcon::tr("Agent Hive is still running")), 1);
    QCOMPARE(quitting.size(), 0);
}

void tst_Tray::notificationNamesTheAgentAndItsNeed()
{
    dunst(u"NotificationCloseAll"_s);
    QTRY_COMPARE(displayedNotices(), 0);
    // Away from the window (closed to the tray), an agent asks something.
    QVERIFY(!m_window->close());
    QTRY_VERIFY(!m_window->isVisible());
    spawn(u"chat"_s, u"fake-chat"_s);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(u"chat"_s).has_value(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(tmux({u"capture-pane"_s, u"-p"_s, u"-t"_s, u"=chat:"_s})
                                 .join(u'\n')
                                 .contains(u"fake-agent ready"_s),
                             20000);
    askAndWait(u"chat"_s);

    // The desktop's notification server got one naming the agent and what it needs.
    const QString title = u"chat is waiting for you"_s;
    const QString need = u"Do you want to proceed? (y/n)"_s;
    QTRY_VERIFY2_WITH_TIMEOUT(
        noticesWith(title, need) == 1, qPrintable(m_desktop->notificationLog().right(2000)), 10000);
    QVERIFY(std::ranges::any_of(notices(), [&](const Notice &n) {
        return n.summary == title && n.app == u"Agent Hive"_s;
    }));
    // The tray says it too: the count and the icon's mark.
    QSystemTrayIcon *tray = systemTray();
    QVERIFY2(tray->toolTip().contains(
                 u"1 %1"_s.arg(AgentModel::statusLabel(Agent::Status::WaitingInput).toLower())),
             qPrintable(tray->toolTip()));
    QAction *waiting = menuAction(m_window->tray()->menu(),
                                  AgentModel::statusLabel(Agent::Status::WaitingInput));
    QVERIFY(waiting->isVisible());
    QCOMPARE(waiting->text(), u"%1: 1"_s.arg(AgentModel::statusLabel(Agent::Status::WaitingInput)));

    // The menu open beside the notification, for the screenshot.
    QWidget *icon = trayIconWidget();
    QTest::mouseClick(icon, Qt::RightButton, {}, icon->rect().center());
    QTRY_VERIFY(m_window->tray()->menu()->isVisible());
    QVERIFY(QTest::qWaitForWindowExposed(m_window->tray()->menu()));
    shot(u"tray-menu-waiting"_s);
    m_window->tray()->menu()->hide();
    QTRY_VERIFY(!m_window->tray()->menu()->isVisible());
}

void tst_Tray::clickingTheNotificationShowsTheAgent()
{
    QVERIFY(!m_window->isVisible());
    // Only the agent's notice on the screen (the first close to the tray said where the app went).
    uint chat = 0;
    for (const Notice &n : notices())
        if (n.summary == u"chat is waiting for you"_s)
            chat = n.id;
    QVERIFY(chat > 0);
    for (const Notice &n : notices())
        if (n.id != chat)
            closeNotice(n.id);
    QTRY_COMPARE(displayedNotices(), 1);
    // A click on the notification: dunst runs its default action (its left click does the same).
    dunst(u"NotificationAction"_s, {0u});
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isVisible(), 10000);
    QTRY_COMPARE(m_window->agentPanel()->currentAgentId(), agentNamed(u"chat"_s)->id);
    QTRY_VERIFY(m_window->terminals()->paneByName(u"chat"_s));

    // Answered, the notice goes (if the click left it on the screen); asked again while the
    // window is away, there is a new one, which goes with the answer.
    answer(u"chat"_s);
    QTRY_COMPARE_WITH_TIMEOUT(displayedNotices(), 0, 10000);
    QVERIFY(!m_window->close());
    QTRY_VERIFY(!m_window->isVisible());
    const int before = noticesWith(u"chat is waiting for you"_s);
    askAndWait(u"chat"_s);
    QTRY_COMPARE_WITH_TIMEOUT(noticesWith(u"chat is waiting for you"_s), before + 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(displayedNotices(), 1, 5000);
    answer(u"chat"_s);
    QTRY_COMPARE_WITH_TIMEOUT(displayedNotices(), 0, 10000);
    QWidget *icon = trayIconWidget();
    QTest::mouseClick(icon, Qt::LeftButton, {}, icon->rect().center());
    QTRY_VERIFY(m_window->isVisible());
}

void tst_Tray::hideWindowFromTheMenuGoesToTheTray()
{
    QVERIFY(m_window->isVisible());
    QAction *hide = hideWindowAction();
    QVERIFY(hide);
    QVERIFY(hide->isEnabled());
    hide->trigger();
    QTRY_VERIFY(!m_window->isVisible());
    QCOMPARE(
        menuAction(m_window->tray()->menu(), TrayIcon::tr("&Show Agent Hive").remove(u'&'))->text(),
        TrayIcon::tr("&Show Agent Hive"));
    QWidget *icon = trayIconWidget();
    QTest::mouseClick(icon, Qt::LeftButton, {}, icon->rect().center());
    QTRY_VERIFY(m_window->isVisible());
}

void tst_Tray::withoutANotificationServerTheTraySaysIt()
{
    // The notification server goes away: the tray's own balloon says it instead.
    m_desktop->stopNotifications();
    QTRY_VERIFY_WITH_TIMEOUT(
        !QDBusConnection::sessionBus().interface()->isServiceRegistered(kNotifications).value(),
        10000);
    QVERIFY(!m_window->close());
    QTRY_VERIFY(!m_window->isVisible());
    askAndWait(u"chat"_s);
    QWidget *balloon = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (QWidget *w : QApplication::topLevelWidgets())
                if (qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0 && w->isVisible())
                    balloon = w;
            return balloon != nullptr;
        }(),
        10000);
    QStringList texts;
    for (QLabel *l : balloon->findChildren<QLabel *>())
        texts << l->text();
    QVERIFY2(texts.contains(u"chat is waiting for you"_s), qPrintable(texts.join(u" | "_s)));
    QVERIFY2(texts.join(u' ').contains(u"Do you want to proceed? (y/n)"_s),
             qPrintable(texts.join(u" | "_s)));
    shot(u"tray-balloon"_s);
    answer(u"chat"_s);
    QVERIFY(m_desktop->startNotifications());
    QTRY_VERIFY_WITH_TIMEOUT(
        QDBusConnection::sessionBus().interface()->isServiceRegistered(kNotifications).value(),
        10000);
}

// An agent's notice and the next one about it in quick succession (it waits, and its question
// changes at once), both sent before the server said the first one's number: one notice on the
// screen, the newer. One taken back at once, before its number is known, goes all the same.
void tst_Tray::noticesAboutOneAgentReplaceEachOther()
{
    DesktopNotifications desktop;
    QTRY_VERIFY_WITH_TIMEOUT(desktop.isAvailable(), 10000);
    const QString title = u"delta is waiting for you"_s;
    QVERIFY(desktop.show(title, u"first question"_s, false, u"delta"_s));
    QVERIFY(desktop.show(title, u"second question"_s, false, u"delta"_s));
    QTRY_COMPARE_WITH_TIMEOUT(noticesWith(title, u"second question"_s), 1, 10000);
    QCOMPARE(noticesWith(title), 2);
    QList<uint> ids;
    for (const Notice &n : notices())
        if (n.summary == title)
            ids << n.id;
    QCOMPARE(ids.size(), 2);
    QVERIFY(ids[0] > 0);
    QCOMPARE(ids[1], ids[0]); // the second replaced the first

    ClosedNotices closed;
    QVERIFY(desktop.show(u"echo is waiting for you"_s, u"a question"_s, false, u"echo"_s));
    desktop.withdraw(u"echo"_s);
    QTRY_COMPARE_WITH_TIMEOUT(noticesWith(u"echo is waiting for you"_s), 1, 10000);
    uint echo = 0;
    for (const Notice &n : notices())
        if (n.summary == u"echo is waiting for you"_s)
            echo = n.id;
    QVERIFY(echo > 0);
    // Reason 3: closed by a call to CloseNotification.
    QTRY_VERIFY_WITH_TIMEOUT(closed.list.contains(std::pair<uint, uint>(echo, 3u)), 10000);
    desktop.withdraw(u"delta"_s);
    QTRY_VERIFY_WITH_TIMEOUT(closed.list.contains(std::pair<uint, uint>(ids[0], 3u)), 10000);
}

void tst_Tray::trayHostRestarts()
{
    QWidget *icon = trayIconWidget();
    QVERIFY(icon);
    QTest::mouseClick(icon, Qt::LeftButton, {}, icon->rect().center());
    QTRY_VERIFY(m_window->isVisible());

    // The panel goes away: nothing to close to, so closing would quit; the tray reports none.
    m_desktop->stopTray();
    QTRY_VERIFY_WITH_TIMEOUT(!QSystemTrayIcon::isSystemTrayAvailable(), 10000);
    QTRY_VERIFY(!m_window->tray()->isVisible());
    QTRY_VERIFY(!hideWindowAction()->isEnabled());

    // It comes back (a panel restarted, or started after the app): the icon docks again.
    QVERIFY(m_desktop->startTray());
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->tray()->isVisible(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(systemTray()->geometry().isValid(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT((icon = trayIconWidget()) && icon->isVisible(), 10000);
    QTRY_VERIFY(hideWindowAction()->isEnabled());
    shot(u"tray-host-restarted"_s);
}

int main(int argc, char *argv[])
{
    Hive::Test::Desktop desktop;
    return Hive::Test::runGuiTest(
        argc,
        argv,
        "tst_tray",
        QSize(1280, 800),
        [&] {
            tst_Tray t(&desktop);
            QTEST_SET_MAIN_SOURCE_PATH
            return QTest::qExec(&t, argc, argv);
        },
        [&](const QString &display) {
            return desktop.start(display) ? QString() : desktop.error();
        });
}

#include "tst_tray.moc"
