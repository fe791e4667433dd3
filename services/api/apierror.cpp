// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apierror.h"

#include "services/core/logging.h"

#include <QHttpHeaders>
#include <QJsonDocument>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QHttpServerResponder::StatusCode statusCode(int status)
{
    return static_cast<QHttpServerResponder::StatusCode>(status);
}

// Answers are never cached and never sniffed as something else than JSON.
QHttpServerResponse withHeaders(QHttpServerResponse &&response)
{
    QHttpHeaders h = response.headers();
    h.append(QHttpHeaders::WellKnownHeader::CacheControl, "no-store");
    h.append(QHttpHeaders::WellKnownHeader::XContentTypeOptions, "nosniff");
    response.setHeaders(std::move(h));
    return std::move(response);
}

} // namespace

QJsonObject ApiError::toJson() const
{
    QJsonObject error{{u"code"_s, code}, {u"message"_s, message}};
    if (!id.isEmpty())
        error.insert(u"id"_s, id);
    return QJsonObject{{u"error"_s, error}};
}

QHttpServerResponse ApiError::toResponse() const
{
    return jsonResponse(toJson(), status);
}

QByteArray ApiError::toRawHttp() const
{
    const QByteArray body = QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
           + "\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(body.size())
           + "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: "
             "close\r\n\r\n"
           + body;
}

ApiError ApiError::from(const Error &e)
{
    const auto with = [&e](ApiError a) {
        if (!e.code.isEmpty())
            a.code = e.code;
        return a;
    };
    switch (e.kind) {
    case Error::Kind::BadRequest:
        return with(invalidParameter(e.message));
    case Error::Kind::Unavailable:
        return with(unavailable(e.message.isEmpty() ? u"PostgreSQL unreachable"_s : e.message));
    case Error::Kind::NotFound:
        return with(notFound(e.message.isEmpty() ? u"not found"_s : e.message));
    case Error::Kind::Conflict:
        return with(conflict(e.message));
    case Error::Kind::Invalid:
        return with(invalidValue(e.message));
    case Error::Kind::Internal:
        break;
    }
    return internal(e);
}

ApiError ApiError::internal(const Error &e)
{
    // 48 random bits: enough to find the one line in the log.
    const QString id
        = u"%1"_s.arg(qulonglong(QRandomGenerator::global()->generate64() & 0xffffffffffffULL),
                      12,
                      16,
                      QLatin1Char('0'));
    Logging::get("api")->error(
        "internal error {}: {}", id, e.message.isEmpty() ? u"(no message)"_s : e.message);
    ApiError a{500,
               u"internal"_s,
               u"internal error; the log (api, error %1) says what went wrong"_s.arg(id)};
    a.id = id;
    return a;
}

ApiError ApiError::malformedJson(const QString &message)
{
    return {400, u"malformed_json"_s, message};
}

ApiError ApiError::wrongType(const QString &message)
{
    return {400, u"wrong_type"_s, message};
}

ApiError ApiError::unknownValue(const QString &message)
{
    return {400, u"unknown_value"_s, message};
}

ApiError ApiError::unknownField(const QString &message)
{
    return {400, u"unknown_field"_s, message};
}

ApiError ApiError::invalidParameter(const QString &message)
{
    return {400, u"invalid_parameter"_s, message};
}

ApiError ApiError::unauthorized(const QString &message)
{
    return {401, u"unauthorized"_s, message};
}

ApiError ApiError::forbidden(const QString &message)
{
    return {403, u"forbidden"_s, message};
}

ApiError ApiError::notFound(const QString &message)
{
    return {404, u"not_found"_s, message};
}

ApiError ApiError::conflict(const QString &message)
{
    return {409, u"conflict"_s, message};
}

ApiError ApiError::missingField(const QString &message)
{
    return {422, u"missing_field"_s, message};
}

ApiError ApiError::invalidValue(const QString &message)
{
    return {422, u"invalid_value"_s, message};
}

ApiError ApiError::unavailable(const QString &message)
{
    return {503, u"unavailable"_s, message};
}

ApiError ApiError::tooLarge(qint64 limit)
{
    return {413, u"payload_too_large"_s, u"the request body is larger than %1 bytes"_s.arg(limit)};
}

QHttpServerResponse jsonResponse(const QJsonObject &body, int status)
{
    return withHeaders(QHttpServerResponse(body, statusCode(status)));
}

QHttpServerResponse jsonResponse(const QJsonArray &body, int status)
{
    return withHeaders(QHttpServerResponse(body, statusCode(status)));
}

QHttpServerResponse jsonBytesResponse(const QByteArray &json, int status)
{
    return withHeaders(QHttpServerResponse("application/json"_ba, json, statusCode(status)));
}

QHttpServerResponse emptyResponse(int status)
{
    return withHeaders(QHttpServerResponse(statusCode(status)));
}

QHttpServerResponse withHeader(QHttpServerResponse &&response,
                               QHttpHeaders::WellKnownHeader name,
                               const QByteArray &value)
{
    QHttpHeaders h = response.headers();
    h.append(name, value);
    response.setHeaders(std::move(h));
    return std::move(response);
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

} // namespace Hive
