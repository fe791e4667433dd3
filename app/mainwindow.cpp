// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/mainwindow.h"
#include "app/operateactions.h"

#include "app/agentactions.h"
#include "app/moneysession.h"
#include "app/reviewactions.h"
#include "app/searchsession.h"
#include "app/sessioncontroller.h"
#include "app/settings.h"
#include "app/shortcutsdialog.h"
#include "app/statusfields.h"
#include "app/terminalsync.h"
#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "services/engine.h"
#include "widgets/agentpanel.h"
#include "widgets/icons.h"
#include "widgets/logchunkdialog.h"
#include "widgets/newtaskdialog.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/searchpanel.h"
#include "widgets/taskboard.h"
#include "widgets/taskdetailview.h"
#include "widgets/terminalarea.h"
#include "widgets/trayicon.h"

#include <qtermwidget.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive {

MainWindow::MainWindow(Application *app, QWidget *parent)
    : QMainWindow(parent)
    , m_app(app)
    , m_settings(std::make_unique<Settings>())
    , m_sessions(new SessionController(this))
    , m_actions(new AgentActions(m_sessions, this))
    , m_agents(m_sessions->agentModel())
    , m_tasks(m_sessions->taskModel())
    , m_agentPanel(new AgentPanel(m_agents, this))
    , m_terminals(new TerminalArea(this))
    , m_board(new TaskBoard(m_tasks, this))
    , m_agentDock(new QDockWidget(tr("Agents"), this))
    , m_taskDock(new QDockWidget(tr("Tasks"), this))
    , m_tray(new TrayIcon(m_agents, this))
    , m_searchPanel(new SearchPanel(this))
    , m_searchDock(new QDockWidget(tr("Search"), this))
    , m_search(new SearchSession(this))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Agent Hive"));
    setWindowIcon(Icons::get(u"agenthive"_s));
    // Quitting is explicit (the window may live on in the tray while dialogs come and go).
    QApplication::setQuitOnLastWindowClosed(false);

    m_values = m_settings->values(app->config());
    m_sessions->setDismissed(m_settings->dismissedAgents());

    setCentralWidget(m_terminals);
    m_agentDock->setObjectName(u"agentDock"_s);
    m_agentDock->setWidget(m_agentPanel);
    m_agentDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                             | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, m_agentDock);
    m_taskDock->setObjectName(u"taskDock"_s);
    m_taskDock->setWidget(m_board);
    m_taskDock->setFeatures(m_agentDock->features());
    addDockWidget(Qt::BottomDockWidgetArea, m_taskDock);
    m_searchDock->setObjectName(u"searchDock"_s);
    m_searchDock->setWidget(m_searchPanel);
    m_searchDock->setFeatures(m_agentDock->features());
    addDockWidget(Qt::RightDockWidgetArea, m_searchDock);
    m_searchDock->hide();
    connect(m_searchDock, &QDockWidget::visibilityChanged, this, [this](bool shown) {
        if (shown && m_searchDock->width() < 400)
            resizeDocks({m_searchDock}, {440}, Qt::Horizontal);
    });
    setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::BottomDockWidgetArea);
    resizeDocks({m_agentDock}, {620}, Qt::Horizontal);
    resizeDocks({m_taskDock}, {300}, Qt::Vertical);

    buildActions();
    buildMenus();
    new StatusFields(statusBar(), app, m_agents, m_tasks);
    auto *terminalSync = new TerminalSync(m_terminals, m_sessions, m_actions);
    connectSessions();

    connect(m_agentPanel, &AgentPanel::spawnRequested, this, &MainWindow::showSpawnDialog);
    connect(m_agentPanel, &AgentPanel::killRequested, m_actions, &AgentActions::kill);
    connect(m_agentPanel, &AgentPanel::restartRequested, m_actions, &AgentActions::restart);
    connect(m_agentPanel, &AgentPanel::openTerminalRequested, terminalSync, &TerminalSync::open);
    connect(m_agentPanel, &AgentPanel::attachExternalRequested, this, [this](const Agent &a) {
        m_actions->attachExternal(a, m_app->config().tmuxSocket, m_values.externalTerminal);
    });
    connect(m_board, &TaskBoard::newTaskRequested, this, &MainWindow::showNewTaskDialog);
    connect(m_board, &TaskBoard::cancelRequested, m_actions, &AgentActions::cancel);
    connect(m_board, &TaskBoard::retryRequested, m_actions, &AgentActions::retry);
    connect(m_board->detail(),
            &TaskDetailView::wholeTaskWanted,
            m_sessions,
            &SessionController::fetchWholeTask);
    connect(m_terminals, &TerminalArea::terminalFontChanged, this, [this](const QFont &f) {
        m_values.terminalFont = f;
        m_settings->setTerminalFont(f);
    });
    connect(m_terminals, &TerminalArea::colorSchemeChanged, this, [this](const QString &scheme) {
        m_values.colorScheme = scheme;
        m_settings->setColorScheme(scheme);
    });
    // Selecting a terminal selects its agent, so that the agent actions apply to what one watches.
    connect(m_terminals, &TerminalArea::currentAgentChanged, this, [this](const QString &id) {
        if (!id.isEmpty() && id != m_agentPanel->currentAgentId())
            m_agentPanel->selectAgent(id);
    });
    connect(m_agents, &AgentModel::countsChanged, this, &MainWindow::updateTitle);

    connect(m_tray, &TrayIcon::showHideRequested, this, &MainWindow::toggleVisible);
    connect(m_tray, &TrayIcon::spawnRequested, this, [this] {
        showAndRaise();
        showSpawnDialog();
    });
    connect(m_tray, &TrayIcon::quickSpawnRequested, this, [this](const QString &profile) {
        spawn(m_actions->quickRequest(profile));
    });
    connect(m_tray, &TrayIcon::settingsRequested, this, [this] {
        showAndRaise();
        showSettings();
    });
    connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::quit);
    connect(m_tray, &TrayIcon::messageClicked, this, &MainWindow::showNotice);
    connect(m_tray, &TrayIcon::messageNotShown, this, [this](const QString &t, const QString &m) {
        statusBar()->showMessage(tr("%1 — %2").arg(t, m), 8000);
    });
    // An agent that was waiting got its answer: its notice is old news.
    connect(m_agents,
            &AgentModel::agentStatusChanged,
            this,
            [this](const Agent &agent, Agent::Status previous) {
                if (previous == Agent::Status::WaitingInput
                    && agent.status != Agent::Status::WaitingInput)
                    m_tray->withdrawMessage(agent.id);
            });
    m_tray->setVisible(true); // docks when there is a tray, now or later

    connect(app, &Application::engineStarted, this, [this] {
        statusBar()->showMessage(tr("Loading agents and tasks…"), 5000);
        m_sessions->start(m_app->engine());
        m_search->setEngine(m_app->engine());
        m_money->setEngine(m_app->engine());
        m_searchPanel->setSemanticAvailable(m_search->semanticAvailable());
    });
    connect(m_searchPanel, &SearchPanel::searchRequested, m_search, &SearchSession::search);
    connect(m_search, &SearchSession::hitsReady, m_searchPanel, &SearchPanel::setHits);
    connect(m_search, &SearchSession::failed, m_searchPanel, &SearchPanel::setError);
    connect(m_searchPanel, &SearchPanel::hitActivated, this, &MainWindow::showHit);

    applySettings();
    restoreLayout();
    statusBar()->showMessage(tr("Starting PostgreSQL, Redis and tmux…"));

    connect(m_actions, &AgentActions::profilesFound, this, [this] {
        m_terminals->setTmux(m_actions->tmuxBinary(), m_app->config().tmuxSocket);
        m_tray->setQuickSpawnProfiles(m_actions->profileNames());
    });
    m_actions->findProfiles(app->config().dataDir);
}

MainWindow::~MainWindow()
{
    saveLayout();
}

void MainWindow::buildActions()
{
    m_settingsAction = new QAction(Icons::get(u"settings"_s), tr("&Settings…"), this);
    m_settingsAction->setObjectName(u"settings"_s);
    m_settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    m_quitAction = new QAction(Icons::get(u"quit"_s), tr("&Quit"), this);
    m_quitAction->setObjectName(u"quit"_s);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quit);

    // Text beside the icons of the main actions; the others show their icon only.
    for (QAction *a : {m_agentPanel->restartAction(),
                       m_agentPanel->attachExternalAction(),
                       m_terminals->gridAction(),
                       m_board->retryAction(),
                       m_board->cancelAction(),
                       m_settingsAction})
        a->setPriority(QAction::LowPriority);

    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(u"mainToolBar"_s);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(20, 20));
    m_toolBar->setMovable(false);
    m_toolBar->addAction(m_agentPanel->spawnAction());
    m_toolBar->addAction(m_agentPanel->killAction());
    m_toolBar->addAction(m_agentPanel->restartAction());
    m_toolBar->addAction(m_agentPanel->attachExternalAction());
    auto *review = new ReviewActions(m_sessions, this);
    review->attach(m_agentPanel);
    review->showChangesAction()->setPriority(QAction::LowPriority);
    m_toolBar->addAction(review->showChangesAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_agentPanel->openTerminalAction());
    m_toolBar->addAction(m_terminals->keyboardAction());
    m_toolBar->addAction(m_terminals->gridAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_board->newTaskAction());
    m_toolBar->addAction(m_board->retryAction());
    m_toolBar->addAction(m_board->cancelAction());
    auto *spacer = new QWidget(m_toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);
    m_searchAction = new QAction(Icons::get(u"search"_s), tr("Search…"), this);
    m_searchAction->setObjectName(u"searchEverything"_s);
    m_searchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_searchAction->setToolTip(
        tr("Search prompts, answers and terminal logs (%1)")
            .arg(m_searchAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_searchAction, &QAction::triggered, this, &MainWindow::showSearch);
    m_toolBar->addAction(m_searchAction);
    addAction(m_searchAction);
    m_toolBar->addAction(m_settingsAction);

    // Every action works from anywhere in the window, also while the toolbar is hidden.
    addActions(m_terminals->actions());
    addAction(m_agentPanel->spawnAction());
    addAction(m_agentPanel->restartAction());
    addAction(m_agentPanel->openTerminalAction());
    addAction(m_agentPanel->attachExternalAction());
    addAction(m_board->newTaskAction());
    addAction(m_board->retryAction());
    addAction(m_settingsAction);
    addAction(m_quitAction);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_settingsAction);
    file->addSeparator();
    QAction *hide = file->addAction(tr("&Hide Window"));
    hide->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    // Only where the tray can bring it back.
    hide->setEnabled(m_tray->isVisible());
    connect(m_tray, &TrayIcon::trayChanged, hide, [this, hide] {
        hide->setEnabled(m_tray->isVisible());
    });
    connect(
        file, &QMenu::aboutToShow, hide, [this, hide] { hide->setEnabled(m_tray->isVisible()); });
    connect(hide, &QAction::triggered, this, [this] {
        if (m_tray->isVisible())
            hideToTray();
    });
    addAction(hide);
    file->addAction(m_quitAction);

    QMenu *agents = menuBar()->addMenu(tr("&Agents"));
    agents->addAction(m_agentPanel->spawnAction());
    agents->addSeparator();
    agents->addAction(m_agentPanel->openTerminalAction());
    agents->addAction(m_agentPanel->attachExternalAction());
    if (auto *review = findChild<ReviewActions *>())
        agents->addAction(review->showChangesAction());
    agents->addSeparator();
    agents->addAction(m_agentPanel->restartAction());
    agents->addAction(m_agentPanel->killAction());
    m_operate = new OperateActions(m_sessions, m_agentPanel, this);
    connect(m_operate, &OperateActions::errorOccurred, this, &MainWindow::showError);
    connect(m_operate, &OperateActions::finished, this, [this](const QString &message) {
        statusBar()->showMessage(message, 4000);
    });
    agents->insertAction(agents->actions().value(1), m_operate->newTeamAction());
    agents->addSeparator();
    agents->addAction(m_operate->pauseAction());
    agents->addAction(m_operate->resumeAction());
    agents->addAction(m_operate->stopAction());
    agents->addAction(m_operate->stopTeamAction());
    agents->addSeparator();
    agents->addAction(m_agentPanel->filterAction());

    QMenu *terminal = menuBar()->addMenu(tr("&Terminal"));
    terminal->addAction(m_terminals->keyboardAction());
    terminal->addAction(m_terminals->gridAction());
    terminal->addSeparator();
    terminal->addAction(m_terminals->nextAction());
    terminal->addAction(m_terminals->previousAction());
    terminal->addAction(m_terminals->closeAction());
    terminal->addSeparator();
    terminal->addAction(m_terminals->copyAction());
    terminal->addAction(m_terminals->pasteAction());
    terminal->addAction(m_terminals->findAction());
    terminal->addSeparator();
    terminal->addAction(m_terminals->zoomInAction());
    terminal->addAction(m_terminals->zoomOutAction());
    terminal->addAction(m_terminals->zoomResetAction());
    terminal->addMenu(m_terminals->colorSchemeMenu());

    QMenu *tasks = menuBar()->addMenu(tr("Ta&sks"));
    tasks->addAction(m_board->newTaskAction());
    tasks->addSeparator();
    tasks->addAction(m_board->retryAction());
    tasks->addAction(m_board->cancelAction());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    auto focus = [this, view](const QString &text, const QKeySequence &key, auto slot) {
        QAction *a = view->addAction(text);
        a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
    };
    // A dock's list takes the keyboard, on its current row or else on its first.
    auto toList = [](QDockWidget *dock, QAbstractItemView *list) {
        dock->show();
        dock->raise();
        list->setFocus(Qt::ShortcutFocusReason);
        if (!list->currentIndex().isValid() && list->model()->rowCount() > 0)
            list->setCurrentIndex(list->model()->index(0, 0));
    };
    focus(tr("Go to &Agents"), QKeySequence(Qt::ALT | Qt::Key_1), [this, toList] {
        toList(m_agentDock, m_agentPanel->view());
    });
    focus(tr("Go to &Terminal"), QKeySequence(Qt::ALT | Qt::Key_2), [this] {
        if (TerminalPane *p = m_terminals->currentPane())
            p->setFocus(Qt::ShortcutFocusReason);
    });
    focus(tr("Go to Ta&sks"), QKeySequence(Qt::ALT | Qt::Key_3), [this, toList] {
        toList(m_taskDock, m_board->view());
    });
    view->addSeparator();
    auto toggle = [this, view](QAction *a, const QString &text, Qt::Key key) {
        a->setText(text);
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | key));
        view->addAction(a);
        addAction(a);
    };
    toggle(m_agentDock->toggleViewAction(), tr("Show A&gent List"), Qt::Key_1);
    toggle(m_taskDock->toggleViewAction(), tr("Show Task &Board"), Qt::Key_3);
    view->addAction(m_searchAction);
    buildCosts(view);
    toggle(m_toolBar->toggleViewAction(), tr("Show T&oolbar"), Qt::Key_B);
    view->addSeparator();
    QAction *full = view->addAction(tr("&Full Screen"));
    full->setCheckable(true);
    full->setShortcut(QKeySequence(Qt::Key_F11));
    connect(full, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? windowState() | Qt::WindowFullScreen
                          : windowState() & ~Qt::WindowFullScreen);
    });
    addAction(full);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"));
    keys->setShortcut(QKeySequence::HelpContents);
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    addAction(keys);
    QAction *about = help->addAction(tr("&About Agent Hive"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::restoreLayout()
{
    if (!restoreGeometry(m_settings->windowGeometry()))
        resize(1440, 900);
    if (!restoreState(m_settings->windowState())) {
        // First start: room for the agent table's columns and the task board.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({m_agentDock}, {640}, Qt::Horizontal);
            resizeDocks({m_taskDock}, {330}, Qt::Vertical);
            resizeDocks({m_searchDock}, {440}, Qt::Horizontal);
        });
    }
    m_agentPanel->restoreViewState(m_settings->agentPanel());
    m_board->restoreViewState(m_settings->taskBoard());
    m_terminals->setGrid(m_settings->terminalGrid());
}

void MainWindow::saveLayout()
{
    m_settings->setWindowLayout(saveGeometry(), saveState());
    m_settings->setTerminalGrid(m_terminals->isGrid());
    m_settings->setAgentPanel(m_agentPanel->viewState());
    m_settings->setTaskBoard(m_board->viewState());
}

void MainWindow::applySettings()
{
    m_terminals->setTerminalFont(m_values.terminalFont);
    m_terminals->setColorScheme(m_values.colorScheme);
    m_sessions->setNotificationsEnabled(m_values.notifications);
}

// ---- the models and the actions -----------------------------------------------------------------

void MainWindow::connectSessions()
{
    connect(m_sessions, &SessionController::errorOccurred, this, &MainWindow::showError);
    connect(m_sessions, &SessionController::notified, this, &MainWindow::onNotify);
    connect(m_sessions, &SessionController::dismissedChanged, this, [this](const QStringList &ids) {
        m_settings->setDismissedAgents(ids);
    });
    connect(m_sessions, &SessionController::loadFinished, this, [this] {
        m_agentPanel->setReady(true);
        m_board->setReady(true);
    });
    connect(m_sessions, &SessionController::loaded, this, [this] {
        statusBar()->showMessage(tr("Ready"), 3000);
        Q_EMIT loaded();
    });

    connect(m_actions, &AgentActions::errorOccurred, this, &MainWindow::showError);
    connect(m_actions, &AgentActions::finished, this, [this](const QString &message) {
        statusBar()->showMessage(message, 4000);
    });
    connect(m_actions, &AgentActions::restarted, this, [this](const QString &, const Agent &a) {
        m_agentPanel->selectAgent(a.id);
    });
    connect(m_actions, &AgentActions::queued, this, [this](const Task &t) {
        m_board->selectTask(t.id);
    });
}

void MainWindow::updateTitle()
{
    const int waiting = m_agents->count(Agent::Status::WaitingInput);
    setWindowTitle(waiting > 0 ? tr("Agent Hive (%n waiting for input)", nullptr, waiting)
                               : tr("Agent Hive"));
}

void MainWindow::onNotify(Notifier::Kind kind,
                          const QString &title,
                          const QString &message,
                          const QString &id)
{
    // In front of the user the status bar is enough; elsewhere the desktop says it (its
    // notification server, or the tray). The id (an agent's or a task's) names the notice: a newer
    // one about the same agent replaces it, and a click on it shows that agent or task.
    if ((isVisible() && isActiveWindow()) || !m_tray->canShowMessages())
        statusBar()->showMessage(tr("%1 — %2").arg(title, message), 8000);
    else
        m_tray->showMessage(title, message, kind == Notifier::Kind::TaskFailed, id);
}

void MainWindow::showNotice(const QString &id)
{
    showAndRaise();
    if (id.isEmpty())
        return;
    if (auto a = m_agents->agent(id)) {
        m_agentPanel->selectAgent(a->id);
        m_terminals->open(*a, false);
    } else if (m_tasks->task(id)) {
        m_taskDock->show();
        m_board->selectTask(id);
    }
}

// ---- what the widgets ask for -------------------------------------------------------------------

void MainWindow::showSpawnDialog()
{
    if (!m_sessions->engine())
        return;
    if (auto *open = findChild<SpawnDialog *>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new SpawnDialog(m_actions->profiles(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setKnownTypes(m_sessions->knownTypes());
    dialog->setTakenNames(m_sessions->takenNames());
    dialog->setDefaultProfile(m_values.defaultProfile);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { spawn(dialog->request()); });
    dialog->open();
}

void MainWindow::spawn(const SpawnDialog::Request &request)
{
    const int count = int(request.names().size());
    // A few new agents are shown at once (several in the grid); a crowd is left to the list.
    const bool show = count <= 4;
    if (show && count > 1)
        m_terminals->setGrid(true);
    statusBar()->showMessage(tr("Spawning %n agent(s)…", nullptr, count), 5000);
    m_actions->spawn(request, show);
}

void MainWindow::showNewTaskDialog()
{
    if (!m_sessions->engine())
        return;
    if (auto *open = findChild<NewTaskDialog *>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new NewTaskDialog(m_tasks, m_sessions->knownTypes(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        Task t = dialog->task();
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_actions->queue(t);
    });
    dialog->open();
}

void MainWindow::showSettings()
{
    if (auto *open = findChild<SettingsDialog *>(); open && open->isVisible()) {
        open->raise();
        return;
    }
    QStringList schemes = QTermWidget::availableColorSchemes();
    schemes.sort(Qt::CaseInsensitive);
    auto *dialog = new SettingsDialog(m_values, m_actions->profileNames(), schemes, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setApiUrl(m_app->apiUrl());
    auto showToken = [dialog](const Result<QString> &token) {
        if (token)
            dialog->setToken(*token);
        else
            dialog->setTokenError(token.error().message);
    };
    m_app->apiToken().then(dialog, showToken);
    connect(dialog, &SettingsDialog::regenerateTokenRequested, this, [this, dialog, showToken] {
        m_app->regenerateApiToken().then(dialog, showToken);
    });
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const SettingsDialog::Values before = m_values;
        m_values = dialog->values();
        m_settings->setValues(m_values, before);
        applySettings();
        if (m_values.needsRestart(before))
            statusBar()->showMessage(
                tr("Saved. The service settings take effect when Agent Hive starts next time."),
                8000);
    });
    dialog->open();
}

void MainWindow::showError(const QString &title, const QString &message)
{
    statusBar()->showMessage(tr("%1: %2").arg(title, message), 10000);
    // One box at a time: a burst of failures (spawning ten agents) adds lines to it.
    if (m_errorBox && m_errorBox->isVisible()) {
        m_errorBox->setInformativeText(m_errorBox->informativeText() + u"\n\n"_s + title + u": "_s
                                       + message);
        return;
    }
    m_errorBox = new QMessageBox(QMessageBox::Warning, title, title, QMessageBox::Ok, this);
    m_errorBox->setObjectName(u"errorBox"_s);
    m_errorBox->setAttribute(Qt::WA_DeleteOnClose);
    m_errorBox->setInformativeText(message);
    m_errorBox->open();
}

void MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(menuBar(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this,
        tr("About Agent Hive"),
        tr("<h3>Agent Hive %1</h3><p>A native control center for fleets of CLI coding agents in "
           "tmux.</p><p>Data directory: %2<br>tmux socket: %3</p>")
            .arg(QStringLiteral(HIVE_VERSION),
                 m_app->config().dataDir.toHtmlEscaped(),
                 m_app->config().tmuxSocket.toHtmlEscaped()));
}

// ---- window and tray ----------------------------------------------------------------------------

void MainWindow::showAndRaise()
{
    if (isMinimized())
        showNormal();
    show();
    raise();
    activateWindow();
    m_tray->setWindowShown(true);
}

void MainWindow::hideToTray()
{
    hide();
    m_tray->setWindowShown(false);
}

void MainWindow::toggleVisible()
{
    if (isVisible() && !isMinimized() && isActiveWindow())
        hideToTray();
    else
        showAndRaise();
}

void MainWindow::quit()
{
    m_quitting = true;
    saveLayout();
    QCoreApplication::quit();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::WindowStateChange || event->type() == QEvent::ActivationChange)
        m_tray->setWindowShown(isVisible() && !isMinimized());
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    if (!m_quitting && m_values.closeToTray && m_tray->isVisible()) {
        // The agents run on without a window; the tray brings it back.
        hideToTray();
        event->ignore();
        if (!m_settings->closeNoticeShown()) {
            m_settings->setCloseNoticeShown(true);
            m_tray->showMessage(
                tr("Agent Hive is still running"),
                tr("It keeps running in the tray with your agents. Quit from the tray menu or "
                   "with %1.")
                    .arg(QKeySequence(QKeySequence::Quit).toString(QKeySequence::NativeText)));
        }
        return;
    }
    event->accept();
    QCoreApplication::quit();
}

void MainWindow::showSearch()
{
    m_searchDock->show();
    m_searchDock->raise();
    m_searchPanel->focusField();
}

void MainWindow::showHit(const SearchHit &hit)
{
    QStringList words;
    for (const SearchHit::Span &m : hit.matches)
        words << hit.snippet.mid(m.start, m.length);
    words.removeDuplicates();
    if (hit.kind == SearchHit::Kind::Log) {
        auto *dialog = new LogChunkDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setLoading(hit.agentName);
        const auto agent = m_agents->agent(hit.agentId);
        dialog->setAgentAlive(agent && agent->isAlive());
        connect(
            dialog, &LogChunkDialog::openTerminalRequested, this, [this, dialog, id = hit.agentId] {
                if (auto a = m_agents->agent(id)) {
                    m_agentPanel->selectAgent(a->id);
                    m_terminals->open(*a, false);
                }
                dialog->accept();
            });
        dialog->show();
        m_search->logText(
            hit.logId,
            [dialog = QPointer(dialog), hit, words](const QString &error, const LogText &text) {
                if (!dialog)
                    return;
                if (!error.isEmpty())
                    dialog->setError(error);
                else
                    dialog->setText(hit.agentName, text.byteOffset, text.text, words);
            });
        return;
    }
    m_taskDock->show();
    m_taskDock->raise();
    const auto select = [this, hit, words] {
        m_board->selectTask(hit.taskId);
        if (hit.kind != SearchHit::Kind::Task)
            m_board->detail()->showFound(words, hit.kind == SearchHit::Kind::Prompt);
    };
    if (m_tasks->rowOf(hit.taskId) >= 0) {
        select();
        return;
    }
    // Older than the pages of history loaded so far: asked for, added, then shown.
    m_sessions->engine()->task(hit.taskId).then(this, [this, hit, select](Result<Task> t) {
        if (!t) {
            statusBar()->showMessage(
                tr("Cannot open the task “%1”: %2").arg(hit.title, t.error().message), 6000);
            return;
        }
        m_tasks->appendOlder({t->toSummary()});
        select();
    });
}

} // namespace Hive
