// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/sessioncontroller.h"

#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "services/engine.h"
#include "services/eventsequencer.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

SessionController::SessionController(QObject *parent)
    : QObject(parent)
    , m_agents(new AgentModel(this))
    , m_tasks(new TaskModel(this))
    , m_notifier(new Notifier(m_agents, m_tasks, this))
    , m_reconcile(new QTimer(this))
{
    m_agents->setTaskModel(m_tasks);
    m_tasks->setAgentModel(m_agents);
    connect(m_notifier, &Notifier::notify, this, &SessionController::notified);
    connect(m_tasks, &TaskModel::moreRequested, this, &SessionController::fetchOlderTasks);
    // A few dozen agents are cheap to ask for: an event that never came (Redis away for a moment)
    // does not leave an agent showing a stale state.
    m_reconcile->setInterval(10000);
    connect(m_reconcile, &QTimer::timeout, this, &SessionController::reconcileAgents);
}

SessionController::~SessionController() = default;

void SessionController::setReconcileInterval(int ms)
{
    m_reconcile->setInterval(ms);
}

void SessionController::setNotificationsEnabled(bool enabled)
{
    m_notifier->setEnabled(enabled);
}

QStringList SessionController::knownTypes() const
{
    QStringList types = m_agents->types();
    for (const QString &t : m_tasks->types())
        if (!types.contains(t))
            types << t;
    types.sort();
    return types;
}

QSet<QString> SessionController::takenNames() const
{
    QSet<QString> taken;
    for (const Agent &a : m_agents->agents())
        if (a.isAlive())
            taken.insert(a.name);
    return taken;
}

void SessionController::start(Engine *engine)
{
    if (m_engine)
        return;
    m_engine = engine;
    m_sequence = new EventSequencer(engine, this);
    connect(
        m_engine, &Engine::eventReceived, this, [this](const Event &e) { m_sequence->offer(e); });
    connect(m_sequence, &EventSequencer::delivered, this, &SessionController::onEvent);
    // Events published while Redis was away never came: they are read from PostgreSQL.
    connect(m_engine, &Engine::eventsConnected, m_sequence, &EventSequencer::catchUp);
    reload();
    m_reconcile->start();
}

void SessionController::setDismissed(const QStringList &agentIds)
{
    m_dismissed = QSet<QString>(agentIds.begin(), agentIds.end());
}

void SessionController::dismiss(const QString &agentId)
{
    // A lost agent has no event to take it off the list; keep it off next time too.
    m_agents->remove(agentId);
    if (m_dismissed.contains(agentId))
        return;
    m_dismissed.insert(agentId);
    Q_EMIT dismissedChanged(dismissed());
}

Agent SessionController::adopt(const Agent &agent)
{
    if (m_agents->rowOf(agent.id) < 0)
        m_agents->upsert(agent);
    return m_agents->agent(agent.id).value_or(agent);
}

void SessionController::adopt(const Task &task)
{
    if (m_tasks->rowOf(task.id) < 0)
        m_tasks->upsert(task);
}

qint64 SessionController::lastEventSeq() const
{
    return m_sequence ? m_sequence->lastSeq() : -1;
}

void SessionController::reload()
{
    if (!m_engine || m_loading)
        return;
    m_loading = true;
    m_buffered.clear();
    // Asked before the load (the store answers in order): the load has at least every event up to
    // it, and the events after it come in order on top.
    auto newest = m_sequence->isStarted()
                      ? QtFuture::makeReadyValueFuture(Result<qint64>(m_sequence->lastSeq()))
                      : m_engine->lastEventSeq();
    // The most recent page, and every unfinished task however old (the board and the counts
    // must show all of them): summaries, each query served by an index (migration 0005).
    TaskFilter recent;
    recent.limit = m_pageSize;
    QList<QFuture<Result<QList<Task>>>> lists{m_engine->tasks(recent)};
    for (const Task::Status st : {Task::Status::Blocked,
                                  Task::Status::Queued,
                                  Task::Status::Assigned,
                                  Task::Status::Running}) {
        TaskFilter unfinished;
        unfinished.status = st;
        unfinished.limit = 100000;
        lists << m_engine->tasks(unfinished);
    }
    auto agentList = m_engine->agents();
    auto taskLists = QtFuture::whenAll(lists.begin(), lists.end());
    ++m_loadGeneration;
    newest.then(this, [this, agentList, taskLists](Result<qint64> seq) mutable {
        agentList.then(this, [this, seq, taskLists](Result<QList<Agent>> agents) mutable {
            taskLists.then(
                this, [this, seq, agents](const QList<QFuture<Result<QList<Task>>>> &all) {
                    QString error = !seq      ? seq.error().message
                                    : !agents ? agents.error().message
                                              : QString();
                    QList<Task> tasks;
                    for (const auto &f : all) {
                        const Result<QList<Task>> t = f.result();
                        if (!t) {
                            if (error.isEmpty())
                                error = t.error().message;
                            continue;
                        }
                        tasks << *t;
                    }
                    if (!error.isEmpty()) {
                        m_loading = false;
                        Q_EMIT errorOccurred(tr("Cannot Load Agents and Tasks"), error);
                        return;
                    }
                    const Result<QList<Task>> page = all.first().result();
                    finishLoad(*agents, tasks); // the recent page first; repeats are skipped
                    setHistoryCursor(*page);
                    m_sequence->start(*seq); // once: the events after it, held back until now
                });
        });
    });
}

void SessionController::setHistoryCursor(const QList<Task> &page)
{
    if (!page.isEmpty())
        m_historyCursor = page.last().id;
    m_tasks->setHasMore(page.size() >= m_pageSize);
}

void SessionController::fetchOlderTasks()
{
    if (!m_engine || m_loading || !m_loaded || m_historyCursor.isEmpty())
        return;
    TaskFilter older;
    older.before = m_historyCursor;
    older.limit = m_pageSize;
    const quint64 generation = m_loadGeneration;
    m_engine->tasks(older).then(this, [this, generation](Result<QList<Task>> page) {
        if (generation != m_loadGeneration)
            return; // a load began meanwhile: it set its own cursor
        if (!page) {
            m_tasks->setHasMore(true); // scrolling to the end again asks again
            return;
        }
        // Older than anything loaded: events about these tasks that came meanwhile put rows in
        // already, and those are newer: appendOlder leaves them.
        m_tasks->appendOlder(*page);
        setHistoryCursor(*page);
    });
}

void SessionController::finishLoad(const QList<Agent> &agents, const QList<Task> &tasks)
{
    QList<Agent> shown;
    QSet<QString> agentIds;
    for (const Agent &a : agents) {
        agentIds.insert(a.id);
        if (!(a.status == Agent::Status::Lost && m_dismissed.contains(a.id)))
            shown << a;
    }
    QSet<QString> taskIds;
    for (const Task &t : tasks)
        taskIds.insert(t.id);
    m_agents->setAgents(shown);
    m_tasks->setTasks(tasks);
    m_loading = false;

    // Events that came while the load ran: new objects are applied; objects the load already had
    // may be older or newer than the event, so they are asked for once more.
    const QList<Event> buffered = std::exchange(m_buffered, {});
    QSet<QString> refetchAgents;
    QSet<QString> refetchTasks;
    for (const Event &e : buffered) {
        if (e.agent && agentIds.contains(e.agent->id))
            refetchAgents.insert(e.agent->id);
        else if (e.task && taskIds.contains(e.task->id))
            refetchTasks.insert(e.task->id);
        else
            onEvent(e);
    }
    for (const QString &id : std::as_const(refetchAgents))
        refetchAgent(id);
    for (const QString &id : std::as_const(refetchTasks))
        refetchTask(id);

    Q_EMIT loadFinished();
    if (!m_loaded) {
        m_loaded = true;
        Q_EMIT loaded();
    }
}

// The answer counts unless an event about the same object came after the question.
void SessionController::refetchAgent(const QString &id)
{
    const quint64 asked = m_eventCount;
    m_engine->agent(id).then(this, [this, id, asked](Result<Agent> a) {
        if (!a || m_lastEvent.value(id) > asked)
            return;
        if (a->status == Agent::Status::Stopped && m_agents->rowOf(id) >= 0)
            Q_EMIT agentEnded(*a);
        m_agents->upsert(*a);
    });
}

void SessionController::fetchWholeTask(const QString &id)
{
    if (!m_engine)
        return;
    m_engine->task(id).then(this, [this, id](Result<Task> whole) {
        if (!whole)
            return;
        const std::optional<Task> shown = m_tasks->task(id);
        // Only the state the model shows: when an event moved the task on meanwhile (or is still
        // on its way), the summaries differ and the view asks again for the new one.
        if (shown && shown->summary && shown->toJson() == whole->toSummary().toJson())
            m_tasks->upsert(*whole);
    });
}

void SessionController::refetchTask(const QString &id)
{
    const quint64 asked = m_eventCount;
    m_engine->task(id).then(this, [this, id, asked](Result<Task> t) {
        if (t && m_lastEvent.value(id) <= asked)
            m_tasks->upsert(*t);
    });
}

void SessionController::reconcileAgents()
{
    if (!m_engine || !m_loaded || m_loading)
        return;
    const quint64 asked = m_eventCount;
    m_engine->agents().then(this, [this, asked](Result<QList<Agent>> agents) {
        if (!agents || m_loading)
            return;
        for (const Agent &a : *agents) {
            if (m_lastEvent.value(a.id) > asked)
                continue; // an event told us something newer meanwhile
            const std::optional<Agent> shown = m_agents->agent(a.id);
            if (shown) {
                if (shown->status != a.status || shown->currentTaskId != a.currentTaskId) {
                    if (a.status == Agent::Status::Stopped)
                        Q_EMIT agentEnded(a);
                    m_agents->upsert(a);
                }
            } else if (a.isAlive()) {
                m_agents->upsert(a);
            }
        }
    });
}

void SessionController::onEvent(const Event &event)
{
    if (m_loading) {
        m_buffered << event;
        return;
    }
    ++m_eventCount;
    if (event.agent) {
        m_lastEvent.insert(event.agent->id, m_eventCount);
        if (event.type == u"agent.killed"_s || event.agent->status == Agent::Status::Stopped) {
            Agent ended = *event.agent;
            ended.status = Agent::Status::Stopped;
            Q_EMIT agentEnded(ended);
        }
        m_agents->applyEvent(event);
    } else if (event.task) {
        m_lastEvent.insert(event.task->id, m_eventCount);
        m_tasks->applyEvent(event);
    }
}

} // namespace Hive
