// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <optional>

namespace Hive {

struct Event;
class TaskModel;

// The agents the user has to care about (live ones and lost ones; stopped agents leave the list),
// as a table over a list of Agent values. Fed by the engine's events one row at a time
// (beginInsertRows / dataChanged for exactly that row / beginRemoveRows), reset only by a full
// load. Lives in the GUI thread; sorting and filtering belong to AgentFilterProxy.
class AgentModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        TypeColumn,
        ProfileColumn,
        StatusColumn,
        TaskColumn,
        UptimeColumn,
        CpuColumn,    // its whole process tree, % of one core
        MemoryColumn, // its whole process tree, resident
        TeamColumn,   // the team it was started with, empty: none
        ColumnCount
    };
    enum Role {
        AgentRole = Qt::UserRole + 1, // QVariant<Agent>
        IdRole,
        StatusRole, // int(Agent::Status)
        SortRole,   // a value that sorts the column naturally
        InteractiveRole,
        AliveRole,
        NeedRole, // QString: what an agent waiting for input waits for (Agent::need), else empty
    };

    explicit AgentModel(QObject *parent = nullptr);
    ~AgentModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A full load (the engine's answer to agents()): resets the model. Stopped agents are left out.
    void setAgents(const QList<Agent> &agents);
    // Inserts or updates one agent; a stopped agent is removed. Returns true when rows changed.
    bool upsert(const Agent &agent);
    bool remove(const QString &id);
    // agent.spawned / agent.status / agent.killed; other events are ignored. True when applied.
    bool applyEvent(const Event &event);

    int rowOf(const QString &id) const { return m_rows.value(id, -1); }
    const Agent &at(int row) const { return m_agents.at(row); }
    std::optional<Agent> agent(const QString &id) const;
    const QList<Agent> &agents() const { return m_agents; }
    // The name of any agent seen since start-up, also of those that left the list.
    QString nameOf(const QString &id) const { return m_names.value(id); }
    int count(Agent::Status status) const { return m_counts.value(int(status)); }
    QStringList types() const;

    // Current-task titles come from the task model (optional).
    void setTaskModel(const TaskModel *tasks);
    // Uptime is computed against this clock; the view calls refreshUptime() every second.
    void refreshUptime();
    // The last sample of each agent's CPU and memory, by tmux session (kept apart from the agents'
    // rows, which the events replace without it).
    struct Usage
    {
        double cpuPercent = 0;
        qint64 rssBytes = 0;
    };
    void setUsage(const QHash<QString, Usage> &bySession);
    std::optional<Usage> usage(const Agent &a) const;
    static QString formatBytes(qint64 bytes);

    static QString statusLabel(Agent::Status status);
    // The need shown in the list: an agent waiting for input says what for. The task column
    // shows it in place of a task (interactive agents, the ones that wait, take no tasks).
    static bool showsNeed(const Agent &a)
    {
        return a.status == Agent::Status::WaitingInput && !a.need.isEmpty();
    }
    static QString formatDuration(qint64 seconds);

Q_SIGNALS:
    // After any change that moved the per-status counts (tray, status bar).
    void countsChanged();
    // A known agent changed status (the notifications watch waiting_input).
    void agentStatusChanged(const Hive::Agent &agent, Hive::Agent::Status previous);
    // A known agent still in the same status now needs something else (e.g. Claude Code's trust
    // question answered, a permission question next): the notifications say the new need.
    void agentNeedChanged(const Hive::Agent &agent, const QString &previousNeed);

private:
    void reindexFrom(int row);
    void recount();
    QString currentTaskText(const Agent &a) const;

    QList<Agent> m_agents;
    QHash<QString, int> m_rows; // id → row
    QHash<QString, QString> m_names;
    QHash<int, int> m_counts;
    const TaskModel *m_tasks = nullptr;
    QHash<QString, Usage> m_usage; // by tmux session
};

} // namespace Hive
