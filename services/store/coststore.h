// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QString>

namespace Hive {

// Why an agent may not take a task now (Database::dispatchHold, coststore.cpp): its profile is
// rate-limited, or the daily budget is spent. A claim is refused with code and message.
struct DispatchHold
{
    QString code;    // "rate_limited" or "budget_exhausted"
    QString message; // in words, naming the limit
    QDateTime until; // when it ends by itself (the reset; the next UTC day for the budget)
};

} // namespace Hive
