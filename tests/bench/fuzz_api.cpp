// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// Nobody locked out: a fuzzer over the REST API of the real `agenthive` (headless, on the fixture's
// PostgreSQL and Redis) with hive-runner workers present. Requests are built from the routes and
// schemas the app describes itself (GET /api/v1/openapi.json): bodies with wrong types, values out
// of range and huge, deep nesting, odd UTF-8 (overlongs, lone surrogates, U+0000, stray bytes),
// bad ids and paths and query values, odd methods, missing and wrong tokens, and raw malformed
// HTTP written to the TCP port and the Unix socket.
//
// Checked: every answer is well-formed HTTP with a status below 500; GET /api/v1/health is ok after
// each batch; the app and every runner are still running; and a batch whose requests were all
// refused left the agents, tasks, task_runs and events tables as they were. Requests that may be
// accepted (odd but valid text) run in batches of their own. Exits 1 on any finding.
//
// Usage: fuzz_api [--seed S] [--requests N] [--batch N]
// The findings (each request escaped, with its answer) go to <test root>/fuzz-seed<S>-<pid>/.
#include "tests/bench/benchkit.h"
#include "tests/fixture/hivefixture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QThread>
#include <QUuid>

#include <cstdio>
#include <functional>
#include <map>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Bench;

namespace {

struct Case
{
    QString family;
    QString what;
    QByteArray raw;
    bool overUnixSocket = false;
    bool halfClose = false; // deliberately cut short: the server sees the end of the stream
    bool head = false;
    bool mustRefuse = true;
    bool tcpOnly = false; // the Unix socket asks no token: a case about the token is TCP only
};

struct Operation
{
    QByteArray method;
    QString path; // with {id}
    QString id;
    bool hasBody = false;
    QJsonObject bodySchema; // resolved: {type:object, properties, required} or a free object
    QList<QJsonObject> query;
};

QString escaped(QByteArrayView bytes, qsizetype max)
{
    QString out;
    for (char c : bytes.first(qMin(bytes.size(), max))) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r')
            out += u"\\r"_s;
        else if (c == '\n')
            out += u"\\n"_s;
        else if (u >= 0x20 && u < 0x7f && c != '\\')
            out += QLatin1Char(c);
        else
            out += u"\\x%1"_s.arg(u, 2, 16, QChar(u'0'));
    }
    if (bytes.size() > max)
        out += u"…(%1 bytes in all)"_s.arg(bytes.size());
    return out;
}

// Bytes that are not (or not quite) UTF-8, and valid but odd text, to put inside JSON strings.
const QList<std::pair<const char *, QByteArray>> &oddText()
{
    static const QList<std::pair<const char *, QByteArray>> all{
        {"overlong NUL C0 80", QByteArray("a\xC0\x80z", 4)},
        {"overlong slash C0 AF", QByteArray("a\xC0\xAFz", 4)},
        {"overlong 3-byte E0 80 80", QByteArray("a\xE0\x80\x80z", 5)},
        {"overlong 4-byte F0 80 80 80", QByteArray("a\xF0\x80\x80\x80z", 6)},
        {"UTF-8-encoded lone surrogate ED A0 80", QByteArray("a\xED\xA0\x80z", 5)},
        {"UTF-8-encoded low surrogate ED BF BF", QByteArray("a\xED\xBF\xBFz", 5)},
        {"escaped lone high surrogate \\ud800", QByteArray("a\\ud800z")},
        {"escaped lone low surrogate \\udc00", QByteArray("a\\udc00z")},
        {"escaped reversed pair \\udc00\\ud800", QByteArray("\\udc00\\ud800")},
        {"escaped U+0000", QByteArray("a\\u0000z")},
        {"raw NUL byte", QByteArray("a\0z", 3)},
        {"raw control bytes", QByteArray("a\x01\x1b[31mz\x7f")},
        {"stray byte FF", QByteArray("a\xFFz", 3)},
        {"stray bytes FE FF", QByteArray("\xFE\xFF", 2)},
        {"truncated 3-byte E2 82", QByteArray("a\xE2\x82", 3)},
        {"continuation without lead 80", QByteArray("a\x80z", 3)},
        {"code point above U+10FFFF F4 90 80 80", QByteArray("a\xF4\x90\x80\x80z", 6)},
        {"5-byte form F8 88 80 80 80", QByteArray("a\xF8\x88\x80\x80\x80z", 7)},
        {"noncharacter U+FFFF", QByteArray("a\xEF\xBF\xBFz", 5)},
        {"BOM inside", QByteArray("\xEF\xBB\xBFz", 4)},
        {"right-to-left override", QByteArray("a\xE2\x80\xAEz", 5)},
        {"emoji and combining marks", QByteArray("\xF0\x9F\x90\x9D e\xCC\x81\xCC\x81")},
        {"escaped U+FFFE", QByteArray("\\ufffe")},
    };
    return all;
}

class Fuzzer
{
public:
    Fuzzer(quint32 seed, const QByteArray &token, const QString &socketPath)
        : m_rng(seed)
        , m_token(token)
        , m_socket(socketPath)
    {}

    QList<Operation> ops;
    QStringList realAgents;
    QString realTask;

    static constexpr int kRawKinds = 34;
    static constexpr int kAccessKinds = 8;

    // Every kind of case once, on every operation and field it applies to: what the short run
    // covers whatever the seed. The values inside (which bad id, which wrong type) still come
    // from the seed.
    QList<Case> corpus()
    {
        QList<Case> out;
        const QList<Operation> bodies = withBody();
        for (const Operation &op : bodies) {
            const QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
            for (const QString &field : props.keys()) {
                out << bodyCase(0, &op, field) << bodyCase(1, &op, field);
                if (props.value(field).toObject().value(u"type"_s).toString() == u"string"_s)
                    for (qsizetype t = 0; t < oddText().size(); ++t)
                        out << utf8Case(0, int(t), &op, field);
            }
            for (int kind : {2, 3, 5, 6})
                out << bodyCase(kind, &op);
            for (int depth : {1025, 100000})
                for (bool arrays : {true, false})
                    out << deepCase(&op, depth, arrays, op.path != u"/api/v1/tasks"_s);
            if (op.path == u"/api/v1/tasks"_s)
                for (qsizetype i = 0; i < structures().size(); ++i)
                    out << bodyCase(4, &op, {}, int(i));
            else
                out << bodyCase(4, &op);
        }
        for (qsizetype t = 0; t < oddText().size(); ++t)
            for (int where : {1, 2, 3})
                out << utf8Case(where, int(t));
        for (qsizetype i = 0; i < ops.size(); ++i) {
            if (ops[i].path.contains(u"{id}"_s))
                out << pathCase(0, -1, &ops[i]);
            out << methodCase(methods().at(i % methods().size()), &ops[i]);
        }
        for (qsizetype i = 0; i < badPaths().size(); ++i)
            out << pathCase(1, int(i), nullptr, i % 2 ? "GET" : "POST");
        for (int i = 0; i < 10; ++i)
            out << pathCase(2);
        for (int k = 0; k < kAccessKinds; ++k)
            out << accessCase(k);
        for (int k = 0; k < kRawKinds; ++k)
            out << rawCase(k);
        for (Case &c : out)
            if (!c.tcpOnly && c.family != u"access"_s && c.family != u"websocket"_s && chance(0.2))
                c.overUnixSocket = true;
        return out;
    }

    Case next()
    {
        Case c;
        const int family = weighted({30, 5, 12, 18, 10, 8, 17});
        switch (family) {
        case 0:
            c = bodyCase();
            break;
        case 1:
            c = deepCase();
            break;
        case 2:
            c = utf8Case();
            break;
        case 3:
            c = pathCase();
            break;
        case 4:
            c = methodCase();
            break;
        case 5:
            c = accessCase();
            break;
        default:
            c = rawCase();
            break;
        }
        // A fifth over the Unix socket (no token asked there), but not what tests the token.
        if (!c.tcpOnly && c.family != u"access"_s && c.family != u"websocket"_s && chance(0.2))
            c.overUnixSocket = true;
        return c;
    }

private:
    // Randomness.
    int weighted(std::initializer_list<int> weights)
    {
        int sum = 0;
        for (int w : weights)
            sum += w;
        int r = int(m_rng.bounded(quint32(sum)));
        int i = 0;
        for (int w : weights) {
            if (r < w)
                return i;
            r -= w;
            ++i;
        }
        return 0;
    }
    bool chance(double p) { return m_rng.generateDouble() < p; }
    template<typename T>
    const T &pick(const QList<T> &list)
    {
        return list.at(int(m_rng.bounded(quint32(list.size()))));
    }
    int between(int lo, int hi) { return lo + int(m_rng.bounded(quint32(hi - lo + 1))); }

    // Ids that name nothing, or are not ids at all.
    QByteArray badId()
    {
        static const QList<QByteArray> ids{
            "x",
            "not-a-uuid",
            "00000000-0000-0000-0000-000000000000",
            "{6f1e0c2a-3b4d-4c5e-8f90-123456789abc}",
            "6F1E0C2A-3B4D-4C5E-8F90-123456789ABC",
            "6f1e0c2a3b4d4c5e8f90123456789abc",
            "6f1e0c2a-3b4d-4c5e-8f90-123456789abcd",
            "..",
            "%2e%2e",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "%00",
            "%ZZ",
            "%",
            "%C0%80",
            "%ED%A0%80",
            "%FF",
            "1;DROP%20TABLE%20tasks",
            "'%20OR%201=1--",
            "-1",
            "0",
            "99999999999999999999999",
            "1e308",
            "null",
            "true",
            "%7B%7D",
            "%20",
            "a%2Fb",
            "$(id)",
            "%60id%60",
            "\xC3\xBC",
            QByteArray("\xC0\x80", 2),
            QByteArray("\xFF", 1),
        };
        if (chance(0.15))
            return QUuid::createUuidV5(QUuid(), QByteArray::number(m_rng.generate()))
                .toByteArray(QUuid::WithoutBraces);
        if (chance(0.05))
            return QByteArray(between(1000, 20000), 'a');
        return pick(ids);
    }

    QByteArray targetFor(const Operation &op, bool allowReal)
    {
        QString path = op.path;
        if (!path.contains(u"{id}"_s))
            return path.toUtf8();
        QByteArray id = badId();
        if (allowReal && chance(0.3)) {
            if (path.startsWith(u"/api/v1/agents"_s) && !realAgents.isEmpty())
                id = pick(realAgents).toUtf8();
            else if (path.startsWith(u"/api/v1/tasks"_s) && !realTask.isEmpty())
                id = realTask.toUtf8();
        }
        return path.toUtf8().replace("{id}", id);
    }

    QByteArray request(const QByteArray &method,
                       const QByteArray &target,
                       const QByteArray &body,
                       const QList<std::pair<QByteArray, QByteArray>> &extra = {})
    {
        return rawRequest(method, target, m_token, body, extra);
    }

    QList<Operation> withBody() const
    {
        QList<Operation> out;
        for (const Operation &op : ops)
            if (op.hasBody)
                out << op;
        return out;
    }

    // A valid value for a property schema (enum's first, the minimum, "fuzz", …).
    QJsonValue validValue(const QJsonObject &schema)
    {
        if (schema.contains(u"enum"_s))
            return schema.value(u"enum"_s).toArray().first();
        const QString type = schema.value(u"type"_s).toString();
        if (type == u"integer"_s || type == u"number"_s)
            return schema.value(u"minimum"_s).toInt(0);
        if (type == u"boolean"_s)
            return false;
        if (type == u"array"_s)
            return QJsonArray();
        if (type == u"object"_s)
            return QJsonObject();
        return u"fuzz"_s;
    }

    QJsonObject baseBody(const Operation &op)
    {
        QJsonObject o;
        const QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
        for (const QJsonValue &r : op.bodySchema.value(u"required"_s).toArray())
            o.insert(r.toString(), validValue(props.value(r.toString()).toObject()));
        return o;
    }

    static QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

    // Of another JSON type than the schema says (never null: null means "absent").
    QByteArray wrongTypeJson(const QJsonObject &schema)
    {
        const QString type = schema.value(u"type"_s).toString();
        QList<QByteArray> candidates{
            "12", "-7.5", "true", "\"text\"", "[]", "[1,2]", "{}", "{\"a\":1}"};
        candidates.removeIf([&](const QByteArray &v) {
            if (type == u"string"_s)
                return v.startsWith('"');
            if (type == u"integer"_s || type == u"number"_s)
                return v == "12";
            if (type == u"boolean"_s)
                return v == "true";
            if (type == u"array"_s)
                return v.startsWith('[');
            if (type == u"object"_s)
                return v.startsWith('{');
            return false;
        });
        return pick(candidates);
    }

    // Valid type, invalid value.
    std::optional<QByteArray> outOfRangeJson(const QJsonObject &schema)
    {
        const QString type = schema.value(u"type"_s).toString();
        if (schema.contains(u"enum"_s))
            return pick(QList<QByteArray>{"\"bogus\"", "\"\"", "\"DEFAULT\"", "\" default\""});
        if (type == u"integer"_s) {
            QList<QByteArray> v{"1.5",
                                "1e308",
                                "-1e308",
                                "9007199254740993",
                                "1e400",
                                "18446744073709551616",
                                "0.0000001"};
            if (schema.contains(u"minimum"_s))
                v << QByteArray::number(schema.value(u"minimum"_s).toInteger() - 1);
            if (schema.contains(u"maximum"_s))
                v << QByteArray::number(schema.value(u"maximum"_s).toInteger() + 1)
                  << QByteArray::number(qint64(1) << 40);
            return pick(v);
        }
        if (type == u"array"_s) {
            if (schema.value(u"items"_s).toObject().value(u"format"_s).toString() == u"uuid"_s) {
                if (chance(0.5))
                    return QByteArray("[\"not-a-uuid\"]");
                QByteArray a = "[";
                const int n = between(1, 3) == 1 ? 20000 : between(1, 50);
                for (int i = 0; i < n; ++i)
                    a += (i ? ",\"" : "\"")
                         + QUuid::createUuidV5(QUuid(), QByteArray::number(i))
                               .toByteArray(QUuid::WithoutBraces)
                         + '"';
                return a + ']';
            }
            return QByteArray("[")
                   + QByteArray(between(1, 3) == 1 ? 100000 : 10, '1').replace("1", "1,") + "1]";
        }
        if (type == u"string"_s) {
            if (schema.value(u"minLength"_s).toInt() > 0)
                return QByteArray("\"\"");
            if (schema.value(u"format"_s).toString() == u"uuid"_s)
                return QByteArray("\"not-a-uuid\"");
            return std::nullopt; // any text is valid
        }
        return std::nullopt;
    }

    static const QList<QByteArray> &structures()
    {
        static const QList<QByteArray> all{
            "",
            " ",
            "null",
            "[]",
            "[{}]",
            "123",
            "\"a string\"",
            "true",
            "{",
            "}",
            "{}}",
            "{\"a\":}",
            "{\"a\" 1}",
            "{'prompt':'x'}",
            "{prompt:\"x\"}",
            "{\"prompt\":\"x\",}",
            "{\"prompt\":\"x\"} trailing",
            "{\"prompt\":\"x\"}{\"prompt\":\"y\"}",
            "{\"prompt\":NaN}",
            "{\"prompt\":Infinity}",
            "{\"priority\":-Infinity,\"prompt\":\"x\"}",
            "{\"prompt\":\"x\" /* comment */}",
            "\xEF\xBB\xBF{}",
            "{\"prompt\":\"unterminated}",
            "{\"prompt\":\"bad escape \\q\"}",
            "{\"prompt\":\"\\u12\"}",
            "{\"prompt\":\"\\uZZZZ\"}",
            "\x1f\x8b\x08\x00\x00\x00\x00\x00",
            QByteArray(64, '\0'),
            "{\"prompt\":0x10}",
            "{\"prompt\":01}",
            "{\"priority\":+1,\"prompt\":\"x\"}",
            "{\"priority\":.5,\"prompt\":\"x\"}",
            "{\"priority\":1.,\"prompt\":\"x\"}",
        };
        return all;
    }

    Case bodyCase(std::optional<int> forcedKind = {},
                  const Operation *forcedOp = nullptr,
                  const QString &forcedField = {},
                  int forcedStructure = -1)
    {
        const QList<Operation> candidates = withBody();
        const Operation op = forcedOp ? *forcedOp : pick(candidates);
        Case c;
        c.family = u"body"_s;
        const QByteArray target = targetFor(op, false);
        QJsonObject base = baseBody(op);
        const QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
        const QStringList names = props.keys();
        QByteArray body;
        const int kind = forcedKind.value_or(weighted({30, 20, 8, 6, 22, 6, 8}));
        if (names.isEmpty() && kind <= 1) {
            // A free-form object (a hook's payload): structure only.
            body = pick(QList<QByteArray>{"[]", "\"x\"", "1", "null", "{"});
            c.what = u"%1 %2 with a non-object body"_s.arg(QString::fromLatin1(op.method), op.path);
        } else if (kind == 0) {
            const QString f = forcedField.isEmpty() ? pick(names) : forcedField;
            base.remove(f);
            QByteArray json = compact(base);
            const QByteArray value = wrongTypeJson(props.value(f).toObject());
            json.chop(1);
            body = json + (base.isEmpty() ? "" : ",") + '"' + f.toUtf8() + "\":" + value + '}';
            c.what = u"%1 %2: %3 of the wrong type (%4)"_s.arg(
                QString::fromLatin1(op.method), op.path, f, QString::fromUtf8(value));
        } else if (kind == 1) {
            QString f;
            std::optional<QByteArray> value;
            for (int tries = 0; tries < 10 && !value; ++tries) {
                f = tries == 0 && !forcedField.isEmpty() ? forcedField : pick(names);
                value = outOfRangeJson(props.value(f).toObject());
            }
            if (!value) {
                f = u"zzz_unknown"_s;
                value = QByteArray("1");
            }
            base.remove(f);
            QByteArray json = compact(base);
            json.chop(1);
            body = json + (base.isEmpty() ? "" : ",") + '"' + f.toUtf8() + "\":" + *value + '}';
            c.what = u"%1 %2: %3 out of range (%4)"_s.arg(
                QString::fromLatin1(op.method), op.path, f, escaped(*value, 60));
        } else if (kind == 2) {
            base.insert(pick(QStringList{u"zzz"_s, u"Prompt"_s, u"__proto__"_s, u""_s}), 1);
            body = compact(base);
            c.what = u"%1 %2: an unknown field"_s.arg(QString::fromLatin1(op.method), op.path);
        } else if (kind == 3 && !names.isEmpty()) {
            // The same key twice: the second one wrong.
            const QString f = pick(names);
            base.insert(f, validValue(props.value(f).toObject()));
            QByteArray json = compact(base);
            json.chop(1);
            body = json + ",\"" + f.toUtf8() + "\":" + wrongTypeJson(props.value(f).toObject())
                   + '}';
            c.what = u"%1 %2: %3 twice, the second of the wrong type"_s.arg(
                QString::fromLatin1(op.method), op.path, f);
        } else if (kind == 4) {
            body = forcedStructure >= 0 ? structures().at(forcedStructure % structures().size())
                                        : pick(structures());
            if (body.startsWith("{\"prompt\":") && op.path != u"/api/v1/tasks"_s)
                body = "{";
            c.what = u"%1 %2: malformed body %3"_s.arg(
                QString::fromLatin1(op.method), op.path, escaped(body, 60));
        } else if (kind == 5) {
            // Over the limit: refused with 413 before it is read whole.
            const qsizetype size = between(1, 4) == 1 ? 8 * 1024 * 1024 : 1024 * 1024 + 1;
            body = "{\"prompt\":\"" + QByteArray(size, 'p') + "\"}";
            c.what = u"%1 %2: a %3-byte body"_s.arg(QString::fromLatin1(op.method), op.path)
                         .arg(body.size());
        } else {
            // The right body, the wrong Content-Type or none: still JSON, but say so?
            body = compact(base);
            base.insert(u"zzz"_s, 1); // and still wrong, so that it is refused
            body = compact(base);
            c.raw = request(op.method,
                            target,
                            body,
                            {{"Content-Type",
                              pick(QList<QByteArray>{"text/plain",
                                                     "application/x-www-form-urlencoded",
                                                     "multipart/form-data; "
                                                     "boundary=x",
                                                     ""})}});
            c.what = u"%1 %2: another Content-Type"_s.arg(QString::fromLatin1(op.method), op.path);
            return c;
        }
        c.raw = request(op.method, target, body);
        return c;
    }

    Case deepCase(const Operation *forcedOp = nullptr,
                  int forcedDepth = 0,
                  std::optional<bool> forcedArrays = {},
                  std::optional<bool> forcedWhole = {})
    {
        const QList<Operation> candidates = withBody();
        const Operation op = forcedOp ? *forcedOp : pick(candidates);
        Case c;
        c.family = u"deep"_s;
        const int depth
            = forcedDepth > 0 ? forcedDepth : pick(QList<int>{64, 513, 1025, 5000, 100000, 400000});
        const bool arrays = forcedArrays.value_or(chance(0.5));
        QByteArray inner = arrays ? QByteArray(depth, '[') + QByteArray(depth, ']') : QByteArray();
        if (!arrays) {
            inner.reserve(depth * 6);
            for (int i = 0; i < depth; ++i)
                inner += "{\"a\":";
            inner += "1";
            inner += QByteArray(depth, '}');
        }
        QByteArray body;
        if (forcedWhole.value_or(chance(0.5))) {
            body = inner;
            c.what = u"%1 %2: the body nested %3 deep (%4)"_s
                         .arg(QString::fromLatin1(op.method), op.path)
                         .arg(depth)
                         .arg(arrays ? u"arrays"_s : u"objects"_s);
        } else {
            const QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
            const QString f = props.isEmpty() ? u"a"_s : pick(props.keys());
            body = "{\"" + f.toUtf8() + "\":" + inner + "}";
            c.what
                = u"%1 %2: %3 nested %4 deep (%5)"_s.arg(QString::fromLatin1(op.method), op.path, f)
                      .arg(depth)
                      .arg(arrays ? u"arrays"_s : u"objects"_s);
        }
        c.raw = request(op.method, targetFor(op, false), body);
        return c;
    }

    Case utf8Case(int forcedWhere = -1,
                  int forcedText = -1,
                  const Operation *forcedOp = nullptr,
                  const QString &forcedField = {})
    {
        Case c;
        c.family = u"utf8"_s;
        const auto &[label, text] = forcedText >= 0 ? oddText().at(forcedText) : pick(oddText());
        const int where = forcedWhere >= 0 ? forcedWhere : weighted({55, 15, 15, 15});
        if (where == 0) {
            // Inside a string field of a body: may be accepted (the text is odd but maybe valid).
            QList<Operation> candidates = withBody();
            candidates.removeIf([](const Operation &o) {
                return o.bodySchema.value(u"properties"_s).toObject().isEmpty();
            });
            const Operation op = forcedOp ? *forcedOp : pick(candidates);
            const QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
            QStringList strings;
            for (auto it = props.begin(); it != props.end(); ++it)
                if (it.value().toObject().value(u"type"_s).toString() == u"string"_s)
                    strings << it.key();
            if (strings.isEmpty())
                strings = props.keys();
            const QString f = forcedField.isEmpty() ? pick(strings) : forcedField;
            QJsonObject base = baseBody(op);
            base.remove(f);
            QByteArray json = compact(base);
            json.chop(1);
            const QByteArray body
                = json + (base.isEmpty() ? "" : ",") + '"' + f.toUtf8() + "\":\"" + text + "\"}";
            // A spawn must be refused (no name, type, profile or folder is odd text); a task may
            // be accepted.
            c.raw = request(op.method, targetFor(op, false), body);
            c.mustRefuse = op.path != u"/api/v1/tasks"_s;
            c.what = u"%1 %2: %3 with %4"_s.arg(
                QString::fromLatin1(op.method), op.path, f, QString::fromLatin1(label));
        } else if (where == 1) {
            // In the path.
            const QByteArray target
                = pick(QList<QByteArray>{"/api/v1/agents/", "/api/v1/tasks/", "/api/v1/"}) + text;
            c.raw = request("GET", target, {});
            c.what = u"GET a path with %1"_s.arg(QString::fromLatin1(label));
        } else if (where == 2) {
            // In a query value (a read: may be answered 200 or 400).
            const QByteArray target = pick(QList<QByteArray>{"/api/v1/tasks?status=",
                                                             "/api/v1/tasks?agent_type=",
                                                             "/api/v1/agents?status=",
                                                             "/api/v1/tasks?limit="})
                                      + text;
            c.raw = request("GET", target, {});
            c.mustRefuse = false;
            c.what = u"GET a query value with %1"_s.arg(QString::fromLatin1(label));
        } else {
            // In a header value.
            const QByteArray header = pick(QList<QByteArray>{"Host", "Authorization", "X-Odd"});
            QByteArray raw = "GET /api/v1/agents HTTP/1.1\r\n";
            raw += "Host: 127.0.0.1" + (header == "Host" ? text : QByteArray()) + "\r\n";
            raw += "Authorization: Bearer " + m_token
                   + (header == "Authorization" ? text : QByteArray()) + "\r\n";
            if (header == "X-Odd")
                raw += "X-Odd: " + text + "\r\n";
            raw += "Connection: close\r\n\r\n";
            c.raw = raw;
            c.mustRefuse = header != "X-Odd";
            c.tcpOnly = header == "Authorization";
            c.what = u"GET /api/v1/agents with %1 in %2"_s.arg(QString::fromLatin1(label),
                                                               QString::fromLatin1(header));
        }
        return c;
    }

    static const QList<QByteArray> &badPaths()
    {
        static const QList<QByteArray> all{
            "/",
            "",
            "/api",
            "/api/v1",
            "/api/v1/",
            "/api/v2/agents",
            "/API/V1/AGENTS",
            "/api/v1/agents/",
            "/api/v1//agents",
            "//api/v1/agents",
            "/api/v1/./agents",
            "/api/v1/../v1/agents",
            "/api/v1/agents/../tasks",
            "/api/v1/%61gents",
            "/api/v1/agents%2F",
            "/api/v1/agents;x=1",
            "/api/v1/agents/x/y/z",
            "/api/v1/tasks/x/retry/again",
            "/api/v1/agents#frag",
            "/api/v1/health/..",
            "/api/v1/openapi.json/x",
            "/api/v1/events/x",
            "/..%2f..%2fetc/passwd",
            "/api/v1/%00",
            "/api/v1/agents\t",
            "/api/v1/agents%20",
            "/api/v1/agents?",
            "/api/v1/agents??",
            "/api/v1/agents?&&&",
        };
        return all;
    }

    Case pathCase(int forcedKind = -1,
                  int forcedPath = -1,
                  const Operation *forcedOp = nullptr,
                  const QByteArray &forcedMethod = {})
    {
        Case c;
        c.family = u"path"_s;
        const int kind = forcedKind >= 0 ? forcedKind : weighted({40, 30, 30});
        if (kind == 0) {
            // Bad ids on every route that has one.
            QList<Operation> withId = ops;
            withId.removeIf([](const Operation &o) { return !o.path.contains(u"{id}"_s); });
            const Operation op = forcedOp ? *forcedOp : pick(withId);
            QByteArray body;
            if (op.hasBody)
                body = compact(baseBody(op));
            c.raw = request(op.method, targetFor(op, false), body);
            c.what = u"%1 %2 with a bad id"_s.arg(QString::fromLatin1(op.method), op.path);
        } else if (kind == 1) {
            QByteArray target = forcedPath >= 0 ? badPaths().at(forcedPath % badPaths().size())
                                                : pick(badPaths());
            if (forcedPath < 0 && chance(0.05))
                target = "/api/v1/" + QByteArray(between(9000, 60000), 'a');
            const QByteArray method = forcedMethod.isEmpty()
                                          ? pick(QList<QByteArray>{"GET", "POST", "DELETE"})
                                          : forcedMethod;
            c.raw = request(method, target, "{\"zzz\":1}");
            c.mustRefuse = method != "GET"; // a lenient read ("%61gents", "#frag") harms nothing
            c.what = u"%1 a bad path %2"_s.arg(QString::fromLatin1(method), escaped(target, 60));
        } else {
            // Query parameters: from the description, with bad values; or unknown ones.
            QList<Operation> withQuery = ops;
            withQuery.removeIf([](const Operation &o) { return o.query.isEmpty(); });
            const Operation op = pick(withQuery);
            const QJsonObject param = pick(op.query);
            const QString name = param.value(u"name"_s).toString();
            const QJsonObject schema = param.value(u"schema"_s).toObject();
            QList<QByteArray> values{"",
                                     "%00",
                                     "%FF",
                                     "bogus",
                                     "-1",
                                     "0",
                                     "1e3",
                                     "99999999999999999999",
                                     "1%200",
                                     "abc"};
            if (schema.contains(u"maximum"_s))
                values << QByteArray::number(schema.value(u"maximum"_s).toInteger() + 1);
            QByteArray query = name.toUtf8() + '=' + pick(values);
            if (chance(0.2))
                query = "zzz=1";
            else if (chance(0.1))
                query += '&' + query;
            c.raw = request("GET", targetFor(op, true) + '?' + query, {});
            c.mustRefuse = false; // reads: whatever the answer, nothing changes
            c.what = u"GET %1?%2"_s.arg(op.path, escaped(query, 60));
        }
        return c;
    }

    static const QList<QByteArray> &methods()
    {
        static const QList<QByteArray> all{"PUT",
                                           "PATCH",
                                           "HEAD",
                                           "OPTIONS",
                                           "TRACE",
                                           "CONNECT",
                                           "FOO",
                                           "get",
                                           "Post",
                                           "PROPFIND",
                                           "MKCOL",
                                           "LOCK",
                                           "BREW",
                                           "M-SEARCH",
                                           "GET\tX",
                                           "GE T"};
        return all;
    }

    Case methodCase(const QByteArray &forcedMethod = {}, const Operation *forcedOp = nullptr)
    {
        Case c;
        c.family = u"method"_s;
        QByteArray method = forcedMethod.isEmpty() ? pick(methods()) : forcedMethod;
        if (forcedMethod.isEmpty() && chance(0.05))
            method = QByteArray(between(100, 5000), 'M');
        const Operation op = forcedOp ? *forcedOp : pick(ops);
        // Real ids only on reads ("get" may be taken for GET, "Post" for POST).
        QByteArray target = targetFor(op, op.method == "GET");
        if (method == "CONNECT")
            target = pick(QList<QByteArray>{"127.0.0.1:80", target});
        if (method == "OPTIONS" && chance(0.3))
            target = "*";
        c.head = method == "HEAD";
        c.raw = request(method, target, chance(0.5) ? QByteArray("{\"zzz\":1}") : QByteArray());
        // HEAD of a GET route may be answered like the GET, and "get" may be taken for GET.
        c.mustRefuse = method != "HEAD" && !(method == "get" && op.method == "GET");
        c.what = u"%1 %2"_s.arg(escaped(method, 40), op.path);
        return c;
    }

    // A valid request to create a task, without the right token, or from a browser, or for
    // another host: refused, and nothing stored.
    Case accessCase(int forcedKind = -1)
    {
        Case c;
        c.family = u"access"_s;
        const QByteArray body = "{\"prompt\":\"must not be stored\"}";
        const int kind = forcedKind >= 0 ? forcedKind : between(0, kAccessKinds - 1);
        QByteArray raw = "POST /api/v1/tasks HTTP/1.1\r\n";
        QByteArray host = "Host: 127.0.0.1\r\n";
        QByteArray auth = "Authorization: Bearer " + m_token + "\r\n";
        QByteArray extra;
        switch (kind) {
        case 0:
            auth.clear();
            c.what = u"POST /tasks without a token"_s;
            break;
        case 1:
            auth = "Authorization: Bearer "
                   + QByteArray(m_token).replace(0, 1, m_token.startsWith('0') ? "1" : "0")
                   + "\r\n";
            c.what = u"POST /tasks with a wrong token"_s;
            break;
        case 2:
            auth = "Authorization: Basic " + m_token.toBase64() + "\r\n";
            c.what = u"POST /tasks with Basic instead of Bearer"_s;
            break;
        case 3:
            extra = "Origin: http://evil.example\r\n";
            c.what = u"POST /tasks from a web page (Origin)"_s;
            break;
        case 4:
            host = "Host: evil.example\r\n";
            c.what = u"POST /tasks for another Host (DNS rebinding)"_s;
            break;
        case 5:
            host += "Host: 127.0.0.1\r\n";
            c.what = u"POST /tasks with two Host headers"_s;
            break;
        case 6:
            auth = "Authorization: Bearer " + m_token.left(m_token.size() - 1) + "\r\n";
            c.what = u"POST /tasks with a token one character short"_s;
            break;
        default:
            auth = "Authorization: Bearer " + m_token + "\r\nAuthorization: Bearer x\r\n";
            c.what = u"POST /tasks with two Authorization headers"_s;
            break;
        }
        raw += host + auth + extra + "Content-Type: application/json\r\nContent-Length: "
               + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        c.raw = raw;
        return c;
    }

    Case rawCase(int forcedKind = -1)
    {
        Case c;
        c.family = u"raw"_s;
        const QByteArray auth = "Authorization: Bearer " + m_token + "\r\n";
        const QByteArray get = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                               + "Connection: close\r\n\r\n";
        const int kind = forcedKind >= 0 ? forcedKind : between(0, kRawKinds - 1);
        switch (kind) {
        case 0:
            c.raw = "GARBAGE\r\n\r\n";
            break;
        case 1:
            c.raw = "GET\r\n\r\n";
            break;
        case 2:
            c.raw = "GET /api/v1/health\r\n\r\n";
            c.mustRefuse = false; // reads of what anybody may read
            break;
        case 3:
            c.raw = "GET /api/v1/health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n";
            c.mustRefuse = false;
            break;
        case 4:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\n" + auth + "Connection: close\r\n\r\n";
            break; // no Host
        case 5:
            c.raw = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
            break;
        case 6:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n" + auth
                    + "\r\n";
            c.mustRefuse = false;
            break;
        case 7:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + QByteArray("X: a\0b\r\n", 9) + auth + "\r\n";
            c.mustRefuse = false; // a read: a lenient parser may answer it
            break;
        case 8:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHo st: 127.0.0.1\r\n" + auth + "\r\n";
            break;
        case 9:
            c.raw = QByteArray(get).replace("\r\n", "\n");
            c.mustRefuse = false;
            break;
        case 10:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                    + QByteArray(between(70000, 300000), 'x') + "\r\n" + auth + "\r\n";
            break;
        case 11: {
            QByteArray many;
            for (int i = 0; i < 10000; ++i)
                many += "X-" + QByteArray::number(i) + ": v\r\n";
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + auth + "\r\n";
            break;
        }
        case 12:
        case 13:
        case 14: {
            const QByteArray cl = pick(QList<QByteArray>{
                "-1", "abc", "99999999999999999999", "1e3", "0x10", " 5", "5, 7"});
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: " + cl
                    + "\r\n\r\n{\"prompt\":\"x\"}";
            c.halfClose = true;
            c.what = u"raw: Content-Length: %1"_s.arg(QString::fromLatin1(cl));
            return c;
        }
        case 15:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: "
                      "15\r\n\r\n{\"prompt\":\"x\"}";
            c.halfClose = true;
            break;
        case 16:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"prompt\":";
            c.halfClose = true; // cut short
            break;
        case 17:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"
                      "\r\n0\r\n\r\n";
            c.halfClose = true;
            break;
        case 18:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "FFFFFFFFFFFFFFFF\r\n{\r\n";
            c.halfClose = true;
            break;
        case 19:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n0\r\n\r\nGET /api/v1/agents HTTP/1.1\r\nHost: "
                      "127.0.0.1\r\n\r\n";
            c.halfClose = true; // smuggling: CL and TE both
            break;
        case 20:
            c.raw = "GET http://127.0.0.1/api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Connection: close\r\n\r\n";
            c.mustRefuse = false;
            break;
        case 21:
            c.raw = "GET api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Connection: close\r\n\r\n";
            c.mustRefuse = false;
            break;
        case 22:
            // A read, then pipelined junk.
            c.raw = QByteArray(get).replace("Connection: close\r\n", "") + "GARBAGE\r\n\r\n";
            c.halfClose = true;
            c.mustRefuse = false; // the read is answered
            break;
        case 23:
            c.raw = "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                      "9999999\r\n\r\n";
            c.halfClose = true;
            break;
        case 24:
            c.raw = "\r\n\r\n\r\n";
            c.halfClose = true;
            break;
        case 25:
            c.raw.clear();
            c.halfClose = true;
            break;
        case 26: {
            c.raw.resize(between(1, 2000));
            for (char &b : c.raw)
                b = char(m_rng.bounded(256u));
            c.halfClose = true;
            c.what = u"raw: %1 random bytes"_s.arg(c.raw.size());
            return c;
        }
        case 27:
        case 28: {
            // A valid read, with a few bytes changed, inserted or removed.
            c.raw = get;
            const int edits = between(1, 4);
            for (int i = 0; i < edits; ++i) {
                const int at = between(0, int(c.raw.size()) - 1);
                switch (between(0, 2)) {
                case 0:
                    c.raw[at] = char(m_rng.bounded(256u));
                    break;
                case 1:
                    c.raw.insert(at, char(m_rng.bounded(256u)));
                    break;
                default:
                    c.raw.remove(at, 1);
                    break;
                }
            }
            c.halfClose = true;
            c.mustRefuse = false; // it may still be a valid read
            c.what = u"raw: a GET /api/v1/agents with %1 byte(s) changed"_s.arg(edits);
            return c;
        }
        case 29:
            c.raw = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: not base "
                      "64!\r\nSec-WebSocket-Version: 13\r\n\r\n";
            c.family = u"websocket"_s;
            break;
        case 30:
            c.raw = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                      "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
            c.family = u"websocket"_s;
            break;
        case 31:
            c.raw = "GET /api/v1/events?since=-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: "
                    "websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            c.family = u"websocket"_s; // no token
            break;
        case 32:
            c.raw = "GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                      "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            c.family = u"websocket"_s; // not the event stream
            break;
        default:
            c.raw = "GET /api/v1/agents HTTP/1.0\r\nHost: 127.0.0.1\r\n" + auth
                    + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
            c.halfClose = true;
            break;
        }
        c.what = u"raw: %1"_s.arg(escaped(c.raw, 80));
        return c;
    }

    QRandomGenerator m_rng;
    QByteArray m_token;
    QString m_socket;
};

struct Finding
{
    QString kind;
    Case c;
    HttpAnswer answer;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Fuzzes the REST API of a running agenthive (with hive-runner workers) and checks "
        "that it answers malformed input with well-formed 4xx, stays up and changes nothing."_s);
    parser.addHelpOption();
    const QCommandLineOption seedOpt(u"seed"_s, u"random seed (default: a random one)"_s, u"S"_s);
    const QCommandLineOption requestsOpt(
        u"requests"_s, u"random requests after the corpus (default 5000)"_s, u"N"_s, u"5000"_s);
    const QCommandLineOption batchOpt(u"batch"_s,
                                      u"requests between two health and row checks (default 100)"_s,
                                      u"N"_s,
                                      u"100"_s);
    parser.addOptions({seedOpt, requestsOpt, batchOpt});
    parser.process(app);
    const quint32 seed = parser.isSet(seedOpt) ? parser.value(seedOpt).toUInt()
                                               : QRandomGenerator::global()->generate() % 1000000;
    const int requests = qMax(1, parser.value(requestsOpt).toInt());
    const int batchSize = qMax(1, parser.value(batchOpt).toInt());
    const QString repro
        = u"fuzz_api --seed %1 --requests %2 --batch %3"_s.arg(seed).arg(requests).arg(batchSize);
    printf("Agent Hive API fuzzer: %s\n", qPrintable(repro));

    QElapsedTimer total;
    total.start();
    allowCoreDumps();
    Test::HiveFixture fx;
    if (auto r = fx.start(); !r) {
        fprintf(stderr, "fixture: %s\n", qPrintable(r.error().message));
        return 3;
    }
    const QString dataDir = fx.path(u"data"_s);
    writeFakeProfile(dataDir, u"fake"_s);
    AppProcess hive({u"--headless"_s,
                     u"--data-dir"_s,
                     dataDir,
                     u"--api-port"_s,
                     u"0"_s,
                     u"--tmux-socket"_s,
                     fx.tmuxSocket(),
                     u"--database-url"_s,
                     fx.databaseUrl(),
                     u"--redis-url"_s,
                     fx.redisUrl()},
                    fx.path(u"home"_s),
                    fx.path(u"agenthive.out"_s));
    hive.start();
    QString why;
    if (!hive.waitReady(60000, &why)) {
        fprintf(stderr, "%s\n%s\n", qPrintable(why), qPrintable(hive.outputTail()));
        return 3;
    }
    const QByteArray token = readFileTrimmed(dataDir + u"/api-token"_s);
    auto tcp = [&] {
        return Endpoint::tcp(quint16(readFileTrimmed(dataDir + u"/api-port"_s).toUInt()));
    };
    const Endpoint unixSocket = Endpoint::local(dataDir + u"/api.sock"_s);
    Pg pg(fx.databaseUrl(), u"fuzz"_s);

    // Two workers of the default type, so that accepted tasks run, and one task to point at.
    Fuzzer fuzzer(seed, token, dataDir + u"/api.sock"_s);
    for (int i = 0; i < 2; ++i) {
        const HttpAnswer a
            = tcp().request("POST",
                            "/api/v1/agents",
                            token,
                            QJsonDocument(QJsonObject{{u"type"_s, u"dev"_s},
                                                      {u"profile"_s, u"fake"_s},
                                                      {u"name"_s, u"fuzz-worker-%1"_s.arg(i)}})
                                .toJson(QJsonDocument::Compact));
        if (a.status != 201) {
            fprintf(stderr, "cannot spawn a worker: %d %s\n", a.status, a.body.constData());
            return 3;
        }
        fuzzer.realAgents << a.json().object().value(u"id").toString();
    }
    {
        const HttpAnswer a
            = tcp().request("POST", "/api/v1/tasks", token, R"({"prompt":"fuzz target"})");
        fuzzer.realTask = a.json().object().value(u"id").toString();
    }
    QElapsedTimer wait;
    wait.start();
    while (runnerPids(dataDir).size() < 2 && wait.elapsed() < 30000)
        QThread::msleep(100);
    const QList<qint64> runners = runnerPids(dataDir);
    if (runners.size() < 2) {
        fprintf(stderr, "the workers' runners did not start\n");
        return 3;
    }

    // The routes and schemas, as the app describes them.
    const HttpAnswer described = tcp().request("GET", "/api/v1/openapi.json", token);
    const QJsonObject spec = described.json().object();
    if (described.status != 200 || spec.isEmpty()) {
        fprintf(stderr,
                "GET /api/v1/openapi.json answered %d (%s): %s\n",
                described.status,
                qPrintable(described.problem),
                described.body.left(300).constData());
        return 3;
    }
    const QJsonObject schemas
        = spec.value(u"components"_s).toObject().value(u"schemas"_s).toObject();
    auto resolve = [&](QJsonObject s) {
        const QString ref = s.value(u"$ref"_s).toString();
        if (ref.startsWith(u"#/components/schemas/"_s))
            s = schemas.value(ref.mid(21)).toObject();
        return s;
    };
    const QJsonObject paths = spec.value(u"paths"_s).toObject();
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QJsonObject item = p.value().toObject();
        for (auto m = item.begin(); m != item.end(); ++m) {
            Operation op;
            op.method = m.key().toUpper().toLatin1();
            op.path = p.key();
            const QJsonObject o = m.value().toObject();
            op.id = o.value(u"operationId"_s).toString();
            for (const QJsonValue &param : o.value(u"parameters"_s).toArray())
                if (param.toObject().value(u"in"_s).toString() == u"query"_s)
                    op.query << param.toObject();
            const QJsonObject body = o.value(u"requestBody"_s).toObject();
            if (!body.isEmpty()) {
                op.hasBody = true;
                op.bodySchema = resolve(body.value(u"content"_s)
                                            .toObject()
                                            .value(u"application/json"_s)
                                            .toObject()
                                            .value(u"schema"_s)
                                            .toObject());
                QJsonObject props = op.bodySchema.value(u"properties"_s).toObject();
                for (auto it = props.begin(); it != props.end(); ++it)
                    it.value() = resolve(it.value().toObject());
                op.bodySchema.insert(u"properties"_s, props);
            }
            fuzzer.ops << op;
        }
    }
    printf("%lld operations described; %lld runners; %.1f s to set up\n",
           qlonglong(fuzzer.ops.size()),
           qlonglong(runners.size()),
           double(total.elapsed()) / 1000.0);

    auto counts = [&]() -> std::optional<QList<qint64>> {
        const auto r = pg.rows(u"SELECT (SELECT count(*) FROM agents), (SELECT count(*) FROM "
                               "tasks), (SELECT count(*) FROM task_runs), (SELECT count(*) FROM "
                               "events)"_s);
        if (!r || r->isEmpty())
            return std::nullopt;
        QList<qint64> out;
        for (const QVariant &v : r->first())
            out << v.toLongLong();
        return out;
    };
    auto openTasks = [&] {
        return pg
            .scalar(u"SELECT count(*) FROM tasks WHERE status IN ('assigned', 'running') OR "
                    "(status = 'queued' AND agent_type = 'dev')"_s)
            .value_or(-1);
    };
    // Until accepted work has ended and nothing moves.
    auto quiet = [&] {
        QElapsedTimer t;
        t.start();
        std::optional<QList<qint64>> last = counts();
        qint64 stableSince = t.elapsed();
        while (t.elapsed() < 30000) {
            QThread::msleep(100);
            const auto now = counts();
            if (now != last) {
                last = now;
                stableSince = t.elapsed();
            } else if (t.elapsed() - stableSince >= 400 && openTasks() == 0) {
                return;
            }
        }
    };

    std::map<QString, int> byFamily, byStatus;
    std::map<QString, int> closedByFamily;
    QList<Finding> findings;
    int sent = 0, serverErrors = 0, illFormed = 0, hangs = 0, closedWithoutAnswer = 0;
    int acceptedThoughRefusable = 0, crashes = 0, runnerDeaths = 0, healthFailures = 0;
    int checkedSegments = 0, segmentsWithAccepted = 0, changedSegments = 0;
    QList<Case> refusable, either;
    QSet<qint64> deadRunners;

    // Rows are compared around segments of a few requests: a segment with no accepted request
    // must leave them as they were. After one with accepted requests, work may still be running
    // (a task created, then run by a worker): the next segment starts once nothing moves.
    constexpr int kSegment = 10;
    auto runBatch = [&](QList<Case> &batch) {
        for (qsizetype from = 0; from < batch.size(); from += kSegment) {
            const QList<Case> segment = batch.mid(from, kSegment);
            const auto before = counts();
            bool segmentAccepted = false;
            for (const Case &c : segment) {
                const Endpoint to = c.overUnixSocket ? unixSocket : tcp();
                const HttpAnswer a
                    = to.exchange(c.raw, c.halfClose ? 3000 : 10000, c.halfClose, c.head);
                ++sent;
                ++byFamily[c.family + (c.overUnixSocket ? u" (unix)"_s : u""_s)];
                if (a.answered && a.wellFormed) {
                    ++byStatus[QString::number(a.status)];
                    if (a.status >= 500) {
                        ++serverErrors;
                        findings << Finding{u"5xx"_s, c, a};
                    } else if (a.status < 400) {
                        segmentAccepted = true;
                        if (c.mustRefuse) {
                            ++acceptedThoughRefusable;
                            findings << Finding{u"accepted"_s, c, a};
                        }
                    }
                } else if (a.answered) {
                    ++illFormed;
                    ++byStatus[u"ill-formed"_s];
                    findings << Finding{u"ill-formed"_s, c, a};
                } else if (a.problem.startsWith(u"no complete answer"_s)) {
                    ++hangs;
                    ++byStatus[u"no answer (timed out)"_s];
                    findings << Finding{u"hang"_s, c, a};
                } else if (!a.connected) {
                    ++byStatus[u"could not connect"_s];
                    findings << Finding{u"connect"_s, c, a};
                } else {
                    ++closedWithoutAnswer;
                    ++closedByFamily[c.family];
                    ++byStatus[u"closed without an answer"_s];
                    if (!c.halfClose) // a complete request deserves an answer
                        findings << Finding{u"closed"_s, c, a};
                }
                if (!hive.running())
                    break;
            }
            if (segmentAccepted) {
                ++segmentsWithAccepted;
                quiet();
                continue;
            }
            ++checkedSegments;
            const auto after = counts();
            if (before && after && before != after) {
                ++changedSegments;
                auto list = [](const QList<qint64> &v) {
                    QStringList out;
                    for (qint64 n : v)
                        out << QString::number(n);
                    return out.join(u"/"_s);
                };
                QStringList what;
                for (const Case &c : segment)
                    what << c.what;
                Case b;
                b.family = u"rows"_s;
                b.what = u"%1 refused requests changed the rows (agents/tasks/task_runs/events) "
                         "from %2 to %3: %4"_s.arg(segment.size())
                             .arg(list(*before), list(*after), what.join(u" | "_s).left(4000));
                findings << Finding{u"rows"_s, b, {}};
            }
            if (!hive.running())
                break;
        }
        // Health, processes, rows.
        if (!hive.running()) {
            ++crashes;
            Case last = batch.isEmpty() ? Case{} : batch.last();
            last.what = u"agenthive exited (code %1) during this batch; its last request: %2\n%3"_s
                            .arg(hive.exitCode())
                            .arg(last.what, hive.outputTail(2000));
            findings << Finding{u"crash"_s, last, {}};
            hive.start();
            hive.waitReady(60000);
        }
        const HttpAnswer health = tcp().request("GET", "/api/v1/health", {});
        const QString status = health.json().object().value(u"status"_s).toString();
        if (health.status != 200 || status != u"ok"_s) {
            ++healthFailures;
            Case h;
            h.family = u"health"_s;
            h.what = u"GET /api/v1/health after a batch"_s;
            findings << Finding{u"health"_s, h, health};
        }
        for (qint64 p : runners)
            if (!pidAlive(p) && !deadRunners.contains(p)) {
                deadRunners.insert(p);
                ++runnerDeaths;
                Case r;
                r.family = u"runner"_s;
                r.what = u"hive-runner %1 ended during a batch (see <data-dir>/logs)"_s.arg(p);
                findings << Finding{u"crash"_s, r, {}};
            }
        batch.clear();
    };

    quiet(); // the workers' start and the target task's run are over
    const QList<Case> corpus = fuzzer.corpus();
    printf("%lld requests in the corpus (every kind once), then %d random ones\n",
           qlonglong(corpus.size()),
           requests);
    for (qsizetype i = 0; i < corpus.size() + requests; ++i) {
        Case c = i < corpus.size() ? corpus.at(i) : fuzzer.next();
        QList<Case> &queue = c.mustRefuse ? refusable : either;
        queue << c;
        if (queue.size() >= batchSize)
            runBatch(queue);
        if ((i + 1) % 1000 == 0)
            printf("  %lld requests generated, %d sent, %.0f s\n",
                   qlonglong(i + 1),
                   sent,
                   double(total.elapsed()) / 1000.0);
    }
    runBatch(refusable);
    runBatch(either);

    for (const QString &core : findCores(fx.dir())) {
        ++crashes;
        Case c;
        c.family = u"core"_s;
        c.what = u"a core dump: %1"_s.arg(core);
        findings << Finding{u"crash"_s, c, {}};
    }

    // Figures.
    printf("\n== requests: %d in %.1f s\n", sent, double(total.elapsed()) / 1000.0);
    for (const auto &[family, n] : byFamily)
        printf("  %-22s %d\n", qPrintable(family), n);
    printf("== answers by status\n");
    for (const auto &[status, n] : byStatus)
        printf("  %-26s %d\n", qPrintable(status), n);
    QStringList closedFamilies;
    for (const auto &[family, n] : closedByFamily)
        closedFamilies << u"%1 %2"_s.arg(family).arg(n);
    printf("== checks\n");
    printf("  crashes: %d agenthive, %d hive-runner\n", crashes, runnerDeaths);
    printf("  5xx: %d; ill-formed answers: %d; hung (no answer within the time): %d\n",
           serverErrors,
           illFormed,
           hangs);
    printf("  closed without an answer: %d (%s)\n",
           closedWithoutAnswer,
           qPrintable(closedFamilies.join(u", "_s)));
    printf("  health not ok after a batch: %d\n", healthFailures);
    printf("  segments of %d requests all refused, rows compared: %d, rows changed: %d (%d "
           "segments had accepted requests)\n",
           kSegment,
           checkedSegments,
           changedSegments,
           segmentsWithAccepted);
    printf("  accepted though meant to be refused: %d\n", acceptedThoughRefusable);

    const QString keep
        = Test::testRoot() + u"/fuzz-seed%1-%2"_s.arg(seed).arg(QCoreApplication::applicationPid());
    if (!findings.isEmpty()) {
        QDir().mkpath(keep);
        QFile out(keep + u"/findings.txt"_s);
        out.open(QIODevice::WriteOnly);
        std::map<QString, int> shownByKind;
        printf("== findings (the first of each kind; all in %s/findings.txt)\n", qPrintable(keep));
        for (const Finding &f : std::as_const(findings)) {
            const QString answer
                = f.answer.answered
                      ? u"%1 %2"_s.arg(f.answer.status).arg(escaped(f.answer.body, 300))
                      : f.answer.problem;
            const QString line = u"[%1] %2 (%3%4)\n    answer: %5\n    request: %6\n"_s.arg(
                f.kind,
                f.c.what,
                f.c.family,
                f.c.overUnixSocket ? u", Unix socket"_s : u""_s,
                answer,
                escaped(f.c.raw, 2000));
            out.write(line.toUtf8());
            if (++shownByKind[f.kind] <= 8)
                printf("  [%s] %s (%s%s)\n    answer: %s\n    request: %s\n",
                       qPrintable(f.kind),
                       qPrintable(f.c.what.left(1500)),
                       qPrintable(f.c.family),
                       f.c.overUnixSocket ? ", Unix socket" : "",
                       qPrintable(answer.left(400)),
                       qPrintable(escaped(f.c.raw, 300)));
        }
        hive.terminate(30000);
        QFile::copy(fx.path(u"agenthive.out"_s), keep + u"/agenthive.out"_s);
        QFile::copy(dataDir + u"/logs/agenthive.log"_s, keep + u"/agenthive.log"_s);
    }
    const bool failed = serverErrors || illFormed || hangs || crashes || runnerDeaths
                        || healthFailures || changedSegments;
    printf("RESULT: %s\n", failed ? "FAIL" : "PASS");
    if (failed)
        printf("  again: %s\n", qPrintable(repro));
    hive.terminate(30000);
    return failed ? 1 : 0;
}
