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

void addValueRefusals()
{
    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    const QString task = u"/api/v1/tasks/"_s + kUnknownId;
    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    const auto row = refusalRow;
    // Unknown enum values and bad query parameters.
    row("unknown task status",
        "GET",
        tasks + u"?status=sleeping"_s,
        {},
        {},
        true,
        400,
        u"unknown_value"_s,
        u"status"_s);
    row("unknown agent status",
        "GET",
        agents + u"?status=dead"_s,
        {},
        {},
        true,
        400,
        u"unknown_value"_s,
        u"status"_s);
    row("limit a word",
        "GET",
        tasks + u"?limit=ten"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"limit"_s);
    row("limit too big",
        "GET",
        tasks + u"?limit=5000"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"limit"_s);
    row("agent_type filter",
        "GET",
        tasks + u"?agent_type=Dev%20Team"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"agent_type"_s);
    row("agent_id not an id",
        "GET",
        tasks + u"?agent_id=worker-1"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"agent_id"_s);
    row("before not an id",
        "GET",
        tasks + u"?before=yesterday"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"before"_s);
    row("before no task",
        "GET",
        tasks + u"?before=00000000-0000-4000-8000-000000000000"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"before"_s);
    row("unknown parameter",
        "GET",
        tasks + u"?stauts=queued"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"stauts"_s);
    row("lines zero",
        "GET",
        agent + u"/output?lines=0"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"lines"_s);
    // Well-formed but invalid.
    row("empty prompt",
        "POST",
        tasks,
        R"({"prompt":""})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"prompt"_s);
    row("blank prompt",
        "POST",
        tasks,
        R"({"prompt":"  \n"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"prompt"_s);
    row("missing prompt",
        "POST",
        tasks,
        R"({"title":"no prompt"})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"prompt"_s);
    row("unknown agent type",
        "POST",
        tasks,
        R"({"prompt":"x","agent_type":"Dev Team"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"unknown agent type"_s);
    row("priority 10",
        "POST",
        tasks,
        R"({"prompt":"x","priority":10})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"priority"_s);
    row("priority -1",
        "POST",
        tasks,
        R"({"prompt":"x","priority":-1})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"priority"_s);
    row("max_attempts 0",
        "POST",
        tasks,
        R"({"prompt":"x","max_attempts":0})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"max_attempts"_s);
    row("unknown dependency",
        "POST",
        tasks,
        QByteArray(R"({"prompt":"x","depends_on":[")" + kUnknownId.toLatin1() + "\"]}"),
        {},
        true,
        422,
        u"invalid_value"_s,
        u"depends_on"_s);
    row("dependency not an id",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":["nope"]})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"depends_on"_s);
    row("spawn without type",
        "POST",
        agents,
        R"({"profile":"fake"})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"type"_s);
    row("spawn bad type",
        "POST",
        agents,
        R"({"type":"Dev Team","profile":"fake"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"type"_s);
    row("spawn bad name",
        "POST",
        agents,
        R"j({"type":"dev","name":"$(touch x)","profile":"fake"})j",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"name"_s);
    row("spawn unknown profile",
        "POST",
        agents,
        R"({"type":"dev","profile":"nonexistent"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"profile"_s);
    row("spawn relative workdir",
        "POST",
        agents,
        R"({"type":"dev","profile":"fake","workdir":"rel/dir"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"workdir"_s);
    row("input nothing",
        "POST",
        agent + u"/input"_s,
        R"({"text":""})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"text"_s);
    row("input missing text",
        "POST",
        agent + u"/input"_s,
        R"({"enter":true})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"text"_s);
    // Too big.
    row("2 MiB body",
        "POST",
        tasks,
        "{\"prompt\":\"" + QByteArray(2 * 1024 * 1024, 'a') + "\"}",
        {},
        true,
        413,
        u"payload_too_large"_s,
        u"1048576"_s);
}

void addPathRefusals()
{
    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    const QString task = u"/api/v1/tasks/"_s + kUnknownId;
    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    const auto row = refusalRow;
    // Unknown ids and paths, wrong methods.
    row("unknown agent", "GET", agent, {}, {}, true, 404, u"not_found"_s, u"agent"_s);
    row("kill unknown agent", "DELETE", agent, {}, {}, true, 404, u"not_found"_s, u"agent"_s);
    row("output of unknown agent",
        "GET",
        agent + u"/output"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("input to unknown agent",
        "POST",
        agent + u"/input"_s,
        R"({"text":"hi","enter":true})",
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("agent id not a uuid",
        "GET",
        agents + u"/not-a-uuid"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("unknown task", "GET", task, {}, {}, true, 404, u"not_found"_s, u"task"_s);
    row("cancel unknown task", "DELETE", task, {}, {}, true, 404, u"not_found"_s, u"task"_s);
    row("retry unknown task",
        "POST",
        task + u"/retry"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"task"_s);
    row("unknown path",
        "GET",
        u"/api/v1/nothing"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"no such path"_s);
    row("unknown path, no token",
        "GET",
        u"/api/v2/agents"_s,
        {},
        {},
        false,
        401,
        u"unauthorized"_s,
        {});
    row("PUT tasks",
        "PUT",
        tasks,
        R"({"prompt":"x"})",
        {},
        true,
        405,
        u"method_not_allowed"_s,
        u"GET, POST"_s);
    row("PATCH agent", "PATCH", agent, "{}", {}, true, 405, u"method_not_allowed"_s, u"DELETE"_s);
    row("DELETE health",
        "DELETE",
        u"/api/v1/health"_s,
        {},
        {},
        true,
        405,
        u"method_not_allowed"_s,
        u"GET"_s);
    row("events since what",
        "GET",
        u"/api/v1/events?since=yesterday"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"since"_s);
}

} // namespace Hive::Test
