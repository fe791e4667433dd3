// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "tests/widgets/modelfixtures.h"
#include "widgets/notifier.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Test;

// AgentModel: fed by agent.* events one row at a time (insert, exactly-one-row dataChanged,
// remove), reset only by a full load; AgentFilterProxy filters by status, type and text and sorts.
class tst_AgentModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullLoadResetsAndLeavesStoppedOut();
    void spawnedInsertsOneRow();
    void statusChangesExactlyThatRow();
    void killedRemovesTheRow();
    void lostStaysWithItsStatus();
    void otherEventsAreIgnored();
    void countsFollowEvents();
    void statusChangedSignal();
    void dataRoles();
    void needIsShown();
    void needChangedSignal();
    void notificationSaysTheNeed();
    void currentTaskTitleFromTheTaskModel();
    void proxyFiltersByStatus();
    void proxyFiltersByTypeAndText();
    void proxyFollowsEvents();
    void proxySorts_data();
    void proxySorts();
};

void tst_AgentModel::fullLoadResetsAndLeavesStoppedOut()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    const Agent a = makeAgent(u"alpha"_s);
    const Agent b = makeAgent(u"beta"_s, Agent::Status::Stopped);
    const Agent c = makeAgent(u"gamma"_s, Agent::Status::Lost);
    m.setAgents({a, b, c});
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.rowOf(a.id), 0);
    QCOMPARE(m.rowOf(b.id), -1);
    QCOMPARE(m.rowOf(c.id), 1);
    QCOMPARE(m.nameOf(b.id), u"beta"_s); // names of gone agents stay known (task board)
    QCOMPARE(m.columnCount(), int(AgentModel::ColumnCount));
}

void tst_AgentModel::spawnedInsertsOneRow()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setAgents({makeAgent(u"alpha"_s)});
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    const Agent b = makeAgent(u"beta"_s, Agent::Status::Starting);
    QVERIFY(m.applyEvent(agentEvent(u"agent.spawned"_s, b)));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.data(m.index(1, AgentModel::NameColumn)).toString(), u"beta"_s);
}

void tst_AgentModel::statusChangesExactlyThatRow()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Agent a = makeAgent(u"alpha"_s);
    Agent b = makeAgent(u"beta"_s);
    Agent c = makeAgent(u"gamma"_s);
    m.setAgents({a, b, c});
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    b.status = Agent::Status::Busy;
    b.currentTaskId = newId();
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, b)));
    QCOMPARE(changed.size(), 1);
    const auto tl = changed.first().at(0).value<QModelIndex>();
    const auto br = changed.first().at(1).value<QModelIndex>();
    QCOMPARE(tl.row(), 1);
    QCOMPARE(br.row(), 1);
    QCOMPARE(tl.column(), 0);
    QCOMPARE(br.column(), AgentModel::ColumnCount - 1);
    QCOMPARE(inserted.size() + removed.size() + reset.size(), 0);
    QCOMPARE(m.data(m.index(1, AgentModel::StatusColumn)).toString(),
             AgentModel::statusLabel(Agent::Status::Busy));
    QCOMPARE(m.data(m.index(1, AgentModel::StatusColumn), AgentModel::StatusRole).toInt(),
             int(Agent::Status::Busy));
}

void tst_AgentModel::killedRemovesTheRow()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Agent a = makeAgent(u"alpha"_s);
    Agent b = makeAgent(u"beta"_s);
    Agent c = makeAgent(u"gamma"_s);
    m.setAgents({a, b, c});
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    b.status = Agent::Status::Stopped;
    QVERIFY(m.applyEvent(agentEvent(u"agent.killed"_s, b)));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().at(1).toInt(), 1);
    QCOMPARE(m.rowCount(), 2);
    // The id → row index follows the rows that moved up.
    QCOMPARE(m.rowOf(a.id), 0);
    QCOMPARE(m.rowOf(c.id), 1);
    QCOMPARE(m.rowOf(b.id), -1);
    QCOMPARE(m.at(1).name, u"gamma"_s);
    // A second kill of the same agent changes nothing.
    QVERIFY(!m.applyEvent(agentEvent(u"agent.killed"_s, b)));
    QCOMPARE(removed.size(), 1);
    // And an update of the moved row reaches the right row.
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    c.status = Agent::Status::Busy;
    m.applyEvent(agentEvent(u"agent.status"_s, c));
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 1);
}

void tst_AgentModel::lostStaysWithItsStatus()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Agent a = makeAgent(u"alpha"_s);
    m.setAgents({a});
    a.status = Agent::Status::Lost;
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, a)));
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(m.at(0).status, Agent::Status::Lost);
    QCOMPARE(m.data(m.index(0, 0), AgentModel::AliveRole).toBool(), false);
    QVERIFY(m.remove(a.id));
    QCOMPARE(m.rowCount(), 0);
}

void tst_AgentModel::otherEventsAreIgnored()
{
    AgentModel m;
    m.setAgents({makeAgent(u"alpha"_s)});
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QVERIFY(!m.applyEvent(taskEvent(u"task.created"_s, makeTask(u"t"_s))));
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m.rowCount(), 1);
}

void tst_AgentModel::countsFollowEvents()
{
    AgentModel m;
    QSignalSpy counts(&m, &AgentModel::countsChanged);
    Agent a = makeAgent(u"alpha"_s);
    Agent b = makeAgent(u"beta"_s, Agent::Status::Busy);
    m.setAgents({a, b});
    QCOMPARE(m.count(Agent::Status::Idle), 1);
    QCOMPARE(m.count(Agent::Status::Busy), 1);
    a.status = Agent::Status::WaitingInput;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(m.count(Agent::Status::Idle), 0);
    QCOMPARE(m.count(Agent::Status::WaitingInput), 1);
    b.status = Agent::Status::Stopped;
    m.applyEvent(agentEvent(u"agent.killed"_s, b));
    QCOMPARE(m.count(Agent::Status::Busy), 0);
    QCOMPARE(m.count(Agent::Status::Stopped), 0);
    QVERIFY(counts.size() >= 3);
    QCOMPARE(m.types(), QStringList{u"dev"_s});
}

void tst_AgentModel::statusChangedSignal()
{
    AgentModel m;
    Agent a = makeAgent(u"alpha"_s, Agent::Status::Idle, u"dev"_s, true);
    m.setAgents({a});
    QSignalSpy spy(&m, &AgentModel::agentStatusChanged);
    a.status = Agent::Status::WaitingInput;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.first().at(0).value<Agent>().status, Agent::Status::WaitingInput);
    QCOMPARE(spy.first().at(1).value<Agent::Status>(), Agent::Status::Idle);
    // The same status again (a heartbeat) is no status change.
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(spy.size(), 1);
}

void tst_AgentModel::dataRoles()
{
    AgentModel m;
    const Agent a = makeAgent(u"alpha"_s, Agent::Status::Idle, u"review"_s, true);
    m.setAgents({a});
    QCOMPARE(m.data(m.index(0, 0), AgentModel::IdRole).toString(), a.id);
    QCOMPARE(m.data(m.index(0, 0), AgentModel::AgentRole).value<Agent>().name, a.name);
    QCOMPARE(m.data(m.index(0, AgentModel::TypeColumn)).toString(), u"review"_s);
    QCOMPARE(m.data(m.index(0, AgentModel::ProfileColumn)).toString(), u"claude-interactive"_s);
    QVERIFY(m.data(m.index(0, AgentModel::ProfileColumn), Qt::ToolTipRole)
                .toString()
                .contains(u"interactive"_s));
    QCOMPARE(m.data(m.index(0, AgentModel::UptimeColumn)).toString(), u"1 min 30 s"_s);
    QCOMPARE(m.data(m.index(0, AgentModel::UptimeColumn), AgentModel::SortRole).toLongLong(), 90);
    QCOMPARE(m.headerData(AgentModel::StatusColumn, Qt::Horizontal).toString(), u"Status"_s);
    QCOMPARE(AgentModel::formatDuration(3 * 3600 + 120), u"3 h 02 min"_s);
    QCOMPARE(AgentModel::formatDuration(2 * 86400 + 3600), u"2 d 1 h"_s);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    m.refreshUptime();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().column(), int(AgentModel::UptimeColumn));
}

// An agent waiting for input says what for: the need in the task column (interactive agents
// take no tasks), in the tooltips and in NeedRole; it goes when the agent stops waiting.
void tst_AgentModel::needIsShown()
{
    AgentModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Agent a = makeAgent(u"chat"_s, Agent::Status::Busy, u"dev"_s, true);
    m.setAgents({a, makeAgent(u"worker"_s)});
    const QModelIndex task = m.index(0, AgentModel::TaskColumn);
    const QModelIndex status = m.index(0, AgentModel::StatusColumn);
    QCOMPARE(m.data(task).toString(), QString());
    QCOMPARE(m.data(task, AgentModel::NeedRole).toString(), QString());
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    a.status = Agent::Status::WaitingInput;
    a.need = u"Claude needs your permission to use Write (x.txt)"_s;
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, a)));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(m.data(status).toString(),
             AgentModel::statusLabel(Agent::Status::WaitingInput)); // the badge
    QCOMPARE(m.data(task).toString(), a.need);
    QCOMPARE(m.data(status, AgentModel::NeedRole).toString(), a.need);
    QVERIFY(m.data(task, Qt::ToolTipRole).toString().contains(a.need));
    QVERIFY(m.data(status, Qt::ToolTipRole).toString().contains(a.need));
    QVERIFY(m.data(task, Qt::FontRole).value<QFont>().italic());
    QCOMPARE(m.data(task, AgentModel::SortRole).toString(), a.need.toLower());
    // Another question while still waiting: the row changes, the need with it.
    a.need = u"Overwrite file? (y/n)"_s;
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, a)));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(m.data(task).toString(), u"Overwrite file? (y/n)"_s);
    // Answered: busy again, no need shown (a stale need left on the value is not shown either).
    a.status = Agent::Status::Busy;
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, a)));
    QCOMPARE(m.data(task).toString(), QString());
    QCOMPARE(m.data(task, AgentModel::NeedRole).toString(), QString());
    QVERIFY(!m.data(task, Qt::FontRole).isValid());
    QVERIFY(!m.data(status, Qt::ToolTipRole).toString().contains(u"Overwrite"_s));
    // Waiting without words (a CLI the pane watcher cannot read): the task column stays as it was.
    a.status = Agent::Status::WaitingInput;
    a.need.clear();
    QVERIFY(m.applyEvent(agentEvent(u"agent.status"_s, a)));
    QCOMPARE(m.data(task).toString(), QString());
}

void tst_AgentModel::needChangedSignal()
{
    AgentModel m;
    Agent a = makeAgent(u"chat"_s, Agent::Status::WaitingInput, u"dev"_s, true);
    a.need = u"Claude Code asks whether you trust this folder"_s;
    m.setAgents({a});
    QSignalSpy status(&m, &AgentModel::agentStatusChanged);
    QSignalSpy need(&m, &AgentModel::agentNeedChanged);
    m.applyEvent(agentEvent(u"agent.status"_s, a)); // the same again: nothing
    QCOMPARE(need.size(), 0);
    a.need = u"Claude needs your permission to use Write (x.txt)"_s;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(status.size(), 0);
    QCOMPARE(need.size(), 1);
    QCOMPARE(need.first().at(0).value<Agent>().need, a.need);
    QCOMPARE(need.first().at(1).toString(), u"Claude Code asks whether you trust this folder"_s);
    a.status = Agent::Status::Busy; // a status change says so itself, not as a need change
    a.need.clear();
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(status.size(), 1);
    QCOMPARE(need.size(), 1);
}

// The notification names the agent and says what it waits for; a new need while still waiting
// (trust question, then a permission question) is said again.
void tst_AgentModel::notificationSaysTheNeed()
{
    AgentModel agents;
    TaskModel tasks;
    Notifier n(&agents, &tasks);
    QSignalSpy notes(&n, &Notifier::notify);
    Agent chat = makeAgent(u"chat"_s, Agent::Status::Busy, u"dev"_s, true);
    Agent worker = makeAgent(u"worker"_s, Agent::Status::Busy);
    agents.setAgents({chat, worker});
    chat.status = Agent::Status::WaitingInput;
    chat.need = u"Claude Code asks whether you trust this folder"_s;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.at(0).at(0).value<Notifier::Kind>(), Notifier::Kind::WaitingInput);
    QCOMPARE(notes.at(0).at(1).toString(), u"chat is waiting for you"_s);
    QCOMPARE(notes.at(0).at(2).toString(), chat.need);
    QCOMPARE(notes.at(0).at(3).toString(), chat.id);
    agents.applyEvent(agentEvent(u"agent.status"_s, chat)); // the same need: said once
    QCOMPARE(notes.size(), 1);
    chat.need = u"Claude needs your permission to use Write (x.txt)"_s;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 2);
    QCOMPARE(notes.at(1).at(1).toString(), u"chat is waiting for you"_s);
    QCOMPARE(notes.at(1).at(2).toString(), chat.need);
    chat.need.clear(); // words gone while waiting: nothing new to say
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 2);
    // Waiting without words: the notification still comes, with a general body.
    chat.status = Agent::Status::Busy;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    chat.status = Agent::Status::WaitingInput;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 3);
    QVERIFY(!notes.at(2).at(2).toString().isEmpty());
    // Workers are not notified; nor anyone while notifications are off.
    worker.status = Agent::Status::WaitingInput;
    worker.need = u"Proceed? (y/n)"_s;
    agents.applyEvent(agentEvent(u"agent.status"_s, worker));
    n.setEnabled(false);
    chat.need = u"Overwrite file? (y/n)"_s;
    agents.applyEvent(agentEvent(u"agent.status"_s, chat));
    QCOMPARE(notes.size(), 3);
}

void tst_AgentModel::currentTaskTitleFromTheTaskModel()
{
    AgentModel agents;
    TaskModel tasks;
    agents.setTaskModel(&tasks);
    const Task t = makeTask(u"Fix the login page"_s, Task::Status::Running);
    Agent a = makeAgent(u"alpha"_s, Agent::Status::Busy);
    a.currentTaskId = t.id;
    agents.setAgents({a});
    QCOMPARE(agents.data(agents.index(0, AgentModel::TaskColumn)).toString(), t.id.left(8));
    tasks.setTasks({t});
    QCOMPARE(agents.data(agents.index(0, AgentModel::TaskColumn)).toString(),
             u"Fix the login page"_s);
}

void tst_AgentModel::proxyFiltersByStatus()
{
    AgentModel m;
    AgentFilterProxy p;
    p.setSourceModel(&m);
    QAbstractItemModelTester tester(&p, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setAgents({makeAgent(u"a"_s),
                 makeAgent(u"b"_s, Agent::Status::Busy),
                 makeAgent(u"c"_s, Agent::Status::Lost),
                 makeAgent(u"d"_s, Agent::Status::Busy)});
    QCOMPARE(p.rowCount(), 4);
    p.setStatuses({Agent::Status::Busy});
    QCOMPARE(p.rowCount(), 2);
    p.setStatuses({Agent::Status::Busy, Agent::Status::Lost});
    QCOMPARE(p.rowCount(), 3);
    p.setStatuses({});
    QCOMPARE(p.rowCount(), 4);
}

void tst_AgentModel::proxyFiltersByTypeAndText()
{
    AgentModel m;
    AgentFilterProxy p;
    p.setSourceModel(&m);
    QAbstractItemModelTester tester(&p, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setAgents({makeAgent(u"web-1"_s),
                 makeAgent(u"web-2"_s, Agent::Status::Idle, u"review"_s),
                 makeAgent(u"db-1"_s, Agent::Status::Idle, u"review"_s)});
    p.setAgentType(u"review"_s);
    QCOMPARE(p.rowCount(), 2);
    p.setText(u"WEB"_s); // case-insensitive, over name, type, profile, folder
    QCOMPARE(p.rowCount(), 1);
    QCOMPARE(p.agentAt(0).name, u"web-2"_s);
    p.setAgentType({});
    QCOMPARE(p.rowCount(), 2);
    p.setText(u"/tmp/workspace/db"_s);
    QCOMPARE(p.rowCount(), 1);
    p.setText({});
    QCOMPARE(p.rowCount(), 3);
}

void tst_AgentModel::proxyFollowsEvents()
{
    AgentModel m;
    AgentFilterProxy p;
    p.setSourceModel(&m);
    QAbstractItemModelTester tester(&p, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Agent a = makeAgent(u"alpha"_s);
    m.setAgents({a, makeAgent(u"beta"_s)});
    p.setStatuses({Agent::Status::WaitingInput});
    QCOMPARE(p.rowCount(), 0);
    a.status = Agent::Status::WaitingInput;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(p.rowCount(), 1); // dynamic filtering: the row enters the filtered view
    a.status = Agent::Status::Busy;
    m.applyEvent(agentEvent(u"agent.status"_s, a));
    QCOMPARE(p.rowCount(), 0);
    p.setStatuses({});
    m.applyEvent(agentEvent(u"agent.spawned"_s, makeAgent(u"gamma"_s, Agent::Status::Starting)));
    QCOMPARE(p.rowCount(), 3);
}

void tst_AgentModel::proxySorts_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QStringList>("ascending");
    QTest::newRow("name") << int(AgentModel::NameColumn)
                          << QStringList{u"alpha"_s, u"Beta"_s, u"gamma"_s};
    QTest::newRow("status") << int(AgentModel::StatusColumn)
                            << QStringList{u"gamma"_s, u"alpha"_s, u"Beta"_s};
    QTest::newRow("uptime") << int(AgentModel::UptimeColumn)
                            << QStringList{u"Beta"_s, u"gamma"_s, u"alpha"_s};
}

void tst_AgentModel::proxySorts()
{
    QFETCH(int, column);
    QFETCH(QStringList, ascending);
    AgentModel m;
    AgentFilterProxy p;
    p.setSourceModel(&m);
    Agent a = makeAgent(u"alpha"_s, Agent::Status::Busy);
    a.createdAt = QDateTime::currentDateTimeUtc().addSecs(-3000);
    Agent b = makeAgent(u"Beta"_s, Agent::Status::WaitingInput);
    b.createdAt = QDateTime::currentDateTimeUtc().addSecs(-10);
    Agent c = makeAgent(u"gamma"_s, Agent::Status::Starting);
    c.createdAt = QDateTime::currentDateTimeUtc().addSecs(-100);
    m.setAgents({c, a, b});
    p.sort(column, Qt::AscendingOrder);
    QStringList names;
    for (int r = 0; r < p.rowCount(); ++r)
        names << p.agentAt(r).name;
    QCOMPARE(names, ascending);
}

QTEST_MAIN(tst_AgentModel)
#include "tst_agentmodel.moc"
