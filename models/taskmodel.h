// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <optional>

namespace Hive {

struct Event;
class AgentModel;

// Every task the GUI knows (a full load of the most recent ones, then everything the events
// bring, then older pages as views scroll to their end: fetchOlder), as a table over a list of Task
// values. Updated one row at a time from task.* events; reset only by a full load. Lives in the GUI
// thread; sorting and filtering belong to TaskFilterProxy.
class TaskModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TitleColumn,
        StatusColumn,
        TypeColumn,
        PriorityColumn,
        AgentColumn,
        AttemptsColumn,
        CreatedColumn,
        DurationColumn,
        CostColumn,
        ColumnCount
    };
    enum Role {
        TaskRole = Qt::UserRole + 1, // QVariant<Task>
        IdRole,
        StatusRole, // int(Task::Status)
        SortRole,
        FinishedRole,
    };

    explicit TaskModel(QObject *parent = nullptr);
    ~TaskModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setTasks(const QList<Task> &tasks); // a full load: resets the model
    // Older tasks (a page of history): appended, those the model has already left as they are;
    // no taskStatusChanged (nothing happened to them now).
    void appendOlder(const QList<Task> &tasks);

    // Paging through history: a view scrolled to its end asks for older tasks (fetchOlder); the
    // model says so with moreRequested() once, until setHasMore() tells it the page came in
    // (true: there may be more still; false: the oldest task is here). Not Qt's canFetchMore/
    // fetchMore: QTreeView calls those on every layout (a row inserted, a filter typed), which
    // would pull the whole history in page after page.
    bool canFetchOlder() const { return m_hasMore && !m_fetching; }
    void fetchOlder();
    void setHasMore(bool hasMore);
    bool hasMore() const { return m_hasMore; }
    bool upsert(const Task &task); // inserts or updates exactly one row
    bool remove(const QString &id);
    bool applyEvent(const Event &event); // task.*; true when applied

    int rowOf(const QString &id) const { return m_rows.value(id, -1); }
    const Task &at(int row) const { return m_tasks.at(row); }
    std::optional<Task> task(const QString &id) const;
    const QList<Task> &tasks() const { return m_tasks; }
    int count(Task::Status status) const { return m_counts.value(int(status)); }
    // Blocked, queued, assigned or running.
    int unfinishedCount() const;
    QStringList types() const;

    void setAgentModel(const AgentModel *agents); // agent names for the Agent column
    void refreshRunning();                        // the Duration of running tasks, every second

    static QString statusLabel(Task::Status status);
    static QString displayTitle(const Task &task); // the title, or the prompt's first line
    static QString formatCost(const std::optional<double> &usd);
    // Milliseconds the task ran (or runs, against now); -1 when it never started.
    static qint64 durationMs(const Task &task);

Q_SIGNALS:
    void countsChanged();
    // A view wants older tasks (fetchOlder): whoever loads the model fetches the next page.
    void moreRequested();
    // A known task changed status (or a new task appeared: previous is nullopt).
    void taskStatusChanged(const Hive::Task &task, std::optional<Hive::Task::Status> previous);

private:
    void reindexFrom(int row);
    QString agentText(const Task &t) const;

    QList<Task> m_tasks;
    QHash<QString, int> m_rows;
    QHash<int, int> m_counts;
    QSet<QString> m_types;
    const AgentModel *m_agents = nullptr;
    bool m_hasMore = false;
    bool m_fetching = false;
};

} // namespace Hive
