// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QHttpServerRequest>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

namespace Hive {

// One operation of /api/v1: what the server routes and what openapi.json describes, from the same
// table (ApiService refuses to start if an operation has no handler or a handler no operation).
struct ApiOperation
{
    QHttpServerRequest::Method method;
    QString path; // OpenAPI form: /api/v1/agents/{id}
    QString id;   // operationId, and the key of its handler
    QString summary;
    bool needsToken = true;                   // over TCP; the Unix socket needs none
    QList<QJsonObject> queryParameters;       // OpenAPI parameter objects ("in": "query")
    QString requestSchema;                    // components/schemas name of the body, if any
    QList<std::pair<int, QString>> responses; // status → components/schemas name ("" = no body)
};

namespace ApiRoutes {

const QList<ApiOperation> &operations();
QString methodName(QHttpServerRequest::Method method); // "GET"
// The OpenAPI 3.1 description of operations(), with the schemas of agent, task, event, error.
QJsonObject openApi(const QString &version, const QString &serverUrl);
// /api/v1/agents/{id} → /api/v1/agents/<arg> (QHttpServer's placeholder)
QString routerPattern(const QString &path);

} // namespace ApiRoutes

} // namespace Hive
