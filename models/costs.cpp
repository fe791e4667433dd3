// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/costs.h"

#include "models/jsonutil.h"

#include <QJsonArray>

namespace Hive {

QJsonObject ProfileLimit::toJson() const
{
    return {{u"profile"_s, profile}, {u"until"_s, Json::time(until)}, {u"reason"_s, reason}};
}

ProfileLimit ProfileLimit::fromJson(const QJsonObject &o)
{
    return {o.value(u"profile").toString(),
            Json::parseTime(o.value(u"until")),
            o.value(u"reason").toString()};
}

QString CostReport::budgetState() const
{
    if (!dailyBudget)
        return u"ok"_s;
    if (today >= *dailyBudget)
        return u"exhausted"_s;
    if (today >= 0.8 * *dailyBudget)
        return u"warning"_s;
    return u"ok"_s;
}

QJsonObject CostReport::toJson() const
{
    QJsonArray d, a, t, l;
    for (const Day &x : perDay)
        d.append(QJsonObject{
            {u"day"_s, x.day.toString(Qt::ISODate)}, {u"cost_usd"_s, x.usd}, {u"runs"_s, x.runs}});
    for (const PerAgent &x : perAgent)
        a.append(QJsonObject{{u"agent_id"_s, x.agentId},
                             {u"name"_s, x.name},
                             {u"type"_s, x.type},
                             {u"cost_usd"_s, x.usd},
                             {u"runs"_s, x.runs}});
    for (const PerType &x : perType)
        t.append(QJsonObject{{u"type"_s, x.type}, {u"cost_usd"_s, x.usd}, {u"runs"_s, x.runs}});
    for (const ProfileLimit &x : limits)
        l.append(x.toJson());
    return {{u"days"_s, days},
            {u"per_day"_s, d},
            {u"per_agent"_s, a},
            {u"per_type"_s, t},
            {u"total_usd"_s, total},
            {u"today_usd"_s, today},
            {u"daily_budget_usd"_s,
             dailyBudget ? QJsonValue(*dailyBudget) : QJsonValue(QJsonValue::Null)},
            {u"budget_state"_s, budgetState()},
            {u"rate_limited"_s, l}};
}

CostReport CostReport::fromJson(const QJsonObject &o)
{
    CostReport r;
    r.days = o.value(u"days").toInt(7);
    for (const QJsonValue &v : o.value(u"per_day").toArray()) {
        const QJsonObject x = v.toObject();
        r.perDay.append({QDate::fromString(x.value(u"day").toString(), Qt::ISODate),
                         x.value(u"cost_usd").toDouble(),
                         x.value(u"runs").toInt()});
    }
    for (const QJsonValue &v : o.value(u"per_agent").toArray()) {
        const QJsonObject x = v.toObject();
        r.perAgent.append({x.value(u"agent_id").toString(),
                           x.value(u"name").toString(),
                           x.value(u"type").toString(),
                           x.value(u"cost_usd").toDouble(),
                           x.value(u"runs").toInt()});
    }
    for (const QJsonValue &v : o.value(u"per_type").toArray()) {
        const QJsonObject x = v.toObject();
        r.perType.append({x.value(u"type").toString(),
                          x.value(u"cost_usd").toDouble(),
                          x.value(u"runs").toInt()});
    }
    for (const QJsonValue &v : o.value(u"rate_limited").toArray())
        r.limits.append(ProfileLimit::fromJson(v.toObject()));
    r.total = o.value(u"total_usd").toDouble();
    r.today = o.value(u"today_usd").toDouble();
    if (o.value(u"daily_budget_usd").isDouble())
        r.dailyBudget = o.value(u"daily_budget_usd").toDouble();
    return r;
}

} // namespace Hive
