// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace Hive {

class AgentModel;

// Sorts the agent table (by AgentModel::SortRole) and filters it by status, agent type and a text
// (name, type, profile, working directory). The source must be an AgentModel.
class AgentFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit AgentFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;

    // Empty: every status.
    void setStatuses(const QSet<Agent::Status> &statuses);
    QSet<Agent::Status> statuses() const { return m_statuses; }
    void setAgentType(const QString &type); // empty: every type
    QString agentType() const { return m_type; }
    void setText(const QString &text);
    QString text() const { return m_text; }

    Agent agentAt(int proxyRow) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    const AgentModel *m_agents = nullptr;
    QSet<Agent::Status> m_statuses;
    QString m_type;
    QString m_text;
};

} // namespace Hive
