// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/jsonbody.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// A 400 refusal with the API's code for it.
Error bad(const QString &code, const QString &message)
{
    return Error::badRequest(message, code);
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

Error wrong(const QString &field, const QString &expected, const QJsonValue &got)
{
    return bad(u"wrong_type"_s, u"%1: expected %2, got %3"_s.arg(field, expected, typeName(got)));
}

// Where in v a string holds U+0000 ("name", "a.b", "keys[2]"), or nothing.
std::optional<QString> nulAt(const QJsonValue &v, const QString &where)
{
    const QChar nul(u'\0');
    if (v.isString())
        return v.toString().contains(nul) ? std::optional<QString>(where) : std::nullopt;
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            if (auto at = nulAt(a.at(i), u"%1[%2]"_s.arg(where).arg(i)))
                return at;
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            const QString path = where.isEmpty() ? key : where + u'.' + key;
            if (key.contains(nul))
                return QString(path).replace(nul, u"\\u0000"_s);
            if (auto at = nulAt(it.value(), path))
                return at;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Error> JsonBody::nulRefusal(const QJsonObject &object)
{
    if (const auto at = nulAt(object, {}))
        return Error::invalid(u"%1: must not contain U+0000 (NUL)"_s.arg(at->left(200)),
                              u"invalid_value"_s);
    return std::nullopt;
}

Result<JsonBody> JsonBody::parse(const QByteArray &body, const QStringList &knownFields)
{
    if (body.trimmed().isEmpty())
        return std::unexpected(
            bad(u"malformed_json"_s, u"body: expected a JSON object, got an empty body"_s));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError)
        return std::unexpected(
            bad(u"malformed_json"_s,
                u"body: malformed JSON at offset %1: %2"_s.arg(err.offset).arg(err.errorString())));
    if (!doc.isObject())
        return std::unexpected(bad(u"wrong_type"_s,
                                   u"body: expected a JSON object, got %1"_s.arg(
                                       doc.isArray() ? u"an array"_s : u"a scalar"_s)));
    JsonBody b;
    b.m_object = doc.object();
    for (auto it = b.m_object.constBegin(); it != b.m_object.constEnd(); ++it) {
        if (!knownFields.contains(it.key()))
            return std::unexpected(
                bad(u"unknown_field"_s,
                    u"%1: unknown field (known: %2)"_s.arg(it.key(), knownFields.join(u", "_s))));
    }
    if (auto e = nulRefusal(b.m_object))
        return std::unexpected(*e);
    return b;
}

Result<std::optional<QString>> JsonBody::string(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    if (!v.isString())
        return std::unexpected(wrong(field, u"a string"_s, v));
    return std::optional<QString>(v.toString());
}

Result<std::optional<bool>> JsonBody::boolean(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<bool>();
    if (!v.isBool())
        return std::unexpected(wrong(field, u"a boolean"_s, v));
    return std::optional<bool>(v.toBool());
}

Result<std::optional<qint64>> JsonBody::integer(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<qint64>();
    // JSON has only numbers: 3 and 3.0 are the same integer; 3.5 and 1e300 are not integers.
    const double d = v.toDouble();
    if (!v.isDouble() || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0)
        return std::unexpected(wrong(field, u"an integer"_s, v));
    return std::optional<qint64>(static_cast<qint64>(d));
}

Result<std::optional<QStringList>> JsonBody::stringList(const QString &field) const
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<QStringList>();
    if (!v.isArray())
        return std::unexpected(wrong(field, u"an array of strings"_s, v));
    QStringList out;
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a.at(i).isString())
            return std::unexpected(wrong(u"%1[%2]"_s.arg(field).arg(i), u"a string"_s, a.at(i)));
        out << a.at(i).toString();
    }
    return std::optional<QStringList>(out);
}

} // namespace Hive
