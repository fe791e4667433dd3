// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"
#include "tests/api/refusalrows.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace Hive::Test {

namespace {
const QString &kUnknownId = ApiTestBase::kUnknownId;
} // namespace

void refusalRow(const char *name,
                const char *method,
                const QString &path,
                const QByteArray &body,
                const QByteArray &headers,
                bool token,
                int status,
                const QString &code,
                const QString &mentions)
{
    QTest::newRow(name) << QByteArray(method) << path << body << headers << token << status << code
                        << mentions;
}

void addWhoGetsInRefusals()
{
    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    const QString task = u"/api/v1/tasks/"_s + kUnknownId;
    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    const auto row = refusalRow;
    // Who gets in.
    row("no token",
        "GET",
        agents,
        {},
        {},
        false,
        401,
        u"unauthorized"_s,
        u"missing bearer token"_s);
    row("no token, POST",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        {},
        false,
        401,
        u"unauthorized"_s,
        u"bearer"_s);
    row("wrong token",
        "GET",
        agents,
        {},
        "Authorization: Bearer 0123456789abcdef0123456789abcdef",
        false,
        401,
        u"unauthorized"_s,
        u"wrong bearer token"_s);
    row("wrong scheme",
        "GET",
        agents,
        {},
        "Authorization: Basic dXNlcjpwYXNz",
        false,
        401,
        u"unauthorized"_s,
        {});
    row("empty bearer",
        "GET",
        agents,
        {},
        "Authorization: Bearer ",
        false,
        401,
        u"unauthorized"_s,
        {});
    row("foreign Host",
        "GET",
        agents,
        {},
        "Host: evil.example",
        true,
        403,
        u"forbidden"_s,
        u"evil.example"_s);
    row("foreign Host with port",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        "Host: evil.example:8000",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Host lookalike",
        "GET",
        agents,
        {},
        "Host: localhost.evil.example",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Host 127.0.0.2",
        "GET",
        agents,
        {},
        "Host: 127.0.0.2",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("foreign Host on health",
        "GET",
        u"/api/v1/health"_s,
        {},
        "Host: attacker.test",
        false,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Origin",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        "Origin: http://localhost:8000",
        true,
        403,
        u"forbidden"_s,
        u"Origin"_s);
    row("Origin null", "GET", agents, {}, "Origin: null", true, 403, u"forbidden"_s, u"Origin"_s);
    row("Origin on health",
        "GET",
        u"/api/v1/health"_s,
        {},
        "Origin: https://evil.example",
        false,
        403,
        u"forbidden"_s,
        u"Origin"_s);
    row("Origin before token",
        "GET",
        agents,
        {},
        "Origin: https://evil.example",
        false,
        403,
        u"forbidden"_s,
        {});
}

void addBodyRefusals()
{
    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    const QString task = u"/api/v1/tasks/"_s + kUnknownId;
    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    const auto row = refusalRow;
    // Bodies that are not what they should be.
    row("malformed JSON",
        "POST",
        tasks,
        R"({"prompt": "x",)",
        {},
        true,
        400,
        u"malformed_json"_s,
        u"body"_s);
    row("empty body", "POST", tasks, "", {}, true, 400, u"malformed_json"_s, u"body"_s);
    row("array body", "POST", tasks, R"(["x"])", {}, true, 400, u"wrong_type"_s, u"body"_s);
    row("prompt a number",
        "POST",
        tasks,
        R"({"prompt":5})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"prompt"_s);
    row("priority a string",
        "POST",
        tasks,
        R"({"prompt":"x","priority":"high"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"priority"_s);
    row("priority fractional",
        "POST",
        tasks,
        R"({"prompt":"x","priority":1.5})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"priority"_s);
    row("depends_on a string",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":"abc"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"depends_on"_s);
    row("depends_on of numbers",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":[1]})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"depends_on[0]"_s);
    row("max_attempts a boolean",
        "POST",
        tasks,
        R"({"prompt":"x","max_attempts":true})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"max_attempts"_s);
    row("title an object",
        "POST",
        tasks,
        R"({"prompt":"x","title":{}})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"title"_s);
    row("unknown field",
        "POST",
        tasks,
        R"({"prompt":"x","priorty":3})",
        {},
        true,
        400,
        u"unknown_field"_s,
        u"priorty"_s);
    row("interactive a string",
        "POST",
        agents,
        R"({"type":"dev","interactive":"yes"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"interactive"_s);
    row("permission_mode a number",
        "POST",
        agents,
        R"({"type":"dev","permission_mode":1})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"permission_mode"_s);
    row("unknown permission_mode",
        "POST",
        agents,
        R"({"type":"dev","permission_mode":"yolo"})",
        {},
        true,
        400,
        u"unknown_value"_s,
        u"permission_mode: 'yolo' is not one of default, acceptEdits"_s);
    row("permission_mode for a profile without one",
        "POST",
        agents,
        R"({"type":"dev","profile":"aider","permission_mode":"plan"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"permission_mode: profile 'aider' has no permission mode"_s);
    row("name a number",
        "POST",
        agents,
        R"({"type":"dev","name":3})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"name"_s);
    row("input text a number",
        "POST",
        agent + u"/input"_s,
        R"({"text":1})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"text"_s);
}

} // namespace Hive::Test
