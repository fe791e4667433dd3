// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/taskfilterproxy.h"

#include "models/taskmodel.h"

namespace Hive {

TaskFilterProxy::TaskFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TaskModel::SortRole);
    setDynamicSortFilter(true);
}

void TaskFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_tasks = qobject_cast<const TaskModel *>(model);
    Q_ASSERT(!model || m_tasks);
    QSortFilterProxyModel::setSourceModel(model);
}

void TaskFilterProxy::setStatuses(const QSet<Task::Status> &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    invalidateRowsFilter();
}

void TaskFilterProxy::setAgentType(const QString &type)
{
    if (type == m_type)
        return;
    m_type = type;
    invalidateRowsFilter();
}

void TaskFilterProxy::setAgentId(const QString &agentId)
{
    if (agentId == m_agentId)
        return;
    m_agentId = agentId;
    invalidateRowsFilter();
}

void TaskFilterProxy::setText(const QString &text)
{
    const QString t = text.trimmed();
    if (t == m_text)
        return;
    m_text = t;
    invalidateRowsFilter();
}

Task TaskFilterProxy::taskAt(int proxyRow) const
{
    const QModelIndex source = mapToSource(index(proxyRow, 0));
    return source.isValid() && m_tasks ? m_tasks->at(source.row()) : Task();
}

bool TaskFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || !m_tasks)
        return false;
    const Task &t = m_tasks->at(sourceRow);
    if (!m_statuses.isEmpty() && !m_statuses.contains(t.status))
        return false;
    if (!m_type.isEmpty() && t.agentType != m_type)
        return false;
    if (!m_agentId.isEmpty() && t.agentId != m_agentId)
        return false;
    if (m_text.isEmpty())
        return true;
    return t.title.contains(m_text, Qt::CaseInsensitive)
           || t.prompt.contains(m_text, Qt::CaseInsensitive)
           || t.id.startsWith(m_text, Qt::CaseInsensitive);
}

bool TaskFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_tasks || left.column() != right.column())
        return QSortFilterProxyModel::lessThan(left, right);
    const Task &a = m_tasks->at(left.row());
    const Task &b = m_tasks->at(right.row());
    auto cost = [](const Task &t) {
        return t.result && t.result->costUsd ? *t.result->costUsd : -1.0;
    };
    switch (left.column()) {
    case TaskModel::TitleColumn:
        if (a.title.isEmpty() || b.title.isEmpty())
            return TaskModel::displayTitle(a).compare(TaskModel::displayTitle(b),
                                                      Qt::CaseInsensitive)
                   < 0;
        return a.title.compare(b.title, Qt::CaseInsensitive) < 0;
    case TaskModel::StatusColumn:
        return int(a.status) < int(b.status);
    case TaskModel::TypeColumn:
        return a.agentType < b.agentType;
    case TaskModel::PriorityColumn:
        return a.priority < b.priority;
    case TaskModel::AttemptsColumn:
        return a.attempts < b.attempts;
    case TaskModel::CreatedColumn:
        return a.createdAt < b.createdAt;
    case TaskModel::DurationColumn:
        return TaskModel::durationMs(a) < TaskModel::durationMs(b);
    case TaskModel::CostColumn:
        return cost(a) < cost(b);
    default: // the agent's name lives in the agent model
        return QSortFilterProxyModel::lessThan(left, right);
    }
}

} // namespace Hive
