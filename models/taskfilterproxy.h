// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace Hive {

class TaskModel;

// Sorts the task table (by TaskModel::SortRole) and filters it by status, agent type, agent and a
// text (title, prompt, id prefix). The source must be a TaskModel.
class TaskFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TaskFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;

    void setStatuses(const QSet<Task::Status> &statuses); // empty: every status
    QSet<Task::Status> statuses() const { return m_statuses; }
    void setAgentType(const QString &type); // empty: every type
    QString agentType() const { return m_type; }
    void setAgentId(const QString &agentId); // empty: every agent
    QString agentId() const { return m_agentId; }
    void setText(const QString &text);
    QString text() const { return m_text; }

    Task taskAt(int proxyRow) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    // On the Task values themselves: no QVariant and no string built per comparison.
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    const TaskModel *m_tasks = nullptr;
    QSet<Task::Status> m_statuses;
    QString m_type;
    QString m_agentId;
    QString m_text;
};

} // namespace Hive
