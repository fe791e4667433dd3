// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// The GUI's item models under the load the issue names (50 agents, 10,000 tasks): the time of one
// event's update, of a full load, and of sorting and filtering through the proxies, each with the
// proxies attached as in the window and once more with the views (QTreeView) on top. Prints
// figures (median and worst of the repetitions); it asserts nothing.
#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "models/event.h"
#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/statusbadgedelegate.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

constexpr int kAgents = 50;
constexpr int kTasks = 10000;

QList<Agent> makeAgents()
{
    QList<Agent> out;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < kAgents; ++i) {
        Agent a;
        a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        a.name = u"agent-%1"_s.arg(i, 2, 10, QChar(u'0'));
        a.type = i % 3 == 0 ? u"review"_s : u"dev"_s;
        a.profile = i % 5 == 0 ? u"claude-interactive"_s : u"claude"_s;
        a.interactive = i % 5 == 0;
        a.status = static_cast<Agent::Status>(i % 5); // starting … stopped: a mix
        if (a.status == Agent::Status::Stopped)
            a.status = Agent::Status::Idle;
        a.tmuxSession = a.name;
        a.workdir = u"/home/me/hive/workspace/"_s + a.name;
        a.createdAt = now.addSecs(-60 * i);
        out << a;
    }
    return out;
}

QList<Task> makeTasks(const QList<Agent> &agents)
{
    QList<Task> out;
    out.reserve(kTasks);
    auto *rng = QRandomGenerator::global();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < kTasks; ++i) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.title = u"Task %1: refactor module %2"_s.arg(i).arg(rng->bounded(500));
        t.prompt = t.title + u"\nPlease keep the public API and add tests."_s;
        t.agentType = i % 3 == 0 ? u"review"_s : u"dev"_s;
        t.priority = int(rng->bounded(10));
        t.status = static_cast<Task::Status>(rng->bounded(7));
        t.attempts = 1;
        t.createdAt = now.addSecs(-i * 7);
        if (t.status != Task::Status::Queued && t.status != Task::Status::Blocked) {
            t.agentId = agents.at(i % agents.size()).id;
            t.startedAt = t.createdAt.addSecs(3);
        }
        if (t.isFinished()) {
            t.finishedAt = t.startedAt.addSecs(rng->bounded(600));
            t.result = TaskResult{t.status == Task::Status::Succeeded ? 0 : 1,
                                  u"output line\n"_s.repeated(20),
                                  rng->bounded(600000),
                                  rng->bounded(1.0)};
        }
        out << t;
    }
    return out;
}

struct Figures
{
    double medianUs = 0;
    double worstUs = 0;
};

Figures measure(int repetitions, const std::function<void(int)> &body)
{
    QList<double> us;
    us.reserve(repetitions);
    for (int i = 0; i < repetitions; ++i) {
        QElapsedTimer t;
        t.start();
        body(i);
        us << double(t.nsecsElapsed()) / 1000.0;
    }
    std::sort(us.begin(), us.end());
    return {us.at(us.size() / 2), us.last()};
}

void print(const char *what, const Figures &f)
{
    if (f.medianUs >= 1000)
        std::printf("  %-62s median %9.2f ms   worst %9.2f ms\n",
                    what,
                    f.medianUs / 1000,
                    f.worstUs / 1000);
    else
        std::printf("  %-62s median %9.1f µs   worst %9.1f µs\n", what, f.medianUs, f.worstUs);
}

// The board's state tabs, one after the other.
QSet<Task::Status> tabStatuses(int i)
{
    switch (i % 7) {
    case 0:
        return {Task::Status::Blocked};
    case 1:
        return {Task::Status::Queued};
    case 2:
        return {Task::Status::Assigned, Task::Status::Running};
    case 3:
        return {Task::Status::Succeeded};
    case 4:
        return {Task::Status::Failed};
    case 5:
        return {Task::Status::Cancelled};
    default:
        return {};
    }
}

void run(bool withViews)
{
    std::printf("\n%s\n",
                withViews ? "models + proxies + views (QTreeView, badge delegate; not shown)"
                          : "models + sorted proxies");
    AgentModel agents;
    TaskModel tasks;
    agents.setTaskModel(&tasks);
    tasks.setAgentModel(&agents);
    AgentFilterProxy agentProxy;
    agentProxy.setSourceModel(&agents);
    agentProxy.sort(AgentModel::NameColumn);
    TaskFilterProxy taskProxy;
    taskProxy.setSourceModel(&tasks);
    taskProxy.sort(TaskModel::CreatedColumn, Qt::DescendingOrder);
    std::unique_ptr<PlaceholderTreeView> agentView;
    std::unique_ptr<PlaceholderTreeView> taskView;
    if (withViews) {
        agentView = std::make_unique<PlaceholderTreeView>();
        agentView->setModel(&agentProxy);
        agentView->setItemDelegateForColumn(
            AgentModel::StatusColumn,
            new StatusBadgeDelegate(
                StatusBadgeDelegate::Kind::Agent, AgentModel::StatusRole, agentView.get()));
        taskView = std::make_unique<PlaceholderTreeView>();
        taskView->setModel(&taskProxy);
        taskView->setItemDelegateForColumn(TaskModel::StatusColumn,
                                           new StatusBadgeDelegate(StatusBadgeDelegate::Kind::Task,
                                                                   TaskModel::StatusRole,
                                                                   taskView.get()));
        agentView->resize(640, 400);
        taskView->resize(900, 300);
    }

    const QList<Agent> agentList = makeAgents();
    const QList<Task> taskList = makeTasks(agentList);

    print("full load: 50 agents (setAgents, reset)",
          measure(20, [&](int) { agents.setAgents(agentList); }));
    print("full load: 10,000 tasks (setTasks, reset, proxy sorts)",
          measure(10, [&](int) { tasks.setTasks(taskList); }));

    // One event: a task changes state (one row's dataChanged; the proxy re-sorts/filters that row).
    auto *rng = QRandomGenerator::global();
    print("one event: task.* on a known task (dataChanged of one row)", measure(2000, [&](int i) {
              Task t = taskList.at(int(rng->bounded(kTasks)));
              t.status = static_cast<Task::Status>(i % 7);
              tasks.applyEvent(Event::forTask(u"task.started"_s, t));
          }));
    taskProxy.setStatuses({Task::Status::Running, Task::Status::Assigned});
    print("one event: task.* with a status filter on (row enters/leaves)",
          measure(2000, [&](int i) {
              Task t = taskList.at(int(rng->bounded(kTasks)));
              t.status = i % 2 ? Task::Status::Running : Task::Status::Succeeded;
              tasks.applyEvent(Event::forTask(u"task.started"_s, t));
          }));
    taskProxy.setStatuses({});
    print("one event: task.created (a new row)", measure(1000, [&](int) {
              Task t = taskList.first();
              t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
              tasks.applyEvent(Event::forTask(u"task.created"_s, t));
          }));
    print("one event: agent.status (dataChanged of one row)", measure(2000, [&](int i) {
              Agent a = agentList.at(i % kAgents);
              a.status = i % 2 ? Agent::Status::Busy : Agent::Status::Idle;
              agents.applyEvent(Event::forAgent(u"agent.status"_s, a));
          }));
    print("one event: agent.spawned + agent.killed (insert, remove)", measure(500, [&](int i) {
              Agent a = agentList.at(i % kAgents);
              a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
              agents.applyEvent(Event::forAgent(u"agent.spawned"_s, a));
              a.status = Agent::Status::Stopped;
              agents.applyEvent(Event::forAgent(u"agent.killed"_s, a));
          }));
    print("uptime tick: refreshUptime() over 50 agents",
          measure(200, [&](int) { agents.refreshUptime(); }));
    print("duration tick: refreshRunning() over 10,000 tasks",
          measure(50, [&](int) { tasks.refreshRunning(); }));

    const int columns[] = {TaskModel::TitleColumn,
                           TaskModel::StatusColumn,
                           TaskModel::PriorityColumn,
                           TaskModel::AgentColumn,
                           TaskModel::CreatedColumn,
                           TaskModel::DurationColumn,
                           TaskModel::CostColumn};
    print("sort 10,000 tasks by a column (title, status, priority, ...)", measure(14, [&](int i) {
              taskProxy.sort(columns[i % 7], i % 2 ? Qt::AscendingOrder : Qt::DescendingOrder);
          }));
    print("filter 10,000 tasks by status (state tab)",
          measure(14, [&](int i) { taskProxy.setStatuses(tabStatuses(i)); }));
    taskProxy.setStatuses({});
    const QStringList texts{
        u"r"_s, u"re"_s, u"ref"_s, u"refactor module 4"_s, u"refactor module 42"_s, QString()};
    print("filter 10,000 tasks by text (typing in the search)",
          measure(12, [&](int i) { taskProxy.setText(texts.at(i % texts.size())); }));
    print("filter 10,000 tasks by type",
          measure(10, [&](int i) { taskProxy.setAgentType(i % 2 ? u"review"_s : QString()); }));
    print("filter 50 agents by status and text", measure(200, [&](int i) {
              agentProxy.setStatuses(i % 2 ? QSet<Agent::Status>{Agent::Status::Busy}
                                           : QSet<Agent::Status>{});
              agentProxy.setText(i % 3 ? u"agent-1"_s : QString());
          }));
    std::printf("  (proxies show %d of %d tasks, %d of %d agents at the end)\n",
                taskProxy.rowCount(),
                tasks.rowCount(),
                agentProxy.rowCount(),
                agents.rowCount());
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::printf("bench_models: %d agents, %d tasks (Qt %s)\n", kAgents, kTasks, qVersion());
    run(false);
    run(true);
    return 0;
}
