// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace Hive {

// A request body: one JSON object whose fields are all known. Each getter checks the type and
// names the field in its refusal; an absent field or null is std::nullopt. Wrong types, unknown
// fields and malformed JSON are 400; values that are well-formed but invalid are the caller's 422.
class JsonBody
{
public:
    static Result<JsonBody> parse(const QByteArray &body, const QStringList &knownFields);

    Result<std::optional<QString>> string(const QString &field) const;
    Result<std::optional<bool>> boolean(const QString &field) const;
    Result<std::optional<qint64>> integer(const QString &field) const;
    Result<std::optional<QStringList>> stringList(const QString &field) const;

    const QJsonObject &object() const { return m_object; }

private:
    QJsonObject m_object;
};

} // namespace Hive
