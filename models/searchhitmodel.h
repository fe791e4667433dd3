// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/searchhit.h"

#include <QAbstractListModel>

namespace Hive {

// The hits of the last search, best first, for the search panel's list. GUI thread.
class SearchHitModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role { HitRole = Qt::UserRole + 1, KindRole, SnippetRole };

    using QAbstractListModel::QAbstractListModel;

    void setHits(const QList<SearchHit> &hits);
    const QList<SearchHit> &hits() const { return m_hits; }
    std::optional<SearchHit> hit(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

    // What a hit is, in words: "Prompt of task …", "Answer of task …", "Log of agent …".
    static QString describe(const SearchHit &hit);

private:
    QList<SearchHit> m_hits;
};

} // namespace Hive
