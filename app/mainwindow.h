// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "app/application.h"
#include "models/event.h"
#include "widgets/notifier.h"
#include "widgets/settingsdialog.h"
#include "widgets/spawndialog.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSet>

class QDockWidget;
class QLabel;
class QMessageBox;
class QTimer;
class QToolBar;

namespace Hive {

class AgentModel;
class AgentPanel;
class Engine;
class HealthIndicator;
class TaskBoard;
class TaskModel;
class TerminalArea;
class TrayIcon;

// The main window: the agent list (left), the terminals (centre), the task board (bottom), the
// services' health in the status bar, and the tray icon. It feeds the models from the engine's
// events and carries out what the widgets request through the engine's futures, so that the GUI
// thread never waits. Part of the composition root (app/).
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(Application *app, QWidget *parent = nullptr);
    ~MainWindow() override;

    AgentModel *agentModel() const { return m_agents; }
    TaskModel *taskModel() const { return m_tasks; }
    AgentPanel *agentPanel() const { return m_agentPanel; }
    TerminalArea *terminals() const { return m_terminals; }
    TaskBoard *taskBoard() const { return m_board; }
    TrayIcon *tray() const { return m_tray; }
    QToolBar *toolBar() const { return m_toolBar; }
    bool isLoaded() const { return m_loaded; }

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
    void buildStatusBar();
    void restoreLayout();
    void saveLayout();
    void applySettings();

    void onEngineStarted();
    void onEvent(const Event &event);
    void reload();
    void reconcileAgents();
    void finishLoad(const QList<Agent> &agents, const QList<Task> &tasks);
    void onHealth(const Application::Health &health);
    void onApiStarted(const QString &url);
    void onNotify(Notifier::Kind kind, const QString &title, const QString &message, const QString &id);
    void updateSummary();

    void spawn(const SpawnDialog::Request &request);
    void killAgents(const QList<Agent> &agents);
    void restartAgents(const QList<Agent> &agents);
    void openTerminals(const QList<Agent> &agents);
    void attachExternal(const Agent &agent);
    void cancelTasks(const QStringList &ids);
    void retryTasks(const QStringList &ids);
    void showError(const QString &title, const QString &message);
    void toggleVisible();
    void showAndRaise();
    void showShortcuts();
    void showAbout();
    QStringList knownTypes() const;

    Application *m_app;
    Engine *m_engine = nullptr;
    AgentModel *m_agents;
    TaskModel *m_tasks;
    AgentPanel *m_agentPanel;
    TerminalArea *m_terminals;
    TaskBoard *m_board;
    QDockWidget *m_agentDock;
    QDockWidget *m_taskDock;
    QToolBar *m_toolBar = nullptr;
    TrayIcon *m_tray;
    Notifier *m_notifier;
    HealthIndicator *m_pgHealth = nullptr;
    HealthIndicator *m_redisHealth = nullptr;
    HealthIndicator *m_tmuxHealth = nullptr;
    HealthIndicator *m_apiHealth = nullptr;
    QLabel *m_apiUrl = nullptr;
    QLabel *m_summary = nullptr;
    QPointer<QMessageBox> m_errorBox;
    QAction *m_settingsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QTimer *m_reconcile = nullptr;

    SettingsDialog::Values m_settings;
    QList<SpawnDialog::ProfileChoice> m_profiles;
    QString m_tmuxBinary;
    bool m_loading = false;
    bool m_loaded = false;
    bool m_quitting = false;
    QList<Event> m_buffered;
    quint64 m_eventCount = 0;
    QHash<QString, quint64> m_lastEvent; // agent or task id → m_eventCount when its last event came
    QSet<QString> m_dismissed;           // lost agents the user took off the list
    struct Restart
    {
        QString oldId;
        bool hadTerminal = false;
        bool readOnly = true;
    };
    QHash<QString, Restart> m_restarting; // agent name → what to restore after the respawn
    struct LastNotice
    {
        Notifier::Kind kind = Notifier::Kind::AllDone;
        QString id;
    } m_lastNotice;
};

} // namespace Hive
