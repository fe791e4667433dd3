// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QList>
#include <QMutex>
#include <QMutexLocker>

#include <utility>

namespace Hive {

// What waits for the store's next transaction (group commit). add() from any thread says whether
// the caller must schedule a run in the store's thread (none is scheduled yet); that run take()s
// at most `max` of the items waiting, and is told whether to schedule another for the rest. Items
// added while a run commits go into the next one together.
template<typename Item>
class CommitQueue
{
public:
    bool add(Item item)
    {
        QMutexLocker lock(&m_mutex);
        m_items << std::move(item);
        return !std::exchange(m_scheduled, true);
    }

    // The batch, and whether items are left (another run must be scheduled for them).
    std::pair<QList<Item>, bool> take(qsizetype max)
    {
        QMutexLocker lock(&m_mutex);
        const qsizetype n = qMin(m_items.size(), qMax(qsizetype(1), max));
        QList<Item> batch = m_items.mid(0, n);
        m_items.remove(0, n);
        m_scheduled = !m_items.isEmpty();
        return {std::move(batch), m_scheduled};
    }

private:
    QMutex m_mutex;
    QList<Item> m_items;
    bool m_scheduled = false;
};

} // namespace Hive
