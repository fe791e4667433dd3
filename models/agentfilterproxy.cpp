// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agentfilterproxy.h"

#include "models/agentmodel.h"

namespace Hive {

AgentFilterProxy::AgentFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AgentModel::SortRole);
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void AgentFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_agents = qobject_cast<const AgentModel *>(model);
    Q_ASSERT(!model || m_agents);
    QSortFilterProxyModel::setSourceModel(model);
}

void AgentFilterProxy::setStatuses(const QSet<Agent::Status> &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    invalidateRowsFilter();
}

void AgentFilterProxy::setAgentType(const QString &type)
{
    if (type == m_type)
        return;
    m_type = type;
    invalidateRowsFilter();
}

void AgentFilterProxy::setText(const QString &text)
{
    const QString t = text.trimmed();
    if (t == m_text)
        return;
    m_text = t;
    invalidateRowsFilter();
}

Agent AgentFilterProxy::agentAt(int proxyRow) const
{
    const QModelIndex source = mapToSource(index(proxyRow, 0));
    return source.isValid() && m_agents ? m_agents->at(source.row()) : Agent();
}

bool AgentFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || !m_agents)
        return false;
    const Agent &a = m_agents->at(sourceRow);
    if (!m_statuses.isEmpty() && !m_statuses.contains(a.status))
        return false;
    if (!m_type.isEmpty() && a.type != m_type)
        return false;
    if (m_text.isEmpty())
        return true;
    return a.name.contains(m_text, Qt::CaseInsensitive)
           || a.type.contains(m_text, Qt::CaseInsensitive)
           || a.profile.contains(m_text, Qt::CaseInsensitive)
           || a.workdir.contains(m_text, Qt::CaseInsensitive)
           || a.id.startsWith(m_text, Qt::CaseInsensitive);
}

} // namespace Hive
