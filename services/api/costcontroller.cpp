// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/costcontroller.h"

#include "services/api/jsonbody.h"
#include "services/engine.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive {

QHash<QString, ApiController::Handler> CostController::handlers()
{
    return {{u"getCosts"_s, bind(&CostController::costs)},
            {u"setBudget"_s, bind(&CostController::setBudget)},
            {u"listLimits"_s, bind(&CostController::limits)},
            {u"clearLimit"_s, bind(&CostController::clearLimit)}};
}

QFuture<QHttpServerResponse> CostController::costs(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"days"_s}))
        return ready(*e);
    const auto days = queryInt(call.query, u"days"_s, 1, 366, 7);
    if (!days)
        return ready(ApiError::from(days.error()));
    return respond(m_engine->costs(*days), [](Result<CostReport> r) {
        if (!r)
            return ApiError::from(r.error()).toResponse();
        return jsonResponse(r->toJson());
    });
}

QFuture<QHttpServerResponse> CostController::setBudget(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"daily_usd"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const QJsonValue v = body->object().value(u"daily_usd");
    if (v.isUndefined())
        return ready(ApiError::missingField(
            u"daily_usd: required, the daily budget in US dollars, or null for none"_s));
    std::optional<double> usd;
    if (v.isDouble()) {
        usd = v.toDouble();
        if (!(*usd >= 0) || *usd > 1e9)
            return ready(ApiError::invalidValue(
                u"daily_usd: %1 is not a number of dollars from 0 to 1e9"_s.arg(*usd)));
    } else if (!v.isNull()) {
        return ready(ApiError::wrongType(u"daily_usd: expected a number or null"_s));
    }
    return respond(m_engine->setDailyBudget(usd), [](Result<CostReport> r) {
        if (!r)
            return ApiError::from(r.error()).toResponse();
        return jsonResponse(r->toJson());
    });
}

QFuture<QHttpServerResponse> CostController::limits(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->profileLimits(), [](Result<QList<ProfileLimit>> r) {
        if (!r)
            return ApiError::from(r.error()).toResponse();
        QJsonArray out;
        for (const ProfileLimit &l : std::as_const(*r))
            out.append(l.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> CostController::clearLimit(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(m_engine->clearProfileLimit(call.id), [](Result<> r) {
        if (!r)
            return ApiError::from(r.error()).toResponse();
        return emptyResponse(204);
    });
}

} // namespace Hive
