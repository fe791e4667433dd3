// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Money and limits: what the agents spent (per agent, type and UTC day), the daily budget and its
// alerts, and the profiles paused by a rate or usage limit; claims ask dispatchHold() first.
#include "services/store/database.h"

#include "services/core/logging.h"
#include "services/store/rows.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("store");
}

// The start of today (UTC) as PostgreSQL computes it: the same clock as finished_at.
const QString kTodayStart = u"(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"_s;

QString money(double usd)
{
    return u"$%1"_s.arg(usd, 0, 'f', 2);
}
} // namespace

Result<> Database::recordData(Change &change, const QString &type, const QJsonObject &data)
{
    Event e;
    e.type = type;
    e.data = data;
    e = defer(std::move(e), QString(), QString());
    change.events << e;
    return {};
}

Result<std::optional<double>> Database::dailyBudget()
{
    auto q = exec(u"SELECT daily_usd FROM budget WHERE id"_s);
    if (!q)
        return failure(q.error());
    if (!q->next() || q->value(u"daily_usd"_s).isNull())
        return std::optional<double>();
    return std::optional<double>(q->value(u"daily_usd"_s).toDouble());
}

Result<double> Database::spentToday()
{
    auto q = exec(u"SELECT coalesce(sum(cost_usd), 0) AS usd FROM task_runs WHERE finished_at >= "_s
                  + kTodayStart);
    if (!q)
        return failure(q.error());
    q->next();
    return q->value(u"usd"_s).toDouble();
}

Result<Change> Database::setDailyBudget(std::optional<double> usd)
{
    if (usd && (!(*usd >= 0) || *usd > 1e9))
        return failure(
            Error::invalid(u"daily_budget_usd: expected a number of dollars from 0, or null"_s));
    return transaction([&]() -> Result<Change> {
        Change c;
        const QVariant v = usd ? QVariant(*usd) : QVariant(QMetaType::fromType<double>());
        if (auto r = exec(u"INSERT INTO budget (id, daily_usd) VALUES (true, ?) ON CONFLICT (id) "
                          "DO UPDATE SET daily_usd = EXCLUDED.daily_usd, updated_at = now()"_s,
                          {v});
            !r)
            return failure(r.error());
        // A raised budget may warn and stop again today; a lowered one alerts at once.
        if (auto r
            = exec(u"DELETE FROM budget_alerts WHERE day = (now() AT TIME ZONE 'UTC')::date"_s);
            !r)
            return failure(r.error());
        auto spent = spentToday();
        if (!spent)
            return failure(spent.error());
        if (auto r = recordData(
                c,
                u"budget.changed"_s,
                {{u"daily_budget_usd"_s, usd ? QJsonValue(*usd) : QJsonValue(QJsonValue::Null)},
                 {u"today_usd"_s, *spent}});
            !r)
            return failure(r.error());
        if (auto r = budgetAlerts(c); !r)
            return failure(r.error());
        return c;
    });
}

Result<> Database::budgetAlerts(Change &change)
{
    auto budget = dailyBudget();
    if (!budget)
        return failure(budget.error());
    if (!*budget)
        return {};
    auto spent = spentToday();
    if (!spent)
        return failure(spent.error());
    for (const int level : {80, 100}) {
        if (*spent < **budget * level / 100.0)
            continue;
        auto q = exec(u"INSERT INTO budget_alerts (day, level) VALUES ((now() AT TIME ZONE "
                      "'UTC')::date, ?) ON CONFLICT DO NOTHING RETURNING level"_s,
                      {level});
        if (!q)
            return failure(q.error());
        if (!q->next())
            continue; // sent already today
        log()->warn(
            "daily budget: {} of {} spent today ({} %)", money(*spent), money(**budget), level);
        if (auto r = recordData(change,
                                level == 100 ? u"budget.exhausted"_s : u"budget.warning"_s,
                                {{u"daily_budget_usd"_s, **budget},
                                 {u"today_usd"_s, *spent},
                                 {u"percent"_s, level}});
            !r)
            return failure(r.error());
    }
    return {};
}

Result<std::optional<DispatchHold>> Database::dispatchHold(const QString &agentId)
{
    auto h = claimCheck(agentId, false);
    if (!h)
        return failure(h.error());
    return h->second;
}

Result<std::pair<bool, std::optional<DispatchHold>>> Database::claimCheck(const QString &agentId,
                                                                          bool lock)
{
    // One round trip: the agent's paused flag (its row locked for a claim, which orders the claim
    // with a pause), its profile's limit in force, the budget and, only when there is one, what
    // today cost.
    static const QString sql = u"SELECT a.paused, l.profile, l.until, l.reason, b.daily_usd, "
                               "CASE WHEN b.daily_usd IS NULL THEN 0 ELSE (SELECT "
                               "coalesce(sum(cost_usd), 0) FROM task_runs WHERE finished_at >= "_s
                               + kTodayStart
                               + u") END AS spent FROM agents a LEFT JOIN profile_limits l ON "
                                 "l.profile = a.profile AND l.until > now() LEFT JOIN budget b ON "
                                 "b.id WHERE a.id = ?::uuid"_s;
    static const QString locking = sql + u" FOR UPDATE OF a"_s;
    auto q = exec(lock ? locking : sql, {agentId});
    if (!q)
        return failure(q.error());
    std::pair<bool, std::optional<DispatchHold>> out{false, std::nullopt};
    if (!q->next())
        return out; // no such agent: nothing holds it (the claim finds it is not there)
    out.first = q->value(u"paused"_s).toBool();
    if (!q->value(u"profile"_s).isNull()) {
        const QDateTime until = q->value(u"until"_s).toDateTime().toUTC();
        const QString reason = q->value(u"reason"_s).toString();
        out.second = DispatchHold{
            u"rate_limited"_s,
            u"profile %1 is rate-limited until %2%3: its agents take no task before then"_s.arg(
                q->value(u"profile"_s).toString(),
                until.toString(Qt::ISODate),
                reason.isEmpty() ? QString() : u" (%1)"_s.arg(reason)),
            until};
        return out;
    }
    if (q->value(u"daily_usd"_s).isNull())
        return out;
    const double budget = q->value(u"daily_usd"_s).toDouble();
    const double spent = q->value(u"spent"_s).toDouble();
    if (spent < budget)
        return out;
    const QDateTime tomorrow(
        QDateTime::currentDateTimeUtc().date().addDays(1), QTime(0, 0), QTimeZone::UTC);
    out.second = DispatchHold{
        u"budget_exhausted"_s,
        u"the daily budget is spent: %1 of %2 today (UTC); no task is handed out "
        "until 00:00 UTC or until the budget is raised"_s.arg(money(spent), money(budget)),
        tomorrow};
    return out;
}

Result<Change> Database::finishRateLimited(const QString &taskId,
                                           const QString &agentId,
                                           const TaskResult &result,
                                           const QDateTime &until,
                                           const QString &reason)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto cur = exec(u"SELECT "_s + kTaskColumns
                            + u" FROM tasks WHERE id = ?::uuid AND agent_id = ?::uuid AND status "
                              "IN ('assigned', 'running') FOR UPDATE"_s,
                        {taskId, agentId});
        if (!cur)
            return failure(cur.error());
        if (cur->next()) {
            const Task before = taskFromRow(*cur);
            const QVariant cost = result.costUsd ? QVariant(*result.costUsd)
                                                 : QVariant(QMetaType::fromType<double>());
            QString output = result.output;
            output.replace(QChar(0), QChar(0xFFFD));
            if (auto r
                = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, "
                       "started_at, exit_code, output, duration_ms, cost_usd, report, error) "
                       "VALUES (?::uuid, ?, ?::uuid, 'failed', ?, ?, ?, ?, ?, ?::jsonb, ?)"_s,
                       {taskId,
                        before.attempts,
                        agentId,
                        before.startedAt,
                        result.exitCode,
                        output,
                        result.durationMs,
                        cost,
                        reportJson(result.report),
                        u"rate limited: %1"_s.arg(reason)});
                !r)
                return failure(r.error());
            // Queued again without counting the attempt: the limit was the account's, not the
            // task's; it waits for the reset like every other task of the profile.
            auto task = updateTask(
                u"UPDATE tasks SET status = 'queued', agent_id = NULL, started_at = NULL, "
                "attempts = greatest(attempts - 1, 0), error = ? WHERE id = ?::uuid"_s,
                {u"rate limited until %1: %2"_s.arg(until.toUTC().toString(Qt::ISODate), reason),
                 taskId});
            if (!task)
                return failure(task.error());
            if (auto r = recordInto(c, u"task.queued"_s, std::nullopt, *task); !r)
                return failure(r.error());
            c.enqueue << *task;
            c.task = *task;
        }
        auto lim = exec(u"INSERT INTO profile_limits (profile, until, reason) SELECT profile, ?, ? "
                        "FROM agents WHERE id = ?::uuid ON CONFLICT (profile) DO UPDATE SET "
                        "until = greatest(profile_limits.until, EXCLUDED.until), reason = "
                        "EXCLUDED.reason, since = now() RETURNING profile, until"_s,
                        {until.toUTC(), reason, agentId});
        if (!lim)
            return failure(lim.error());
        if (lim->next()) {
            const QString profile = lim->value(u"profile"_s).toString();
            const QDateTime at = lim->value(u"until"_s).toDateTime();
            log()->warn("profile {} rate-limited until {}: {}",
                        profile,
                        at.toUTC().toString(Qt::ISODate),
                        reason);
            if (auto r = recordData(
                    c, u"profile.rate_limited"_s, ProfileLimit{profile, at, reason}.toJson());
                !r)
                return failure(r.error());
        }
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return failure(idle.error());
        c.merge(*idle);
        if (result.costUsd && *result.costUsd > 0) {
            if (auto r = budgetAlerts(c); !r)
                return failure(r.error());
        }
        return c;
    });
}

Result<QList<ProfileLimit>> Database::profileLimits()
{
    auto q = exec(u"SELECT profile, until, reason FROM profile_limits WHERE until > now() "
                  "ORDER BY until"_s);
    if (!q)
        return failure(q.error());
    QList<ProfileLimit> out;
    while (q->next())
        out.append({q->value(u"profile"_s).toString(),
                    q->value(u"until"_s).toDateTime(),
                    q->value(u"reason"_s).toString()});
    return out;
}

Result<Change> Database::clearProfileLimit(const QString &profile)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto q = exec(u"DELETE FROM profile_limits WHERE profile = ? AND until > now() "
                      "RETURNING profile"_s,
                      {profile});
        if (!q)
            return failure(q.error());
        if (!q->next())
            return failure(Error::notFound(u"profile %1 is not rate-limited"_s.arg(profile)));
        if (auto r = recordData(c, u"profile.resumed"_s, {{u"profile"_s, profile}}); !r)
            return failure(r.error());
        return c;
    });
}

Result<CostReport> Database::costs(int days)
{
    CostReport rep;
    rep.days = qBound(1, days, 366);
    const QString since = u"(%1 - make_interval(days => ?))"_s.arg(kTodayStart);
    const int back = rep.days - 1;
    auto perDay = exec(u"SELECT (finished_at AT TIME ZONE 'UTC')::date AS day, "
                       "coalesce(sum(cost_usd), 0) AS usd, count(cost_usd) AS runs FROM task_runs "
                       "WHERE finished_at >= "_s
                           + since + u" GROUP BY 1 ORDER BY 1"_s,
                       {back});
    if (!perDay)
        return failure(perDay.error());
    QHash<QDate, CostReport::Day> byDay;
    while (perDay->next()) {
        const QDate d = perDay->value(u"day"_s).toDate();
        byDay.insert(d, {d, perDay->value(u"usd"_s).toDouble(), perDay->value(u"runs"_s).toInt()});
    }
    const QDate today = QDateTime::currentDateTimeUtc().date();
    for (int i = back; i >= 0; --i) {
        const QDate d = today.addDays(-i);
        const CostReport::Day x = byDay.value(d, CostReport::Day{d, 0, 0});
        rep.perDay << x;
        rep.total += x.usd;
    }
    auto perAgent = exec(
        u"SELECT r.agent_id::text AS id, coalesce(a.name, '') AS name, coalesce(a.type, "
        u"t.agent_type) "
        "AS type, coalesce(sum(r.cost_usd), 0) AS usd, count(r.cost_usd) AS runs FROM task_runs r "
        "JOIN tasks t ON t.id = r.task_id LEFT JOIN agents a ON a.id = r.agent_id WHERE "
        "r.finished_at >= "_s
            + since + u" AND r.cost_usd IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 4 DESC, 2"_s,
        {back});
    if (!perAgent)
        return failure(perAgent.error());
    QHash<QString, int> typeIndex;
    while (perAgent->next()) {
        CostReport::PerAgent a{perAgent->value(u"id"_s).toString(),
                               perAgent->value(u"name"_s).toString(),
                               perAgent->value(u"type"_s).toString(),
                               perAgent->value(u"usd"_s).toDouble(),
                               perAgent->value(u"runs"_s).toInt()};
        rep.perAgent << a;
        if (!typeIndex.contains(a.type)) {
            typeIndex.insert(a.type, rep.perType.size());
            rep.perType << CostReport::PerType{a.type, 0, 0};
        }
        CostReport::PerType &t = rep.perType[typeIndex.value(a.type)];
        t.usd += a.usd;
        t.runs += a.runs;
    }
    std::stable_sort(rep.perType.begin(), rep.perType.end(), [](const auto &x, const auto &y) {
        return x.usd > y.usd;
    });
    auto spent = spentToday();
    if (!spent)
        return failure(spent.error());
    rep.today = *spent;
    auto budget = dailyBudget();
    if (!budget)
        return failure(budget.error());
    rep.dailyBudget = *budget;
    auto limits = profileLimits();
    if (!limits)
        return failure(limits.error());
    rep.limits = *limits;
    return rep;
}

} // namespace Hive
