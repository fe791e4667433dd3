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

// The tray (menu-bar) icon, wrapped as qBittorrent's DesktopIntegration: it shows the agents'
// counts by state and offers show/hide, spawn, quick spawn and quit, and only emits signals; the
// app decides what they do. It also shows the desktop notifications it is given.
class TrayIcon : public QObject
{
    Q_OBJECT

public:
    explicit TrayIcon(const AgentModel *agents, QObject *parent = nullptr);
    ~TrayIcon() override;

    static bool isAvailable();
    bool isVisible() const;
    void setVisible(bool visible);

    void setWindowShown(bool shown); // "Show" or "Hide" in the menu
    void setQuickSpawnProfiles(const QStringList &profiles);
    void showMessage(const QString &title, const QString &message, bool warning = false);

    QMenu *menu() const { return m_menu; }
    QString toolTip() const;
    // "3 agents: 1 working, 1 idle, 1 waiting for input" (also the status bar's words).
    static QString summary(const AgentModel *agents);

Q_SIGNALS:
    void showHideRequested();
    void spawnRequested();
    void quickSpawnRequested(const QString &profile);
    void settingsRequested();
    void quitRequested();
    void messageClicked();

private:
    void update();

    const AgentModel *m_agents;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu;
    QAction *m_summary;
    QAction *m_showHide;
    QAction *m_spawn;
    QMenu *m_quick;
    QAction *m_settings;
    QAction *m_quit;
    QList<QAction *> m_counts;
    bool m_waiting = false;
};

} // namespace Hive
