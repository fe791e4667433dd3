// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "app/application.h"
#include "app/sessioncontroller.h"
#include "widgets/notifier.h"
#include "widgets/settingsdialog.h"
#include "widgets/spawndialog.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QDockWidget;
class QMenu;
class QMessageBox;
class QToolBar;

namespace Hive {

class AgentActions;
class AgentModel;
class AgentPanel;
class OperateActions;
class Settings;
class TaskBoard;
class TaskModel;
class TerminalArea;
class TrayIcon;
class SearchPanel;
class SearchSession;
class CostDashboard;
class MoneySession;
struct SearchHit;

// The main window: the agent list (left), the terminals (centre), the task board (bottom), the
// services' health in the status bar, and the tray icon, with their menus, actions and dialogs.
// The models are kept in step with the engine by a SessionController and the widgets' requests
// carried out by AgentActions; the window wires them to its views. Part of the composition root.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Application *app, QWidget *parent = nullptr);
    ~MainWindow() override;

    SessionController *sessions() const { return m_sessions; }
    AgentModel *agentModel() const { return m_agents; }
    TaskModel *taskModel() const { return m_tasks; }
    AgentPanel *agentPanel() const { return m_agentPanel; }
    OperateActions *operateActions() const { return m_operate; }
    TerminalArea *terminals() const { return m_terminals; }
    TaskBoard *taskBoard() const { return m_board; }
    TrayIcon *tray() const { return m_tray; }
    SearchPanel *searchPanel() const { return m_searchPanel; }
    QDockWidget *searchDock() const { return m_searchDock; }
    QDockWidget *costDock() const { return m_costDock; }
    CostDashboard *costDashboard() const { return m_costDashboard; }
    MoneySession *money() const { return m_money; }
    QToolBar *toolBar() const { return m_toolBar; }
    bool isLoaded() const { return m_sessions->isLoaded(); }

    void showSpawnDialog();
    void showNewTaskDialog();
    void showSettings();
    void quit();

Q_SIGNALS:
    // The first full load of agents and tasks is in the models.
    void loaded();

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    void restoreLayout();
    void saveLayout();
    void applySettings();
    void connectSessions();

    void
    onNotify(Notifier::Kind kind, const QString &title, const QString &message, const QString &id);
    void updateTitle();
    // A click on a notice: the window, and the agent or task it was about.
    void showNotice(const QString &id);

    void spawn(const SpawnDialog::Request &request);
    void showError(const QString &title, const QString &message);
    void toggleVisible();
    void hideToTray();
    void showAndRaise();
    void showShortcuts();
    void showAbout();
    void showSearch();
    void showHit(const SearchHit &hit);

    Application *m_app;
    std::unique_ptr<Settings> m_settings;
    SessionController *m_sessions;
    AgentActions *m_actions;
    OperateActions *m_operate = nullptr; // teams, pause, resume, stop
    AgentModel *m_agents;
    TaskModel *m_tasks;
    AgentPanel *m_agentPanel;
    TerminalArea *m_terminals;
    TaskBoard *m_board;
    QDockWidget *m_agentDock;
    QDockWidget *m_taskDock;
    QToolBar *m_toolBar = nullptr;
    TrayIcon *m_tray;
    SearchPanel *m_searchPanel;
    QDockWidget *m_searchDock;
    SearchSession *m_search;
    QPointer<QMessageBox> m_errorBox;
    QAction *m_settingsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_searchAction = nullptr;
    // Money and limits (costsview.cpp): the cost dashboard's dock, its session, the status line.
    void buildCosts(QMenu *view);
    QDockWidget *m_costDock = nullptr;
    CostDashboard *m_costDashboard = nullptr;
    MoneySession *m_money = nullptr;

    SettingsDialog::Values m_values;
    bool m_quitting = false;
};

} // namespace Hive
