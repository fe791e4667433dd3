// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/searchhitmodel.h"

namespace Hive {

void SearchHitModel::setHits(const QList<SearchHit> &hits)
{
    beginResetModel();
    m_hits = hits;
    endResetModel();
}

std::optional<SearchHit> SearchHitModel::hit(int row) const
{
    if (row < 0 || row >= m_hits.size())
        return std::nullopt;
    return m_hits.at(row);
}

int SearchHitModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hits.size());
}

QString SearchHitModel::describe(const SearchHit &h)
{
    const QString title = h.title.isEmpty() ? tr("(untitled)") : h.title;
    switch (h.kind) {
    case SearchHit::Kind::Prompt:
        return tr("Prompt · %1").arg(title);
    case SearchHit::Kind::Answer:
        return tr("Answer · %1").arg(title);
    case SearchHit::Kind::Log:
        return tr("Terminal log · %1").arg(h.agentName.isEmpty() ? title : h.agentName);
    case SearchHit::Kind::Task:
        return tr("Similar task · %1").arg(title);
    }
    return title;
}

QVariant SearchHitModel::data(const QModelIndex &index, int role) const
{
    const auto h = hit(index.row());
    if (!h || index.parent().isValid())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return describe(*h);
    case Qt::ToolTipRole:
        return h->snippet;
    case HitRole:
        return QVariant::fromValue(*h);
    case KindRole:
        return int(h->kind);
    case SnippetRole:
        return h->snippet;
    default:
        return {};
    }
}

} // namespace Hive
