// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiauth.h"

#include <QHttpServerRequest>

using namespace Qt::StringLiterals;

namespace Hive::ApiAuth {

bool isAllowedHost(QByteArrayView value)
{
    const QByteArray h = value.trimmed().toByteArray().toLower();
    QByteArray host = h;
    QByteArray port;
    if (h.startsWith('[')) {
        const qsizetype close = h.indexOf(']');
        if (close < 0)
            return false;
        host = h.first(close + 1);
        const QByteArray rest = h.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(':'))
                return false;
            port = rest.sliced(1);
        }
    } else if (const qsizetype colon = h.indexOf(':'); colon >= 0) {
        host = h.first(colon);
        port = h.sliced(colon + 1);
    }
    if (!port.isNull()) {
        bool ok = false;
        const int n = port.toInt(&ok);
        if (!ok || port.isEmpty() || port.size() > 5 || n < 0 || n > 65535 || port.startsWith('+'))
            return false;
    }
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

bool constantTimeEquals(QByteArrayView presented, QByteArrayView secret)
{
    unsigned char diff = presented.size() == secret.size() ? 0 : 1;
    for (qsizetype i = 0; i < secret.size(); ++i) {
        const char p = i < presented.size() ? presented[i] : '\0';
        diff |= static_cast<unsigned char>(p ^ secret[i]);
    }
    return diff == 0;
}

bool tokenMatches(QByteArrayView presented, QByteArrayView secret)
{
    return !secret.isEmpty() && constantTimeEquals(presented, secret);
}

std::optional<QByteArray> bearerToken(const QHttpHeaders &headers)
{
    const auto values = headers.values(QHttpHeaders::WellKnownHeader::Authorization);
    if (values.size() != 1)
        return std::nullopt;
    const QByteArrayView v = QByteArrayView(values.first()).trimmed();
    constexpr QByteArrayView scheme = "bearer ";
    if (v.size() <= scheme.size()
        || v.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return v.sliced(scheme.size()).trimmed().toByteArray();
}

bool isWebSocketUpgrade(const QHttpHeaders &headers)
{
    return headers.value(QHttpHeaders::WellKnownHeader::Upgrade)
               .compare("websocket", Qt::CaseInsensitive)
           == 0;
}

bool overUnixSocket(const QHttpServerRequest &request)
{
    return request.localPort() == 0 && request.remotePort() == 0;
}

std::optional<ApiError> refusal(const QHttpHeaders &headers, bool needsToken, QByteArrayView secret)
{
    // A browser sends Origin with every cross-origin and every POST request: no web page may drive
    // the API, whatever it is.
    if (headers.contains(QHttpHeaders::WellKnownHeader::Origin))
        return ApiError::forbidden(u"Origin: requests from web pages are refused"_s);
    const auto hosts = headers.values(QHttpHeaders::WellKnownHeader::Host);
    if (hosts.size() != 1)
        return ApiError::forbidden(
            u"Host: expected exactly one Host header (localhost, 127.0.0.1 or [::1])"_s);
    if (!isAllowedHost(hosts.first()))
        return ApiError::forbidden(u"Host: '%1' is not localhost, 127.0.0.1 or [::1]"_s.arg(
            QString::fromLatin1(hosts.first().left(100))));
    if (!needsToken)
        return std::nullopt;
    const auto token = bearerToken(headers);
    if (!token)
        return ApiError::unauthorized(
            u"missing bearer token: send 'Authorization: Bearer <token>' (the token is in "
            "<data-dir>/api-token)"_s);
    if (!tokenMatches(*token, secret))
        return ApiError::unauthorized(u"wrong bearer token"_s);
    return std::nullopt;
}

std::optional<ApiError>
webSocketRefusal(const QHttpHeaders &headers, const QUrlQuery &query, QByteArrayView secret)
{
    if (auto e = refusal(headers, false, secret))
        return e;
    const auto bearer = bearerToken(headers);
    std::optional<QByteArray> queryToken;
    if (query.hasQueryItem(u"token"_s))
        queryToken = query.queryItemValue(u"token"_s, QUrl::FullyDecoded).toUtf8();
    if (!bearer && !queryToken)
        return ApiError::unauthorized(
            u"missing token: send 'Authorization: Bearer <token>' or ?token=<token>"_s);
    if (!tokenMatches(bearer ? *bearer : *queryToken, secret))
        return ApiError::unauthorized(u"wrong token"_s);
    return std::nullopt;
}

} // namespace Hive::ApiAuth
