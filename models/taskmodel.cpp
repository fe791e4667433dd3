// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/taskmodel.h"

#include "models/agentmodel.h"
#include "models/event.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace Hive {

TaskModel::TaskModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

TaskModel::~TaskModel() = default;

int TaskModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tasks.size());
}

int TaskModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TaskModel::statusLabel(Task::Status status)
{
    switch (status) {
    case Task::Status::Blocked:
        return tr("Blocked");
    case Task::Status::Queued:
        return tr("Queued");
    case Task::Status::Assigned:
        return tr("Assigned");
    case Task::Status::Running:
        return tr("Running");
    case Task::Status::Succeeded:
        return tr("Succeeded");
    case Task::Status::Failed:
        return tr("Failed");
    case Task::Status::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

QString TaskModel::displayTitle(const Task &task)
{
    if (!task.title.trimmed().isEmpty())
        return task.title;
    const qsizetype nl = task.prompt.indexOf(u'\n');
    const QString first = (nl < 0 ? task.prompt : task.prompt.left(nl)).trimmed();
    return first.size() > 80 ? first.left(79) + u'…' : first;
}

QString TaskModel::formatCost(const std::optional<double> &usd)
{
    if (!usd)
        return {};
    // US dollars, as the agent CLIs report them.
    return tr("$%1").arg(QLocale().toString(*usd, 'f', *usd < 1.0 ? 4 : 2));
}

qint64 TaskModel::durationMs(const Task &task)
{
    if (task.result && task.isFinished())
        return task.result->durationMs;
    if (!task.startedAt.isValid())
        return -1;
    const QDateTime end
        = task.finishedAt.isValid() ? task.finishedAt : QDateTime::currentDateTimeUtc();
    return task.startedAt.msecsTo(end);
}

QString TaskModel::agentText(const Task &t) const
{
    if (t.agentId.isEmpty())
        return {};
    if (m_agents) {
        const QString name = m_agents->nameOf(t.agentId);
        if (!name.isEmpty())
            return name;
    }
    return t.agentId.left(8);
}

QVariant TaskModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Task &t = m_tasks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TitleColumn:
            return displayTitle(t);
        case StatusColumn:
            return statusLabel(t.status);
        case TypeColumn:
            return t.agentType;
        case PriorityColumn:
            return t.priority;
        case AgentColumn:
            return agentText(t);
        case AttemptsColumn:
            return tr("%1 of %2").arg(t.attempts).arg(t.maxAttempts);
        case CreatedColumn: {
            if (!t.createdAt.isValid())
                return QString();
            // Today's tasks by their time; older ones with their date.
            const QDateTime local = t.createdAt.toLocalTime();
            const QString time = QLocale().toString(local.time(), QLocale::ShortFormat);
            if (local.date() == QDate::currentDate())
                return time;
            return tr("%1 %2").arg(QLocale().toString(local.date(), QLocale::ShortFormat), time);
        }
        case DurationColumn: {
            const qint64 ms = durationMs(t);
            if (ms < 0)
                return QString();
            return ms < 10000 ? tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1))
                              : AgentModel::formatDuration(ms / 1000);
        }
        case CostColumn:
            return formatCost(t.result ? t.result->costUsd : std::nullopt);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == TitleColumn)
            return t.prompt.left(2000);
        if (index.column() == StatusColumn && !t.error.isEmpty())
            return t.error;
        if (index.column() == CreatedColumn && t.createdAt.isValid())
            return QLocale().toString(t.createdAt.toLocalTime(), QLocale::LongFormat);
        break;
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case PriorityColumn:
        case AttemptsColumn:
        case DurationColumn:
        case CostColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case TitleColumn:
            return displayTitle(t).toLower();
        case StatusColumn:
            return int(t.status);
        case TypeColumn:
            return t.agentType;
        case PriorityColumn:
            return t.priority;
        case AgentColumn:
            return agentText(t).toLower();
        case AttemptsColumn:
            return t.attempts;
        case CreatedColumn:
            return t.createdAt.toMSecsSinceEpoch();
        case DurationColumn:
            return durationMs(t);
        case CostColumn:
            return t.result && t.result->costUsd ? *t.result->costUsd : -1.0;
        }
        break;
    case TaskRole:
        return QVariant::fromValue(t);
    case IdRole:
        return t.id;
    case StatusRole:
        return int(t.status);
    case FinishedRole:
        return t.isFinished();
    }
    return {};
}

QVariant TaskModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TitleColumn:
        return tr("Task");
    case StatusColumn:
        return tr("Status");
    case TypeColumn:
        return tr("Type");
    case PriorityColumn:
        return tr("Priority");
    case AgentColumn:
        return tr("Agent");
    case AttemptsColumn:
        return tr("Attempts");
    case CreatedColumn:
        return tr("Created");
    case DurationColumn:
        return tr("Duration");
    case CostColumn:
        return tr("Cost");
    }
    return {};
}

void TaskModel::setTasks(const QList<Task> &tasks)
{
    beginResetModel();
    m_tasks.clear();
    m_rows.clear();
    m_counts.clear();
    m_tasks.reserve(tasks.size());
    m_rows.reserve(tasks.size());
    for (const Task &t : tasks) {
        if (m_rows.contains(t.id))
            continue;
        m_rows.insert(t.id, int(m_tasks.size()));
        m_tasks << t;
        m_counts[int(t.status)] += 1;
        m_types.insert(t.agentType);
    }
    endResetModel();
    Q_EMIT countsChanged();
}

void TaskModel::appendOlder(const QList<Task> &tasks)
{
    QList<Task> fresh;
    QSet<QString> ids;
    for (const Task &t : tasks) {
        if (!m_rows.contains(t.id) && !ids.contains(t.id)) {
            ids.insert(t.id);
            fresh << t;
        }
    }
    if (fresh.isEmpty())
        return;
    const int at = int(m_tasks.size());
    beginInsertRows({}, at, at + int(fresh.size()) - 1);
    for (const Task &t : std::as_const(fresh)) {
        m_rows.insert(t.id, int(m_tasks.size()));
        m_tasks << t;
        m_counts[int(t.status)] += 1;
        m_types.insert(t.agentType);
    }
    endInsertRows();
    Q_EMIT countsChanged();
}

void TaskModel::fetchOlder()
{
    if (!canFetchOlder())
        return;
    m_fetching = true;
    Q_EMIT moreRequested();
}

void TaskModel::setHasMore(bool hasMore)
{
    m_hasMore = hasMore;
    m_fetching = false;
}

bool TaskModel::upsert(const Task &task)
{
    const int row = rowOf(task.id);
    m_types.insert(task.agentType);
    if (row < 0) {
        const int at = int(m_tasks.size());
        beginInsertRows({}, at, at);
        m_tasks << task;
        m_rows.insert(task.id, at);
        endInsertRows();
        m_counts[int(task.status)] += 1;
        Q_EMIT countsChanged();
        Q_EMIT taskStatusChanged(task, std::nullopt);
        return true;
    }
    const Task::Status previous = m_tasks.at(row).status;
    m_tasks[row] = task;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (previous != task.status) {
        m_counts[int(previous)] -= 1;
        m_counts[int(task.status)] += 1;
        Q_EMIT countsChanged();
        Q_EMIT taskStatusChanged(task, previous);
    }
    return true;
}

bool TaskModel::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_counts[int(m_tasks.at(row).status)] -= 1;
    m_tasks.removeAt(row);
    m_rows.remove(id);
    reindexFrom(row);
    endRemoveRows();
    Q_EMIT countsChanged();
    return true;
}

bool TaskModel::applyEvent(const Event &event)
{
    if (!event.task || !event.type.startsWith(u"task."_s))
        return false;
    return upsert(*event.task);
}

std::optional<Task> TaskModel::task(const QString &id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_tasks.at(row);
}

int TaskModel::unfinishedCount() const
{
    return count(Task::Status::Blocked) + count(Task::Status::Queued)
           + count(Task::Status::Assigned) + count(Task::Status::Running);
}

QStringList TaskModel::types() const
{
    QStringList out(m_types.begin(), m_types.end());
    out.removeAll(QString());
    out.sort();
    return out;
}

void TaskModel::setAgentModel(const AgentModel *agents)
{
    m_agents = agents;
}

void TaskModel::refreshRunning()
{
    for (int row = 0; row < m_tasks.size(); ++row) {
        const Task::Status s = m_tasks.at(row).status;
        if (s == Task::Status::Running || s == Task::Status::Assigned)
            Q_EMIT dataChanged(index(row, DurationColumn),
                               index(row, DurationColumn),
                               {Qt::DisplayRole, SortRole});
    }
}

void TaskModel::reindexFrom(int row)
{
    for (int r = row; r < m_tasks.size(); ++r)
        m_rows[m_tasks.at(r).id] = r;
}

} // namespace Hive
