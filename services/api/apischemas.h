// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

// The JSON Schema pieces of openapi.json: small builders for the route table's query parameters,
// and the components/schemas (agent, task, event, error and the request bodies).
namespace Hive::ApiSchemas {

QJsonObject ref(const QString &schema); // {"$ref": "#/components/schemas/<schema>"}
QJsonObject type(const QString &t, const QString &description = {});
QJsonObject nullable(const QString &t, const QString &format = {});
QJsonObject formatted(const QString &t, const QString &format);
QJsonObject integer(int min, int max, const QString &description = {});
QJsonObject enumOf(const QStringList &values);
QJsonObject object(const QJsonObject &properties, const QStringList &required, bool closed = false);
QJsonObject queryParam(const QString &name, const QJsonObject &schema, const QString &description);
QJsonObject agentType(); // a string with the agent type's pattern

QJsonObject components();     // every named schema
QString describe(int status); // what a status means in this API

} // namespace Hive::ApiSchemas
