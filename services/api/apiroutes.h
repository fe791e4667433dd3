// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QHash>
#include <QHttpServerRequest>
#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
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

// One path of the table with its operations: what the router registers and what a 405 answers.
struct ApiResource
{
    QString path;                              // /api/v1/agents/{id}
    QRegularExpression pattern;                // the concrete paths: /api/v1/agents/<id>
    QHash<int, const ApiOperation *> byMethod; // QHttpServerRequest::Method → operation
    QString allowed;                           // "GET, DELETE": the Allow header of a 405
};

namespace ApiRoutes {

const QList<ApiOperation> &operations();
// operations() grouped by path, in the table's order; built once.
const QList<ApiResource> &resources();
// The resource a concrete path (/api/v1/agents/6f1c…) belongs to, or nullptr.
const ApiResource *resourceOf(const QString &path);
QString methodName(QHttpServerRequest::Method method); // "GET"
// The OpenAPI 3.1 description of operations(), with the schemas of agent, task, event, error.
QJsonObject openApi(const QString &version, const QString &serverUrl);
// /api/v1/agents/{id} → /api/v1/agents/<arg> (QHttpServer's placeholder)
QString routerPattern(const QString &path);

} // namespace ApiRoutes

} // namespace Hive
