// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agentmodel.h"
#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "tests/widgets/modelfixtures.h"
#include "widgets/notifier.h"
#include "widgets/taskboard.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Test;

// TaskModel: task.* events (task.created, task.queued, task.assigned, task.started, task.succeeded,
// task.failed, task.cancelled) each change one row; TaskFilterProxy filters by status, type, agent
// and text and sorts numerically where the column is a number. And the notifications they cause.
class tst_TaskModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullLoadResets();
    void lifecycleChangesOneRow();
    void createdInsertsOneRow();
    void removeReindexes();
    void countsAndTypes();
    void displayValues();
    void agentNames();
    void proxyFiltersByStatus();
    void proxyFiltersByTypeAgentAndText();
    void proxySortsNumerically_data();
    void proxySortsNumerically();
    void notifierWaitingInput();
    void notifierFailedAndAllDone();
    void viewAtItsEndAsksForOlder();
};

void tst_TaskModel::fullLoadResets()
{
    TaskModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    const Task a = makeTask(u"a"_s);
    m.setTasks({a, makeTask(u"b"_s, Task::Status::Succeeded), a}); // a duplicate id counts once
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.count(Task::Status::Queued), 1);
    QCOMPARE(m.count(Task::Status::Succeeded), 1);
}

void tst_TaskModel::lifecycleChangesOneRow()
{
    TaskModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Task t = makeTask(u"the one"_s);
    m.setTasks({makeTask(u"first"_s), t, makeTask(u"last"_s)});
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    QSignalSpy status(&m, &TaskModel::taskStatusChanged);
    const QString agentId = newId();
    const QList<std::pair<QString, Task::Status>> steps{
        {u"task.assigned"_s, Task::Status::Assigned},
        {u"task.started"_s, Task::Status::Running},
        {u"task.succeeded"_s, Task::Status::Succeeded}};
    for (const auto &[type, st] : steps) {
        t.status = st;
        t.agentId = agentId;
        if (st == Task::Status::Running)
            t.startedAt = QDateTime::currentDateTimeUtc();
        if (st == Task::Status::Succeeded)
            t.result = TaskResult{0, u"PROMPT:the one"_s, 1234, 0.25};
        QVERIFY(m.applyEvent(taskEvent(type, t)));
    }
    QCOMPARE(changed.size(), 3);
    for (const auto &args : changed) {
        QCOMPARE(args.at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(args.at(1).value<QModelIndex>().row(), 1);
    }
    QCOMPARE(inserted.size() + reset.size(), 0);
    QCOMPARE(status.size(), 3);
    QCOMPARE(m.at(1).status, Task::Status::Succeeded);
    QCOMPARE(m.at(1).result->output, u"PROMPT:the one"_s);
    QCOMPARE(m.count(Task::Status::Succeeded), 1);
    QCOMPARE(m.count(Task::Status::Queued), 2);
}

void tst_TaskModel::createdInsertsOneRow()
{
    TaskModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setTasks({makeTask(u"a"_s)});
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy status(&m, &TaskModel::taskStatusChanged);
    const Task t = makeTask(u"new"_s, Task::Status::Blocked);
    QVERIFY(m.applyEvent(taskEvent(u"task.created"_s, t)));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(status.size(), 1);
    QVERIFY(!status.first().at(1).value<std::optional<Task::Status>>().has_value());
    QCOMPARE(m.rowOf(t.id), 1);
    QVERIFY(!m.applyEvent(agentEvent(u"agent.spawned"_s, makeAgent(u"x"_s))));
}

void tst_TaskModel::removeReindexes()
{
    TaskModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Task a = makeTask(u"a"_s), b = makeTask(u"b"_s), c = makeTask(u"c"_s);
    m.setTasks({a, b, c});
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QVERIFY(m.remove(a.id));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(m.rowOf(b.id), 0);
    QCOMPARE(m.rowOf(c.id), 1);
    QVERIFY(!m.remove(a.id));
}

void tst_TaskModel::countsAndTypes()
{
    TaskModel m;
    m.setTasks({makeTask(u"a"_s, Task::Status::Blocked, u"web"_s),
                makeTask(u"b"_s, Task::Status::Running, u"dev"_s),
                makeTask(u"c"_s, Task::Status::Failed, u"dev"_s)});
    QCOMPARE(m.unfinishedCount(), 2);
    QCOMPARE(m.types(), (QStringList{u"dev"_s, u"web"_s}));
    Task t = makeTask(u"d"_s, Task::Status::Queued, u"ops"_s);
    m.applyEvent(taskEvent(u"task.created"_s, t));
    QCOMPARE(m.unfinishedCount(), 3);
    QCOMPARE(m.types(), (QStringList{u"dev"_s, u"ops"_s, u"web"_s}));
}

void tst_TaskModel::displayValues()
{
    TaskModel m;
    Task t = makeTask(QString(), Task::Status::Failed);
    t.prompt = u"First line of the prompt\nsecond line"_s;
    t.attempts = 2;
    t.maxAttempts = 3;
    t.priority = 7;
    t.startedAt = QDateTime::currentDateTimeUtc().addSecs(-5);
    t.finishedAt = QDateTime::currentDateTimeUtc();
    t.result = TaskResult{1, u"out"_s, 2500, 0.0123};
    t.error = u"exit code 1"_s;
    m.setTasks({t});
    QCOMPARE(m.data(m.index(0, TaskModel::TitleColumn)).toString(), u"First line of the prompt"_s);
    QCOMPARE(m.data(m.index(0, TaskModel::AttemptsColumn)).toString(), u"2 of 3"_s);
    QCOMPARE(m.data(m.index(0, TaskModel::DurationColumn)).toString(), u"2.5 s"_s);
    QCOMPARE(m.data(m.index(0, TaskModel::CostColumn)).toString(), u"$0.0123"_s);
    QCOMPARE(m.data(m.index(0, TaskModel::StatusColumn), Qt::ToolTipRole).toString(),
             u"exit code 1"_s);
    QCOMPARE(m.data(m.index(0, TaskModel::PriorityColumn), TaskModel::SortRole).toInt(), 7);
    QCOMPARE(m.data(m.index(0, 0), TaskModel::FinishedRole).toBool(), true);
}

void tst_TaskModel::agentNames()
{
    AgentModel agents;
    TaskModel tasks;
    tasks.setAgentModel(&agents);
    Agent a = makeAgent(u"worker-7"_s);
    Task t = makeTask(u"t"_s, Task::Status::Running);
    t.agentId = a.id;
    tasks.setTasks({t});
    QCOMPARE(tasks.data(tasks.index(0, TaskModel::AgentColumn)).toString(), a.id.left(8));
    agents.setAgents({a});
    QCOMPARE(tasks.data(tasks.index(0, TaskModel::AgentColumn)).toString(), u"worker-7"_s);
    a.status = Agent::Status::Stopped; // killed: the task still names it
    agents.applyEvent(agentEvent(u"agent.killed"_s, a));
    QCOMPARE(tasks.data(tasks.index(0, TaskModel::AgentColumn)).toString(), u"worker-7"_s);
}

void tst_TaskModel::proxyFiltersByStatus()
{
    TaskModel m;
    TaskFilterProxy p;
    p.setSourceModel(&m);
    QAbstractItemModelTester tester(&p, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Task q = makeTask(u"q"_s);
    m.setTasks({q,
                makeTask(u"b"_s, Task::Status::Blocked),
                makeTask(u"r"_s, Task::Status::Running),
                makeTask(u"s"_s, Task::Status::Succeeded)});
    p.setStatuses({Task::Status::Queued});
    QCOMPARE(p.rowCount(), 1);
    p.setStatuses({Task::Status::Assigned, Task::Status::Running});
    QCOMPARE(p.rowCount(), 1);
    q.status = Task::Status::Assigned;
    m.applyEvent(taskEvent(u"task.assigned"_s, q));
    QCOMPARE(p.rowCount(), 2); // the row moved into the "running" filter
    p.setStatuses({});
    QCOMPARE(p.rowCount(), 4);
}

void tst_TaskModel::proxyFiltersByTypeAgentAndText()
{
    TaskModel m;
    TaskFilterProxy p;
    p.setSourceModel(&m);
    QAbstractItemModelTester tester(&p, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Task a = makeTask(u"Refactor the parser"_s, Task::Status::Running, u"dev"_s);
    a.agentId = newId();
    Task b = makeTask(u"Review the parser"_s, Task::Status::Queued, u"review"_s);
    Task c = makeTask(u"Write docs"_s, Task::Status::Queued, u"dev"_s);
    m.setTasks({a, b, c});
    p.setText(u"parser"_s);
    QCOMPARE(p.rowCount(), 2);
    p.setAgentType(u"dev"_s);
    QCOMPARE(p.rowCount(), 1);
    p.setText({});
    QCOMPARE(p.rowCount(), 2);
    p.setAgentId(a.agentId);
    QCOMPARE(p.rowCount(), 1);
    QCOMPARE(p.taskAt(0).id, a.id);
    p.setAgentId({});
    p.setAgentType({});
    p.setText(c.id.left(8)); // an id prefix
    QCOMPARE(p.rowCount(), 1);
    QCOMPARE(p.taskAt(0).id, c.id);
}

void tst_TaskModel::proxySortsNumerically_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QStringList>("ascending");
    QTest::newRow("priority") << int(TaskModel::PriorityColumn)
                              << QStringList{u"b"_s, u"c"_s, u"a"_s};
    QTest::newRow("cost") << int(TaskModel::CostColumn) << QStringList{u"c"_s, u"a"_s, u"b"_s};
    QTest::newRow("duration") << int(TaskModel::DurationColumn)
                              << QStringList{u"c"_s, u"b"_s, u"a"_s};
    QTest::newRow("status") << int(TaskModel::StatusColumn) << QStringList{u"c"_s, u"a"_s, u"b"_s};
}

void tst_TaskModel::proxySortsNumerically()
{
    QFETCH(int, column);
    QFETCH(QStringList, ascending);
    TaskModel m;
    TaskFilterProxy p;
    p.setSourceModel(&m);
    Task a = makeTask(u"a"_s, Task::Status::Succeeded);
    a.priority = 10;
    a.result = TaskResult{0, {}, 90000, 0.5};
    Task b = makeTask(u"b"_s, Task::Status::Failed);
    b.priority = -2;
    b.result = TaskResult{1, {}, 9000, 2.0};
    Task c = makeTask(u"c"_s, Task::Status::Queued);
    c.priority = 2;
    m.setTasks({a, b, c});
    p.sort(column, Qt::AscendingOrder);
    QStringList titles;
    for (int r = 0; r < p.rowCount(); ++r)
        titles << p.taskAt(r).title;
    QCOMPARE(titles, ascending);
}

void tst_TaskModel::notifierWaitingInput()
{
    AgentModel agents;
    TaskModel tasks;
    Notifier n(&agents, &tasks);
    QSignalSpy notes(&n, &Notifier::notify);
    Agent worker = makeAgent(u"worker"_s);
    Agent chat = makeAgent(u"chat"_s, Agent::Status::Busy, u"dev"_s, true);
    agents.setAgents({worker, chat});
    chat.status = Agent::Status::WaitingInput;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.first().at(0).value<Notifier::Kind>(), Notifier::Kind::WaitingInput);
    QVERIFY(notes.first().at(1).toString().contains(u"chat"_s));
    QCOMPARE(notes.first().at(3).toString(), chat.id);
    agents.applyEvent(agentEvent(u"agent.status"_s, chat)); // still waiting: said once
    QCOMPARE(notes.size(), 1);
    n.setEnabled(false);
    chat.status = Agent::Status::Busy;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    chat.status = Agent::Status::WaitingInput;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 1);
}

void tst_TaskModel::notifierFailedAndAllDone()
{
    AgentModel agents;
    TaskModel tasks;
    Notifier n(&agents, &tasks);
    QSignalSpy notes(&n, &Notifier::notify);
    Task a = makeTask(u"a"_s, Task::Status::Running);
    Task b = makeTask(u"b"_s, Task::Status::Queued);
    tasks.setTasks({a, b});
    QCOMPARE(notes.size(), 0); // a load says nothing
    a.status = Task::Status::Failed;
    a.error = u"exit code 2"_s;
    tasks.applyEvent(taskEvent(u"task.failed"_s, a));
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.at(0).at(0).value<Notifier::Kind>(), Notifier::Kind::TaskFailed);
    QCOMPARE(notes.at(0).at(2).toString(), u"exit code 2"_s);
    b.status = Task::Status::Running;
    tasks.applyEvent(taskEvent(u"task.started"_s, b));
    QCOMPARE(notes.size(), 1);
    b.status = Task::Status::Succeeded;
    tasks.applyEvent(taskEvent(u"task.succeeded"_s, b));
    QCOMPARE(notes.size(), 2);
    QCOMPARE(notes.at(1).at(0).value<Notifier::Kind>(), Notifier::Kind::AllDone);
    QVERIFY(notes.at(1).at(2).toString().startsWith(u"2 task"_s));
}

// History comes a page at a time: the task board scrolled to its end asks the model for more,
// once until the page came — not when it is shown, laid out or sees new rows; older tasks are
// appended without a status notification, tasks the model has are left as they are; when none
// are left, nobody asks.
void tst_TaskModel::viewAtItsEndAsksForOlder()
{
    TaskModel m;
    QList<Task> page;
    for (int i = 0; i < 40; ++i)
        page << makeTask(u"recent %1"_s.arg(i), Task::Status::Succeeded);
    m.setTasks(page);
    m.setHasMore(true);
    QSignalSpy more(&m, &TaskModel::moreRequested);
    QSignalSpy changed(&m, &TaskModel::taskStatusChanged);
    TaskBoard board(&m);
    board.resize(600, 300);
    board.show();
    QVERIFY(QTest::qWaitForWindowExposed(&board));
    auto *view = board.findChild<QTreeView *>(u"taskView"_s);
    QVERIFY(view);
    m.upsert(makeTask(u"new one"_s)); // a row inserted: QTreeView lays itself out again
    QTest::qWait(50);
    QCOMPARE(more.size(), 0); // the end is not in sight
    view->scrollToBottom();
    QTRY_COMPARE(more.size(), 1);
    view->scrollToTop();
    view->scrollToBottom();
    QTest::qWait(50);
    QCOMPARE(more.size(), 1); // asked already: the page is on its way

    Task known = page.first();
    known.status = Task::Status::Failed; // an event said something newer meanwhile
    m.upsert(known);
    changed.clear();
    QList<Task> older{page.first()};
    for (int i = 0; i < 40; ++i)
        older << makeTask(u"older %1"_s.arg(i), Task::Status::Failed);
    m.appendOlder(older);
    m.setHasMore(false);
    QCOMPARE(m.rowCount(), 81);
    QCOMPARE(m.task(known.id)->status, Task::Status::Failed);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m.count(Task::Status::Failed), 41);
    view->scrollToTop();
    view->scrollToBottom();
    QTest::qWait(50);
    QCOMPARE(more.size(), 1);
}

QTEST_MAIN(tst_TaskModel)
#include "tst_taskmodel.moc"
