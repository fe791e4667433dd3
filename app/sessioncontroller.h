// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/event.h"
#include "models/task.h"
#include "widgets/notifier.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

class QTimer;

namespace Hive {

class AgentModel;
class Engine;
class EventSequencer;
class TaskModel;

// Keeps the agent and task models in step with the engine, as Konsole's SessionController keeps
// its views in step with the sessions, apart from any window: a full load (events that arrive
// meanwhile are held back, then applied or answered by asking again), then every event once, in
// seq order (an EventSequencer started at the newest event as the load began: a gap in seq is
// read from PostgreSQL before anything after it is applied), with a per-id counter so that a late
// answer never overwrites a newer event, and a reconcile of the agents every few seconds. When
// Redis comes back, the events published while it was away are read from PostgreSQL after the
// last seq applied (Engine::events), not everything loaded again. A load holds the most recent
// tasks and the unfinished ones, as summaries; older ones come a page at a time. Events carry
// task summaries:
// the whole task is asked for when a view needs it (fetchWholeTask). Owns the models; GUI thread,
// never waits on the engine.
class SessionController : public QObject
{
    Q_OBJECT

public:
    explicit SessionController(QObject *parent = nullptr);
    ~SessionController() override;

    AgentModel *agentModel() const { return m_agents; }
    TaskModel *taskModel() const { return m_tasks; }
    Engine *engine() const { return m_engine; }

    // Connects to the engine's events, loads everything and starts the reconcile timer.
    void start(Engine *engine);
    void reload();
    bool isLoading() const { return m_loading; }
    bool isLoaded() const { return m_loaded; }
    // 10 s by default; tests make it short.
    void setReconcileInterval(int ms);
    // How many task summaries a load and each older page hold (500 by default; tests make it
    // small). A load holds the most recent ones and every unfinished task; older pages come as a
    // view of the task model scrolls to its end (TaskModel::fetchOlder), by keyset (before=).
    void setPageSize(int tasks) { m_pageSize = qMax(1, tasks); }
    int pageSize() const { return m_pageSize; }
    // Asks for the page of tasks older than the oldest one loaded (TaskModel::moreRequested).
    void fetchOlderTasks();

    // Lost agents the user took off the list stay off it across loads and restarts.
    void setDismissed(const QStringList &agentIds);
    QStringList dismissed() const { return QStringList(m_dismissed.begin(), m_dismissed.end()); }
    void dismiss(const QString &agentId);

    // What an action's answer says, for when no event tells it (Redis away): shown unless a row
    // for it is there already (an event came first and is at least as new).
    Agent adopt(const Agent &agent);
    void adopt(const Task &task);

    void setNotificationsEnabled(bool enabled);

    // The seq of the last event applied (or of the newest one when the first load began); -1
    // before that.
    qint64 lastEventSeq() const;
    // Asks the engine for the whole task (prompt, output) and puts it in the model, unless an
    // event about it comes first (then the summary it carries is newer).
    void fetchWholeTask(const QString &id);

    // The agent types the agents and tasks use, sorted (the dialogs offer them).
    QStringList knownTypes() const;
    // Names of the agents alive now: a new agent cannot take them.
    QSet<QString> takenNames() const;

Q_SIGNALS:
    // The first full load is in the models.
    void loaded();
    // Every full load (the first and each reload): views that keep their own copy refresh it.
    void loadFinished();
    // The agent stopped (killed, or found stopped): its terminal has nothing more to show.
    void agentEnded(const Hive::Agent &agent);
    void dismissedChanged(const QStringList &agentIds);
    void errorOccurred(const QString &title, const QString &message);
    // Worth telling the user: an agent waits for input, a task failed, the queue drained.
    void notified(Hive::Notifier::Kind kind,
                  const QString &title,
                  const QString &message,
                  const QString &id);

private:
    void onEvent(const Event &event);
    void finishLoad(const QList<Agent> &agents, const QList<Task> &tasks);
    void setHistoryCursor(const QList<Task> &page);
    void refetchAgent(const QString &id);
    void refetchTask(const QString &id);
    void reconcileAgents();

    AgentModel *m_agents;
    TaskModel *m_tasks;
    Notifier *m_notifier;
    Engine *m_engine = nullptr;
    EventSequencer *m_sequence = nullptr;
    QTimer *m_reconcile;
    bool m_loading = false;
    bool m_loaded = false;
    QList<Event> m_buffered;
    quint64 m_eventCount = 0;
    QHash<QString, quint64> m_lastEvent; // agent or task id → m_eventCount when its last event came
    QSet<QString> m_dismissed;
    int m_pageSize = 500;
    QString m_historyCursor; // the oldest task of the last page of history: before= of the next
    quint64 m_loadGeneration = 0; // a page asked for before a reload is dropped
};

} // namespace Hive
