// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace Hive {

// A profile whose agent CLI reported a rate or usage limit: no task is handed to its agents
// until `until` (the reset the CLI named, or a default pause).
struct ProfileLimit
{
    QString profile;
    QDateTime until;
    QString reason; // what the CLI said
    QJsonObject toJson() const;
    static ProfileLimit fromJson(const QJsonObject &o);
};

// What the agents spent (the agent CLI's reported cost of each attempt, task_runs.cost_usd), over
// the last `days` days (UTC days, today included), and the daily budget.
struct CostReport
{
    struct Day
    {
        QDate day; // UTC
        double usd = 0;
        int runs = 0;
    };
    struct PerAgent
    {
        QString agentId;
        QString name;
        QString type;
        double usd = 0;
        int runs = 0;
    };
    struct PerType
    {
        QString type;
        double usd = 0;
        int runs = 0;
    };

    int days = 7;
    QList<Day> perDay;        // every day of the period, oldest first (zero when nothing was spent)
    QList<PerAgent> perAgent; // most expensive first
    QList<PerType> perType;   // most expensive first
    double total = 0;
    double today = 0;
    std::optional<double> dailyBudget; // none: no budget
    QList<ProfileLimit> limits;        // the profiles paused now

    // "ok", "warning" (80 % of the budget spent today), "exhausted" (dispatch stopped)
    QString budgetState() const;
    QJsonObject toJson() const;
    static CostReport fromJson(const QJsonObject &o);
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::CostReport)
