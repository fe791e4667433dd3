// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QHttpHeaders>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Hive {

// One refusal of the API: an HTTP status, a stable machine-readable code and a message for a
// person that names the offending field. The one place that maps error kinds to statuses (as
// qBittorrent's apierror.h). Codes, by status:
//   400 malformed_json, wrong_type, unknown_value, unknown_field, invalid_parameter
//   401 unauthorized   403 forbidden   404 not_found   405 method_not_allowed
//   400 malformed_request (the HTTP framing itself, answered before QHttpServer parses it)
//   408 request_timeout   409 conflict   413 payload_too_large   422 missing_field, invalid_value
//   426 upgrade_required   431 header_too_large   500 internal
//   503 unavailable, too_many_connections
// A 500 says nothing of its cause (an SQL error quotes the statement's values): a generic message
// and an id, logged with what went wrong.
struct ApiError
{
    int status = 500;
    QString code;
    QString message;
    QString id; // of a 500: the id of the log line that says what went wrong

    QJsonObject toJson() const; // {"error":{"code":…,"message":…[,"id":…]}}
    QHttpServerResponse toResponse() const;
    // A complete HTTP/1.1 response with "Connection: close", for the places that answer on the
    // raw socket before QHttpServer sees the request (connection limit, oversized bodies).
    QByteArray toRawHttp() const;

    static ApiError from(const Error &e);
    // A 500 for e: logged (api, error) under a new id; the answer has the id, not the message.
    static ApiError internal(const Error &e);
    static ApiError malformedJson(const QString &message);
    static ApiError wrongType(const QString &message);
    static ApiError unknownValue(const QString &message);
    static ApiError unknownField(const QString &message);
    static ApiError invalidParameter(const QString &message);
    static ApiError unauthorized(const QString &message);
    static ApiError forbidden(const QString &message);
    static ApiError notFound(const QString &message);
    static ApiError conflict(const QString &message);
    static ApiError missingField(const QString &message);
    static ApiError invalidValue(const QString &message);
    static ApiError unavailable(const QString &message);
    static ApiError tooLarge(qint64 limit);
};

// JSON answers. Every answer of the API goes through these (or ApiError), so that the content type
// and the headers are the same everywhere: no CORS header, ever.
QHttpServerResponse jsonResponse(const QJsonObject &body, int status = 200);
QHttpServerResponse jsonResponse(const QJsonArray &body, int status = 200);
// JSON already serialized (compact), sent as it is.
QHttpServerResponse jsonBytesResponse(const QByteArray &json, int status = 200);
QHttpServerResponse emptyResponse(int status); // 204
// The response with one more header (Location of a 201, Allow of a 405, Upgrade of a 426).
QHttpServerResponse withHeader(QHttpServerResponse &&response,
                               QHttpHeaders::WellKnownHeader name,
                               const QByteArray &value);

QByteArray reasonPhrase(int status);

} // namespace Hive
