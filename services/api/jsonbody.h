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
// A string anywhere in the body with U+0000 in it is refused (422, naming the field) by parse():
// PostgreSQL cannot store it in text, and argv (tmux) cannot carry it.
class JsonBody
{
public:
    static Result<JsonBody> parse(const QByteArray &body, const QStringList &knownFields);

    // The refusal of a JSON object with U+0000 in a string (field names and values, nested ones
    // too), naming where ("tool_input.command", "keys[2]"), or nothing.
    static std::optional<Error> nulRefusal(const QJsonObject &object);

    Result<std::optional<QString>> string(const QString &field) const;
    Result<std::optional<bool>> boolean(const QString &field) const;
    Result<std::optional<qint64>> integer(const QString &field) const;
    Result<std::optional<QStringList>> stringList(const QString &field) const;

    const QJsonObject &object() const { return m_object; }

private:
    QJsonObject m_object;
};

} // namespace Hive
