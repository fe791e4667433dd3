// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/trayicon.h"

#include "models/agentmodel.h"
#include "widgets/desktopnotifications.h"
#include "widgets/icons.h"
#include "widgets/statusbadgedelegate.h"

#include <QAction>
#include <QGuiApplication>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

constexpr Agent::Status kShown[] = {Agent::Status::WaitingInput,
                                    Agent::Status::Busy,
                                    Agent::Status::Idle,
                                    Agent::Status::Starting,
                                    Agent::Status::Lost};

QIcon trayIcon(bool waiting)
{
    const QIcon base = Icons::get(u"agenthive"_s);
    if (!waiting)
        return base;
    // An amber dot: some agent asks the user something.
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pm = base.pixmap(size, size);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, qMax(1, size / 16)));
        p.setBrush(StatusBadgeDelegate::color(Agent::Status::WaitingInput));
        const qreal d = size * 0.45;
        p.drawEllipse(QRectF(size - d - 0.5, 0.5, d, d));
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

} // namespace

TrayIcon::TrayIcon(const AgentModel *agents, QObject *parent)
    : QObject(parent)
    , m_agents(agents)
    , m_tray(new QSystemTrayIcon(trayIcon(false), this))
    , m_desktop(new DesktopNotifications(this))
    , m_menu(new QMenu)
{
    m_menu->setObjectName(u"trayMenu"_s);
    m_summary = m_menu->addAction(QString());
    m_summary->setEnabled(false);
    m_dispatch = m_menu->addAction(QString());
    m_dispatch->setObjectName(u"trayDispatchNote"_s);
    m_dispatch->setEnabled(false);
    m_dispatch->setVisible(false);
    for (Agent::Status s : kShown) {
        QAction *a = m_menu->addAction(QString());
        a->setEnabled(false);
        a->setData(int(s));
        m_counts << a;
    }
    m_menu->addSeparator();
    m_showHide = m_menu->addAction(tr("&Show Agent Hive"));
    connect(m_showHide, &QAction::triggered, this, &TrayIcon::showHideRequested);
    m_spawn = m_menu->addAction(Icons::get(u"spawn"_s), tr("S&pawn Agent…"));
    connect(m_spawn, &QAction::triggered, this, &TrayIcon::spawnRequested);
    m_quick = m_menu->addMenu(tr("&Quick Spawn"));
    m_quick->setToolTip(tr("A dev agent with this profile, named automatically"));
    m_settings = m_menu->addAction(Icons::get(u"settings"_s), tr("S&ettings…"));
    connect(m_settings, &QAction::triggered, this, &TrayIcon::settingsRequested);
    m_menu->addSeparator();
    m_quit = m_menu->addAction(Icons::get(u"quit"_s), tr("&Quit Agent Hive"));
    connect(m_quit, &QAction::triggered, this, &TrayIcon::quitRequested);

    // The icon exists also while the desktop has no tray: Qt docks it when one appears (a panel
    // started after the app, as a login's autostart may, or restarted).
    m_tray->setContextMenu(m_menu);
    connect(m_tray,
            &QSystemTrayIcon::activated,
            this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    Q_EMIT showHideRequested();
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        Q_EMIT messageClicked(m_balloonKey);
    });
    // Qt's X11 platform says when a tray host appears (its MANAGER message on the root window) or
    // goes (its window destroyed), with a signal of its native interface, the only way it has to
    // say so (a QObject with no public class: the signal is connected by name, where it exists).
    // It listens from the first time it is asked whether there is a tray.
    isAvailable();
    if (auto *native = reinterpret_cast<QObject *>(QGuiApplication::platformNativeInterface());
        native && native->metaObject()->indexOfSignal("systemTrayWindowChanged(QScreen*)") >= 0)
        connect(native,
                SIGNAL(systemTrayWindowChanged(QScreen *)),
                this,
                SLOT(onTrayHostChanged()),
                Qt::QueuedConnection); // after Qt's own icon has docked or gone
    connect(m_desktop, &DesktopNotifications::activated, this, &TrayIcon::messageClicked);
    connect(m_desktop, &DesktopNotifications::notShown, this, &TrayIcon::showBalloon);
    connect(m_agents, &AgentModel::countsChanged, this, &TrayIcon::update);
    setQuickSpawnProfiles({});
    update();
}

TrayIcon::~TrayIcon()
{
    delete m_menu;
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool TrayIcon::isVisible() const
{
    return m_tray->isVisible() && isAvailable();
}

void TrayIcon::setVisible(bool visible)
{
    m_tray->setVisible(visible);
    Q_EMIT trayChanged();
}

// A tray host appeared or went away: Qt docks the icon into it (or takes it out) by itself; what
// the app offers (hiding the window into the tray) follows.
void TrayIcon::onTrayHostChanged()
{
    Q_EMIT trayChanged();
}

void TrayIcon::setWindowShown(bool shown)
{
    m_showHide->setText(shown ? tr("&Hide Agent Hive") : tr("&Show Agent Hive"));
}

void TrayIcon::setQuickSpawnProfiles(const QStringList &profiles)
{
    m_quick->clear();
    for (const QString &p : profiles) {
        QAction *a = m_quick->addAction(p);
        connect(a, &QAction::triggered, this, [this, p] { Q_EMIT quickSpawnRequested(p); });
    }
    m_quick->setEnabled(!profiles.isEmpty());
}

bool TrayIcon::canShowMessages() const
{
    return m_desktop->isAvailable() || isVisible();
}

void TrayIcon::showMessage(const QString &title,
                           const QString &message,
                           bool warning,
                           const QString &key)
{
    if (!m_desktop->show(title, message, warning, key))
        showBalloon(title, message, warning, key);
}

void TrayIcon::withdrawMessage(const QString &key)
{
    m_desktop->withdraw(key);
}

// Without a notification server: Qt's own message by the icon (a balloon next to an XEmbed tray).
void TrayIcon::showBalloon(const QString &title,
                           const QString &message,
                           bool warning,
                           const QString &key)
{
    if (!isVisible() || !QSystemTrayIcon::supportsMessages()) {
        Q_EMIT messageNotShown(title, message);
        return;
    }
    m_balloonKey = key;
    m_tray->showMessage(
        title, message, warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, 8000);
}

QString TrayIcon::summary(const AgentModel *agents)
{
    const int total = agents->rowCount();
    if (total == 0)
        return tr("No agents");
    QStringList parts;
    for (Agent::Status s : kShown)
        if (int n = agents->count(s); n > 0)
            parts << tr("%1 %2").arg(n).arg(AgentModel::statusLabel(s).toLower());
    return tr("%n agent(s): %1", nullptr, total).arg(parts.join(u", "_s));
}

QString TrayIcon::toolTip() const
{
    const QString tip = tr("Agent Hive — %1").arg(summary(m_agents));
    return m_note.isEmpty() ? tip : tip + u'\n' + m_note;
}

void TrayIcon::setDispatchNote(const QString &note)
{
    m_note = note;
    m_dispatch->setText(note);
    m_dispatch->setVisible(!note.isEmpty());
    m_tray->setToolTip(toolTip());
}

void TrayIcon::update()
{
    m_summary->setText(summary(m_agents));
    for (QAction *a : std::as_const(m_counts)) {
        const auto s = static_cast<Agent::Status>(a->data().toInt());
        const int n = m_agents->count(s);
        a->setText(tr("%1: %2").arg(AgentModel::statusLabel(s)).arg(n));
        a->setVisible(n > 0);
    }
    const bool waiting = m_agents->count(Agent::Status::WaitingInput) > 0;
    m_tray->setToolTip(toolTip());
    if (waiting != m_waiting)
        m_tray->setIcon(trayIcon(waiting));
    m_waiting = waiting;
}

} // namespace Hive
