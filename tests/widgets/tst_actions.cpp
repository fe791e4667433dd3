// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "tests/widgets/modelfixtures.h"
#include "widgets/agentpanel.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/taskboard.h"
#include "widgets/terminalarea.h"
#include "widgets/trayicon.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Test;

// What the agent, task and terminal actions allow, depending on readiness, selection and the
// selected rows' states; and that they emit the right requests.
class tst_Actions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void agentActionsNeedTheEngine();
    void agentActionsFollowTheSelection();
    void agentActionsFollowStatusChanges();
    void killAsksFirst();
    void agentShortcuts();
    void taskActionsFollowTheSelection();
    void taskTabsFilterAndCount();
    void terminalActionsWithoutTerminals();
    void terminalPaneWithoutTmux();
    void attachArguments();
    void trayMenuCountsAndSignals();

private:
    void select(AgentPanel &panel, const QList<int> &proxyRows);
};

void tst_Actions::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_Actions::select(AgentPanel &panel, const QList<int> &proxyRows)
{
    QItemSelectionModel *sel = panel.view()->selectionModel();
    sel->clearSelection();
    for (int r : proxyRows)
        sel->select(panel.proxy()->index(r, 0),
                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void tst_Actions::agentActionsNeedTheEngine()
{
    AgentModel m;
    AgentPanel panel(&m);
    m.setAgents({makeAgent(u"a"_s)});
    QVERIFY(!panel.spawnAction()->isEnabled());
    select(panel, {0});
    QVERIFY(!panel.killAction()->isEnabled());
    QVERIFY(!panel.restartAction()->isEnabled());
    QVERIFY(panel.openTerminalAction()->isEnabled()); // watching needs only tmux
    panel.setReady(true);
    QVERIFY(panel.spawnAction()->isEnabled());
    QVERIFY(panel.killAction()->isEnabled());
    QVERIFY(panel.restartAction()->isEnabled());
}

void tst_Actions::agentActionsFollowTheSelection()
{
    AgentModel m;
    AgentPanel panel(&m);
    panel.setReady(true);
    m.setAgents({makeAgent(u"a"_s),
                 makeAgent(u"b"_s, Agent::Status::Busy),
                 makeAgent(u"c"_s, Agent::Status::Lost)});
    panel.view()->sortByColumn(AgentModel::NameColumn, Qt::AscendingOrder);

    select(panel, {});
    QVERIFY(panel.spawnAction()->isEnabled());
    QVERIFY(!panel.killAction()->isEnabled());
    QVERIFY(!panel.restartAction()->isEnabled());
    QVERIFY(!panel.openTerminalAction()->isEnabled());
    QVERIFY(!panel.attachExternalAction()->isEnabled());

    select(panel, {0}); // a, idle
    QVERIFY(panel.killAction()->isEnabled());
    QVERIFY(panel.restartAction()->isEnabled());
    QVERIFY(panel.openTerminalAction()->isEnabled());
    QVERIFY(panel.attachExternalAction()->isEnabled());
    QVERIFY(panel.killAction()->text().contains(u"Kill"_s));

    select(panel, {0, 1}); // two: one external terminal at a time
    QVERIFY(panel.killAction()->isEnabled());
    QVERIFY(panel.openTerminalAction()->isEnabled());
    QVERIFY(!panel.attachExternalAction()->isEnabled());

    select(panel, {2}); // c, lost: nothing to watch, but it can be removed or restarted
    QVERIFY(panel.killAction()->isEnabled());
    QVERIFY(panel.killAction()->text().contains(u"Remove"_s));
    QVERIFY(panel.restartAction()->isEnabled());
    QVERIFY(!panel.openTerminalAction()->isEnabled());
    QVERIFY(!panel.attachExternalAction()->isEnabled());

    QSignalSpy open(&panel, &AgentPanel::openTerminalRequested);
    select(panel, {0, 2});
    panel.openTerminalAction()->trigger();
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.first().at(0).value<QList<Agent>>().size(), 1); // only the live one
}

void tst_Actions::agentActionsFollowStatusChanges()
{
    AgentModel m;
    AgentPanel panel(&m);
    panel.setReady(true);
    Agent a = makeAgent(u"a"_s);
    m.setAgents({a});
    select(panel, {0});
    QVERIFY(panel.attachExternalAction()->isEnabled());
    a.status = Agent::Status::Lost;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QVERIFY(!panel.attachExternalAction()->isEnabled());
    QVERIFY(!panel.openTerminalAction()->isEnabled());
    a.status = Agent::Status::Stopped;
    m.applyEvent(agentEvent(u"agent.killed"_s, a));
    QCOMPARE(panel.selectedAgents().size(), 0);
    QVERIFY(!panel.killAction()->isEnabled());
}

void tst_Actions::killAsksFirst()
{
    AgentModel m;
    AgentPanel panel(&m);
    panel.setReady(true);
    Agent a = makeAgent(u"busy-one"_s, Agent::Status::Busy);
    a.currentTaskId = newId();
    m.setAgents({a});
    panel.show();
    select(panel, {0});
    QSignalSpy kill(&panel, &AgentPanel::killRequested);
    panel.killAction()->trigger();
    QMessageBox *box = panel.findChild<QMessageBox *>(u"killConfirmation"_s);
    QVERIFY(box);
    QVERIFY(box->text().contains(u"busy-one"_s));
    QVERIFY(box->informativeText().contains(u"goes back to the queue"_s));
    auto roleButton = [](QMessageBox *b, QMessageBox::ButtonRole role) -> QAbstractButton * {
        for (QAbstractButton *button : b->buttons())
            if (b->buttonRole(button) == role)
                return button;
        return nullptr;
    };
    QVERIFY(roleButton(box, QMessageBox::RejectRole));
    QCOMPARE(box->defaultButton(), roleButton(box, QMessageBox::RejectRole)); // Enter does not kill
    roleButton(box, QMessageBox::RejectRole)->click();
    QCOMPARE(kill.size(), 0);
    QTRY_VERIFY(!panel.findChild<QMessageBox *>(u"killConfirmation"_s));

    panel.killAction()->trigger();
    box = panel.findChild<QMessageBox *>(u"killConfirmation"_s);
    QVERIFY(box);
    QVERIFY(roleButton(box, QMessageBox::DestructiveRole));
    roleButton(box, QMessageBox::DestructiveRole)->click();
    QCOMPARE(kill.size(), 1);
    QCOMPARE(kill.first().at(0).value<QList<Agent>>().first().id, a.id);

    QVERIFY(AgentPanel::killQuestion({a, makeAgent(u"x"_s)}).startsWith(u"Kill 2 agent"_s));
    QVERIFY(AgentPanel::killQuestion({makeAgent(u"gone"_s, Agent::Status::Lost)})
                .contains(u"Remove"_s));
}

void tst_Actions::agentShortcuts()
{
    AgentModel m;
    AgentPanel panel(&m);
    QCOMPARE(panel.spawnAction()->shortcut(), QKeySequence(QKeySequence::New));
    QCOMPARE(panel.killAction()->shortcut(), QKeySequence(QKeySequence::Delete));
    QCOMPARE(panel.openTerminalAction()->shortcut(), QKeySequence(QKeySequence::Open));
    for (QAction *a : panel.actions())
        QVERIFY2(!a->shortcut().isEmpty(), qPrintable(a->text()));

    // Delete in the list asks to kill (the keyboard alone is enough).
    panel.setReady(true);
    m.setAgents({makeAgent(u"k"_s)});
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.view()->setFocus();
    panel.view()->setCurrentIndex(panel.proxy()->index(0, 0));
    QTest::keyClick(panel.view(), Qt::Key_Delete);
    QTRY_VERIFY(panel.findChild<QMessageBox *>(u"killConfirmation"_s));
    panel.findChild<QMessageBox *>(u"killConfirmation"_s)->reject();

    // Enter opens the terminal.
    QSignalSpy open(&panel, &AgentPanel::openTerminalRequested);
    panel.view()->setFocus();
    QTest::keyClick(panel.view(), Qt::Key_Return);
    QTRY_COMPARE(open.size(), 1);
}

void tst_Actions::taskActionsFollowTheSelection()
{
    TaskModel m;
    TaskBoard board(&m);
    Task queued = makeTask(u"queued"_s);
    Task failed = makeTask(u"failed"_s, Task::Status::Failed);
    Task done = makeTask(u"done"_s, Task::Status::Succeeded);
    m.setTasks({queued, failed, done});
    QVERIFY(!board.newTaskAction()->isEnabled());
    board.setReady(true);
    QVERIFY(board.newTaskAction()->isEnabled());
    QVERIFY(!board.cancelAction()->isEnabled());
    QVERIFY(!board.retryAction()->isEnabled());

    board.selectTask(queued.id);
    QVERIFY(board.cancelAction()->isEnabled());
    QVERIFY(!board.retryAction()->isEnabled());
    board.selectTask(failed.id);
    QVERIFY(!board.cancelAction()->isEnabled());
    QVERIFY(board.retryAction()->isEnabled());
    board.selectTask(done.id);
    QVERIFY(!board.cancelAction()->isEnabled());
    QVERIFY(!board.retryAction()->isEnabled());

    // The state of a selected task changes: so do the actions.
    board.selectTask(queued.id);
    QSignalSpy cancel(&board, &TaskBoard::cancelRequested);
    board.cancelAction()->trigger();
    QCOMPARE(cancel.size(), 1);
    QCOMPARE(cancel.first().at(0).toStringList(), QStringList{queued.id});
    queued.status = Task::Status::Cancelled;
    m.applyEvent(taskEvent(u"task.cancelled"_s, queued));
    QVERIFY(!board.cancelAction()->isEnabled());
    QVERIFY(board.retryAction()->isEnabled());
    QSignalSpy retry(&board, &TaskBoard::retryRequested);
    board.retryAction()->trigger();
    QCOMPARE(retry.first().at(0).toStringList(), QStringList{queued.id});
}

void tst_Actions::taskTabsFilterAndCount()
{
    TaskModel m;
    TaskBoard board(&m);
    m.setTasks({makeTask(u"q1"_s),
                makeTask(u"q2"_s),
                makeTask(u"r"_s, Task::Status::Running),
                makeTask(u"a"_s, Task::Status::Assigned),
                makeTask(u"f"_s, Task::Status::Failed)});
    QCOMPARE(board.tabBar()->tabText(int(TaskBoard::Tab::All)), u"All (5)"_s);
    QCOMPARE(board.tabBar()->tabText(int(TaskBoard::Tab::Queued)), u"Queued (2)"_s);
    QCOMPARE(board.tabBar()->tabText(int(TaskBoard::Tab::Running)), u"Running (2)"_s);
    QCOMPARE(board.tabBar()->tabText(int(TaskBoard::Tab::Blocked)), u"Blocked"_s);
    board.setCurrentTab(TaskBoard::Tab::Running);
    QCOMPARE(board.proxy()->rowCount(), 2);
    board.setCurrentTab(TaskBoard::Tab::Failed);
    QCOMPARE(board.proxy()->rowCount(), 1);
    m.applyEvent(taskEvent(u"task.failed"_s, makeTask(u"f2"_s, Task::Status::Failed)));
    QCOMPARE(board.proxy()->rowCount(), 2);
    QCOMPARE(board.tabBar()->tabText(int(TaskBoard::Tab::Failed)), u"Failed (2)"_s);
    // Selecting a task of another tab shows every task.
    const QString queued = m.at(0).id;
    board.selectTask(queued);
    QCOMPARE(board.currentTab(), TaskBoard::Tab::All);
    QCOMPARE(board.currentTaskId(), queued);
}

void tst_Actions::terminalActionsWithoutTerminals()
{
    TerminalArea area;
    QVERIFY(!area.closeAction()->isEnabled());
    QVERIFY(!area.keyboardAction()->isEnabled());
    QVERIFY(!area.copyAction()->isEnabled());
    QVERIFY(!area.pasteAction()->isEnabled());
    QVERIFY(!area.findAction()->isEnabled());
    QVERIFY(!area.nextAction()->isEnabled());
    QVERIFY(area.zoomInAction()->isEnabled());
    for (QAction *a : area.actions())
        QVERIFY2(!a->shortcuts().isEmpty(), qPrintable(a->text()));
    QVERIFY(!area.colorSchemeMenu()->actions().isEmpty());
}

void tst_Actions::terminalPaneWithoutTmux()
{
    TerminalArea area;
    area.setTmux(u"/nonexistent/tmux"_s, u"nosocket"_s);
    TerminalPane *p = area.open(makeAgent(u"nowhere"_s), true);
    QVERIFY(p);
    // Panes attach once the event loop runs (only those shown are attached).
    QTRY_VERIFY(p->errorText().contains(u"tmux was not found"_s));
    QVERIFY(!p->terminal()); // no QTermWidget quietly running a shell instead
    QVERIFY(area.closeAction()->isEnabled());
    QVERIFY(!area.keyboardAction()->isEnabled());
    QSignalSpy count(&area, &TerminalArea::countChanged);
    area.closeAction()->trigger();
    QCOMPARE(count.size(), 1);
    QCOMPARE(area.panes().size(), 0);
    QVERIFY(!area.closeAction()->isEnabled());
}

void tst_Actions::attachArguments()
{
    TerminalPane::Target t;
    t.socket = u"hive"_s;
    t.session = u"web-1"_s;
    // The status line off for the session first (the pane's header says it all), then attach.
    QCOMPARE(TerminalPane::attachArguments(t, true),
             (QStringList{u"-u"_s,
                          u"-L"_s,
                          u"hive"_s,
                          u"set-option"_s,
                          u"-t"_s,
                          u"=web-1:"_s,
                          u"status"_s,
                          u"off"_s,
                          u";"_s,
                          u"attach-session"_s,
                          u"-t"_s,
                          u"=web-1"_s,
                          u"-f"_s,
                          u"read-only"_s}));
    QCOMPARE(TerminalPane::attachArguments(t, false).last(), u"=web-1"_s);
    const QStringList env = TerminalPane::attachEnvironment();
    QVERIFY(env.contains(u"TERM=xterm-256color"_s));
    QVERIFY(env.contains(u"TMUX="_s));
}

void tst_Actions::trayMenuCountsAndSignals()
{
    AgentModel m;
    TrayIcon tray(&m);
    QCOMPARE(TrayIcon::summary(&m), u"No agents"_s);
    Agent a = makeAgent(u"a"_s, Agent::Status::Busy);
    m.setAgents(
        {a, makeAgent(u"b"_s), makeAgent(u"c"_s, Agent::Status::WaitingInput, u"dev"_s, true)});
    const QString summary = TrayIcon::summary(&m);
    QVERIFY2(summary.contains(u"1 working"_s) && summary.contains(u"1 idle"_s)
                 && summary.contains(u"1 waiting for input"_s),
             qPrintable(summary));
    QStringList visible;
    for (QAction *act : tray.menu()->actions())
        if (act->isVisible() && !act->isSeparator())
            visible << act->text();
    QVERIFY(visible.contains(u"Working: 1"_s));
    QVERIFY(visible.contains(u"Waiting for input: 1"_s));
    QVERIFY(!visible.contains(u"Lost: 0"_s));
    tray.setQuickSpawnProfiles({u"claude"_s, u"aider"_s});
    QSignalSpy quick(&tray, &TrayIcon::quickSpawnRequested);
    QSignalSpy quit(&tray, &TrayIcon::quitRequested);
    for (QAction *act : tray.menu()->actions()) {
        if (act->menu())
            act->menu()->actions().at(1)->trigger();
        if (act->text().contains(u"Quit"_s))
            act->trigger();
    }
    QCOMPARE(quick.size(), 1);
    QCOMPARE(quick.first().at(0).toString(), u"aider"_s);
    QCOMPARE(quit.size(), 1);
}

QTEST_MAIN(tst_Actions)
#include "tst_actions.moc"
