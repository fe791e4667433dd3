// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"

#include <QColor>
#include <QStyledItemDelegate>

namespace Hive {

// Paints a status cell as a coloured, rounded badge with the status text (the model's
// DisplayRole), its colour chosen from the model's status role. One delegate for agents, one for
// tasks.
class StatusBadgeDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    enum class Kind { Agent, Task };

    StatusBadgeDelegate(Kind kind, int statusRole, QObject *parent = nullptr);

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor color(Agent::Status status);
    static QColor color(Task::Status status);
    // Paints one badge (also used by the task detail and the terminal headers).
    static void paintBadge(QPainter *painter,
                           const QRect &rect,
                           const QString &text,
                           const QColor &color,
                           const QFont &font);
    static QSize badgeSize(const QString &text, const QFont &font);

private:
    Kind m_kind;
    int m_statusRole;
};

} // namespace Hive
