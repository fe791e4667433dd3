// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QObject>
#include <QStringList>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace Hive {

class AgentModel;
class DesktopNotifications;

// The tray (menu-bar) icon, wrapped as qBittorrent's DesktopIntegration: it shows the agents'
// counts by state and offers show/hide, spawn, quick spawn and quit, and only emits signals; the
// app decides what they do. It also shows the desktop notifications it is given: through the
// desktop's notification server where there is one (DesktopNotifications), else as the tray's own
// message. A tray that appears after the app (a panel started later, or restarted) gets the icon.
class TrayIcon : public QObject
{
    Q_OBJECT

public:
    explicit TrayIcon(const AgentModel *agents, QObject *parent = nullptr);
    ~TrayIcon() override;

    // The desktop has a tray now.
    static bool isAvailable();
    // The icon is shown in a tray now: the window may hide there.
    bool isVisible() const;
    void setVisible(bool visible);

    void setWindowShown(bool shown); // "Show" or "Hide" in the menu
    void setQuickSpawnProfiles(const QStringList &profiles);
    // Whether showMessage() reaches the desktop (a notification server, or the tray's balloon).
    bool canShowMessages() const;
    // A notice with a key replaces the one before with that key; clicking it emits
    // messageClicked(key). What cannot be shown at all comes back as messageNotShown().
    void showMessage(const QString &title,
                     const QString &message,
                     bool warning = false,
                     const QString &key = {});
    // Takes the notice with this key off the screen, if the notification server still shows it.
    void withdrawMessage(const QString &key);

    // What holds dispatch back (daily budget spent, a profile rate-limited), shown under the
    // summary and in the tooltip; empty: nothing.
    void setDispatchNote(const QString &note);
    QString dispatchNote() const { return m_note; }

    QMenu *menu() const { return m_menu; }
    QSystemTrayIcon *systemTrayIcon() const { return m_tray; }
    QString toolTip() const;
    // "3 agents: 1 working, 1 idle, 1 waiting for input" (also the status bar's words).
    static QString summary(const AgentModel *agents);

Q_SIGNALS:
    void showHideRequested();
    void spawnRequested();
    void quickSpawnRequested(const QString &profile);
    void settingsRequested();
    void quitRequested();
    void messageClicked(const QString &key);
    void messageNotShown(const QString &title, const QString &message);
    // The icon was shown or hidden, or docked into a tray that appeared: isVisible() may differ.
    void trayChanged();

private Q_SLOTS:
    // A tray host appeared or went away (connected by name to Qt's platform: see the constructor).
    void onTrayHostChanged();

private:
    void update();
    void
    showBalloon(const QString &title, const QString &message, bool warning, const QString &key);

    const AgentModel *m_agents;
    QSystemTrayIcon *m_tray;
    DesktopNotifications *m_desktop;
    QString m_balloonKey;
    QMenu *m_menu;
    QAction *m_summary;
    QAction *m_dispatch;
    QString m_note;
    QAction *m_showHide;
    QAction *m_spawn;
    QMenu *m_quick;
    QAction *m_settings;
    QAction *m_quit;
    QList<QAction *> m_counts;
    bool m_waiting = false;
};

} // namespace Hive
