// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Hive;

// Agents and their tasks through the API (see ApiTestBase): a worker, a task and its events over
// TCP, cancel, retry and conflicts, and an interactive agent over the Unix socket.
class tst_ApiAgents : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void workerAgentTaskAndEventsOverTcp();
    void cancelRetryAndConflicts();
    void interactiveAgentOverUnixSocket();
    void listPagesWithBefore();
};

void tst_ApiAgents::workerAgentTaskAndEventsOverTcp()
{
    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);

    Reply r = call(
        "POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake","name":"api-worker"})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject agent = r.object();
    const QString agentId = agent.value(u"id"_s).toString();
    QCOMPARE(r.headers.value("location"), QString(u"/api/v1/agents/"_s + agentId).toLatin1());
    for (const char *field : {"id",
                              "name",
                              "type",
                              "profile",
                              "interactive",
                              "status",
                              "tmux_session",
                              "workdir",
                              "current_task_id",
                              "created_at",
                              "last_heartbeat"})
        QVERIFY2(agent.contains(QLatin1StringView(field)), field);
    QCOMPARE(agent.value(u"name"_s).toString(), u"api-worker"_s);
    QCOMPARE(agent.value(u"interactive"_s), QJsonValue(false));
    // Its session exists when the answer comes.
    QVERIFY(tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    // Once its runner said it is ready (its own event), nothing else writes meanwhile.
    const QJsonObject idle = waitAgent(
        agentId, [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"idle"_s; });
    QCOMPARE(idle.value(u"status"_s).toString(), u"idle"_s);
    // A second live agent of the same name: 409.
    const QString before = counts();
    r = call("POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake","name":"api-worker"})");
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"conflict"_s);
    QCOMPARE(counts(), before);
    r = call("GET", u"/api/v1/agents?status=idle"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(hasId(r.array(), agentId));
    r = call("GET", u"/api/v1/agents?status=stopped"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(!hasId(r.array(), agentId));

    // A task, followed through the event stream to its result.
    r = call(
        "POST", u"/api/v1/tasks"_s, R"({"prompt":"hello api","title":"greeting","priority":5})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject task = r.object();
    const QString taskId = task.value(u"id"_s).toString();
    QVERIFY(!QUuid::fromString(taskId).isNull());
    QCOMPARE(task.value(u"status"_s).toString(), u"queued"_s);
    QCOMPARE(task.value(u"agent_type"_s).toString(), u"dev"_s);
    QCOMPARE(task.value(u"priority"_s).toInt(), 5);
    QCOMPARE(task.value(u"max_attempts"_s).toInt(), 3);
    QCOMPARE(task.value(u"result"_s), QJsonValue(QJsonValue::Null));
    for (const char *field : {"id",
                              "title",
                              "prompt",
                              "agent_type",
                              "priority",
                              "status",
                              "agent_id",
                              "depends_on",
                              "attempts",
                              "max_attempts",
                              "created_at",
                              "started_at",
                              "finished_at",
                              "result"})
        QVERIFY2(task.contains(QLatin1StringView(field)), field);

    auto eventsOf = [&events](const QString &id) {
        QList<QJsonObject> out;
        for (const QJsonObject &e : std::as_const(events))
            if (e.value(u"task"_s).toObject().value(u"id"_s).toString() == id)
                out << e;
        return out;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(taskId).isEmpty()
                                 && eventsOf(taskId).last().value(u"type"_s).toString()
                                        == u"task.succeeded"_s,
                             30000);
    QStringList types;
    qint64 seq = 0;
    for (const QJsonObject &e : eventsOf(taskId)) {
        types << e.value(u"type"_s).toString();
        QVERIFY(e.value(u"seq"_s).toInteger() > seq);
        seq = e.value(u"seq"_s).toInteger();
        QVERIFY(!e.value(u"at"_s).toString().isEmpty());
    }
    QCOMPARE(types,
             (QStringList{
                 u"task.created"_s, u"task.assigned"_s, u"task.started"_s, u"task.succeeded"_s}));
    const QJsonObject result
        = eventsOf(taskId).last().value(u"task"_s).toObject().value(u"result"_s).toObject();
    QCOMPARE(result.value(u"exit_code"_s).toInt(), 0);
    // Events carry the output's end and size (the whole task is GET /tasks/{id}).
    QVERIFY(!result.contains(u"output"_s));
    QVERIFY2(result.value(u"output_tail"_s).toString().contains(u"PROMPT:hello api"_s),
             qPrintable(result.value(u"output_tail"_s).toString()));
    QVERIFY(result.value(u"output_bytes"_s).toInteger() > 0);
    QVERIFY(result.contains(u"duration_ms"_s) && result.contains(u"cost_usd"_s));
    // The agent's own events reached the stream too.
    QVERIFY(std::any_of(events.cbegin(), events.cend(), [&](const QJsonObject &e) {
        return e.value(u"type"_s).toString() == u"agent.spawned"_s
               && e.value(u"agent"_s).toObject().value(u"id"_s).toString() == agentId;
    }));

    r = call("GET", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"succeeded"_s);
    QCOMPARE(r.object().value(u"agent_id"_s).toString(), agentId);
    QVERIFY(r.object().value(u"result"_s).isObject());
    r = call("GET", u"/api/v1/tasks?status=succeeded&agent_type=dev&limit=1"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.array().size(), 1);
    QCOMPARE(r.array().first().toObject().value(u"id"_s).toString(), taskId);
    // Lists hold summaries (as events do): the prompt's start, the output's end, their sizes.
    {
        const QJsonObject listed = r.array().first().toObject();
        QVERIFY2(!listed.contains(u"prompt"_s) && listed.contains(u"prompt_preview"_s),
                 r.body.constData());
        QVERIFY(listed.value(u"prompt_bytes"_s).toInteger() > 0);
        const QJsonObject result = listed.value(u"result"_s).toObject();
        QVERIFY2(!result.contains(u"output"_s) && result.contains(u"output_tail"_s),
                 r.body.constData());
        QVERIFY(result.value(u"output_bytes"_s).toInteger() > 0);
    }
    r = call("GET", u"/api/v1/tasks?agent_id=%1"_s.arg(agentId));
    QCOMPARE(r.status, 200);
    QVERIFY(!r.array().isEmpty());
    for (const QJsonValue &v : r.array())
        QCOMPARE(v.toObject().value(u"agent_id"_s).toString(), agentId);

    // Its pane.
    r = call("GET", u"/api/v1/agents/%1/output?lines=100"_s.arg(agentId));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.object().value(u"text"_s).toString().contains(u"PROMPT:hello api"_s),
             r.body.constData());

    // A dependency chain through the API.
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"first sleep=1"})");
    const QString first = r.object().value(u"id"_s).toString();
    r = call(
        "POST",
        u"/api/v1/tasks"_s,
        QJsonDocument(QJsonObject{{u"prompt"_s, u"second"_s}, {u"depends_on"_s, QJsonArray{first}}})
            .toJson());
    QVERIFY2(r.status == 201, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"blocked"_s);
    QCOMPARE(r.object().value(u"depends_on"_s).toArray(), QJsonArray{first});
    const QJsonObject second
        = waitTask(r.object().value(u"id"_s).toString(), [](const QJsonObject &t) {
              return t.value(u"status"_s).toString() == u"succeeded"_s
                     || t.value(u"status"_s).toString() == u"failed"_s;
          });
    QCOMPARE(second.value(u"status"_s).toString(), u"succeeded"_s);

    // Kill: 204, its session gone, the stream says so.
    r = call("DELETE", u"/api/v1/agents/"_s + agentId);
    QVERIFY2(r.status == 204, r.describe().constData());
    QVERIFY(r.body.isEmpty());
    QVERIFY(!tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    r = call("GET", u"/api/v1/agents/"_s + agentId);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"stopped"_s);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(events.cbegin(),
                    events.cend(),
                    [&](const QJsonObject &e) {
                        return e.value(u"type"_s).toString() == u"agent.killed"_s
                               && e.value(u"agent"_s).toObject().value(u"id"_s).toString()
                                      == agentId;
                    }),
        5000);
    // Reading a stopped agent's pane is a conflict, not a crash.
    r = call("GET", u"/api/v1/agents/%1/output"_s.arg(agentId));
    QCOMPARE(r.status, 409);
}

void tst_ApiAgents::cancelRetryAndConflicts()
{
    Reply r = call("POST", u"/api/v1/agents"_s, R"({"type":"slow","profile":"fake"})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString agentId = r.object().value(u"id"_s).toString();
    r = call("POST",
             u"/api/v1/tasks"_s,
             R"({"prompt":"long sleep=60","agent_type":"slow","max_attempts":1})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString taskId = r.object().value(u"id"_s).toString();
    const QJsonObject running = waitTask(taskId, [](const QJsonObject &t) {
        return t.value(u"status"_s).toString() == u"running"_s;
    });
    QCOMPARE(running.value(u"status"_s).toString(), u"running"_s);

    // Retrying a running task: 409, and nothing changed.
    QString before = counts();
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(taskId));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"conflict"_s);
    QVERIFY2(r.message().contains(u"running"_s), qPrintable(r.message()));
    QCOMPARE(counts(), before);
    QCOMPARE(
        waitTask(taskId, [](const QJsonObject &) { return true; }).value(u"status"_s).toString(),
        u"running"_s);

    // Cancel stops it; cancelling again is the same answer.
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"cancelled"_s);
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"cancelled"_s);
    const QJsonObject freed = waitAgent(
        agentId,
        [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"idle"_s; },
        15000);
    QCOMPARE(freed.value(u"status"_s).toString(), u"idle"_s);

    // Retry brings it back to the queue.
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(taskId));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"queued"_s);
    QCOMPARE(r.object().value(u"attempts"_s).toInt(), 0);
    waitTask(taskId,
             [](const QJsonObject &t) { return t.value(u"status"_s).toString() == u"running"_s; });
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);

    // A succeeded task can be neither cancelled nor retried.
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"quick","agent_type":"slow"})");
    const QString quick = r.object().value(u"id"_s).toString();
    QCOMPARE(waitTask(quick,
                      [](const QJsonObject &t) {
                          return t.value(u"status"_s).toString() == u"succeeded"_s;
                      })
                 .value(u"status"_s)
                 .toString(),
             u"succeeded"_s);
    before = counts();
    r = call("DELETE", u"/api/v1/tasks/"_s + quick);
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code(), u"conflict"_s);
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(quick));
    QCOMPARE(r.status, 409);
    QCOMPARE(counts(), before);
    QCOMPARE(call("DELETE", u"/api/v1/agents/"_s + agentId).status, 204);
}

void tst_ApiAgents::interactiveAgentOverUnixSocket()
{
    Reply r = unixCall(
        "POST", u"/api/v1/agents"_s, R"({"type":"chat","profile":"fake-i","interactive":true})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject agent = r.object();
    const QString id = agent.value(u"id"_s).toString();
    QCOMPARE(agent.value(u"interactive"_s), QJsonValue(true));
    QVERIFY(tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    const QString outputPath = u"/api/v1/agents/%1/output?lines=50"_s.arg(id);
    QString pane;
    auto paneShows = [&](const QString &expected) {
        pane = unixCall("GET", outputPath).object().value(u"text"_s).toString();
        return pane.contains(expected);
    };
    QTRY_VERIFY2_WITH_TIMEOUT(paneShows(u"fake-agent ready"_s), qPrintable(pane), 30000);

    r = unixCall("POST",
                 u"/api/v1/agents/%1/input"_s.arg(id),
                 R"({"text":"hello from the api","enter":true})");
    QVERIFY2(r.status == 202, r.describe().constData());
    QTRY_VERIFY2_WITH_TIMEOUT(
        paneShows(u"working on: hello from the api"_s), qPrintable(pane), 30000);

    // Typed literally: nothing in it is run by a shell.
    const QString marker = m_fx->path(u"typed-pwned"_s);
    const QString text
        = u"$(touch %1); `touch %1` && echo 'q' \"dq\" ~ * #{session_name}"_s.arg(marker);
    r = unixCall("POST",
                 u"/api/v1/agents/%1/input"_s.arg(id),
                 QJsonDocument(QJsonObject{{u"text"_s, text}, {u"enter"_s, true}}).toJson());
    QCOMPARE(r.status, 202);
    QTRY_VERIFY2_WITH_TIMEOUT(paneShows(u"working on: "_s + text), qPrintable(pane), 30000);
    QVERIFY(!QFile::exists(marker));

    // The same agent is there over TCP too; then it is killed over the Unix socket.
    QCOMPARE(call("GET", u"/api/v1/agents/"_s + id).status, 200);
    r = unixCall("DELETE", u"/api/v1/agents/"_s + id);
    QCOMPARE(r.status, 204);
    QVERIFY(!tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    r = unixCall(
        "POST", u"/api/v1/agents/%1/input"_s.arg(id), R"({"text":"anyone?","enter":true})");
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code(), u"conflict"_s);
}

// Keyset pages: before= the last id of a page gives the next one, every task once, newest first,
// also with a filter; the end is an empty page.
void tst_ApiAgents::listPagesWithBefore()
{
    QStringList made;
    for (int i = 0; i < 7; ++i) {
        const Reply r = call("POST",
                             u"/api/v1/tasks"_s,
                             QJsonDocument(QJsonObject{{u"prompt"_s, u"page %1"_s.arg(i)},
                                                       {u"agent_type"_s, u"pages-none"_s}})
                                 .toJson(QJsonDocument::Compact));
        QVERIFY2(r.status == 201, r.describe().constData());
        made.prepend(r.object().value(u"id"_s).toString()); // newest first
    }
    QStringList seen;
    QString before;
    for (int page = 0; page < 10; ++page) {
        QString target = u"/api/v1/tasks?agent_type=pages-none&limit=3"_s;
        if (!before.isEmpty())
            target += u"&before="_s + before;
        const Reply r = call("GET", target);
        QVERIFY2(r.status == 200, r.describe().constData());
        if (r.array().isEmpty())
            break;
        QVERIFY(r.array().size() <= 3);
        for (const QJsonValue &v : r.array())
            seen << v.toObject().value(u"id"_s).toString();
        before = seen.last();
    }
    QCOMPARE(seen, made);
}

QTEST_GUILESS_MAIN(tst_ApiAgents)
#include "tst_api_agents.moc"
