// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apicontroller.h"

#include "services/engine.h"

using namespace Qt::StringLiterals;

namespace Hive {

ApiController::ApiController(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{}

QFuture<QHttpServerResponse> ApiController::ready(QHttpServerResponse &&response)
{
    return QtFuture::makeReadyValueFuture(std::move(response));
}

QFuture<QHttpServerResponse> ApiController::ready(const ApiError &error)
{
    return ready(error.toResponse());
}

QHttpServerResponse ApiController::engineStopped()
{
    return ApiError::unavailable(u"the engine stopped before answering"_s).toResponse();
}

std::optional<ApiError> ApiController::checkQuery(const QUrlQuery &query, const QStringList &known)
{
    QStringList seen;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        Q_UNUSED(value);
        if (!known.contains(key))
            return ApiError::invalidParameter(
                known.isEmpty()
                    ? u"%1: unknown query parameter (this path takes none)"_s.arg(key)
                    : u"%1: unknown query parameter (known: %2)"_s.arg(key, known.join(u", "_s)));
        if (seen.contains(key))
            return ApiError::invalidParameter(u"%1: given more than once"_s.arg(key));
        seen << key;
    }
    return std::nullopt;
}

std::optional<QString> ApiController::queryValue(const QUrlQuery &query, const QString &name)
{
    if (!query.hasQueryItem(name))
        return std::nullopt;
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

Result<int>
ApiController::queryInt(const QUrlQuery &query, const QString &name, int min, int max, int fallback)
{
    const auto v = queryValue(query, name);
    if (!v)
        return fallback;
    bool ok = false;
    const int n = v->toInt(&ok);
    if (!ok || n < min || n > max)
        return failure(Error::badRequest(
            u"%1: expected an integer from %2 to %3, got '%4'"_s.arg(name).arg(min).arg(max).arg(
                *v),
            u"invalid_parameter"_s));
    return n;
}

QHttpServerResponse ApiController::created(const QJsonObject &body, const QString &location)
{
    return withHeader(
        jsonResponse(body, 201), QHttpHeaders::WellKnownHeader::Location, location.toUtf8());
}

std::optional<ApiError> ApiController::needsRedis() const
{
    // The engine's own view (any thread), the one GET /health reports too.
    if (!m_engine->redisConnected())
        return ApiError::unavailable(
            u"Redis unreachable: state changes are refused until it is back"_s);
    return std::nullopt;
}

} // namespace Hive
