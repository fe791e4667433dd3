// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Hive;

// Reads answered from what the engine keeps (the agents without a round trip to PostgreSQL) and
// writes that share a commit (tasks created together) stay consistent with the answers already
// given: what a write answered is in the next read, at once; a task's row is committed when its
// 201 comes; a refused task in a shared commit fails alone.
class tst_ApiConsistency : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void agentWritesVisibleAtOnce();
    void changesFromOtherProcessesArrive();
    void concurrentTasksCommittedWhenAnswered();
};

void tst_ApiConsistency::agentWritesVisibleAtOnce()
{
    Reply r = call("POST",
                   u"/api/v1/agents"_s,
                   R"({"type":"dev","profile":"fake-i","name":"seen-at-once","interactive":true})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject spawned = r.object();
    const QString id = spawned.value(u"id"_s).toString();
    // No waiting: the answer was given, the next read has it.
    r = call("GET", u"/api/v1/agents/"_s + id);
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"name"_s).toString(), u"seen-at-once"_s);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    r = call("GET", u"/api/v1/agents"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(hasId(r.array(), id));
    // Each the same as PostgreSQL's row.
    auto row = m_probe->agent(id);
    QVERIFY_OK(row);
    const QJsonObject listed = [&] {
        for (const QJsonValue v : r.array())
            if (v.toObject().value(u"id"_s).toString() == id)
                return v.toObject();
        return QJsonObject();
    }();
    QCOMPARE(listed, row->toJson());

    r = call("DELETE", u"/api/v1/agents/"_s + id);
    QVERIFY2(r.status == 204, r.describe().constData());
    r = call("GET", u"/api/v1/agents/"_s + id);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"stopped"_s);
    r = call("GET", u"/api/v1/agents?status=stopped"_s);
    QVERIFY(hasId(r.array(), id));
    for (const char *status : {"starting", "idle", "busy", "waiting_input"})
        QVERIFY2(
            !hasId(call("GET", u"/api/v1/agents?status="_s + QLatin1StringView(status)).array(),
                   id),
            status);
    // An agent nobody knows: still 404.
    QCOMPARE(call("GET", u"/api/v1/agents/"_s + kUnknownId).status, 404);
}

void tst_ApiConsistency::changesFromOtherProcessesArrive()
{
    // A change written by another connection (as a runner writes), whose event never reached
    // Redis: the engine reads the table again (Engine::Options::agentRefreshMs) and answers it.
    Reply r = call("POST",
                   u"/api/v1/agents"_s,
                   R"({"type":"dev","profile":"fake-i","name":"elsewhere","interactive":true})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString id = r.object().value(u"id"_s).toString();
    QVERIFY_OK(m_probe->endAgent(id, Agent::Status::Lost, u"from another process"_s));
    QTRY_COMPARE_WITH_TIMEOUT(
        call("GET", u"/api/v1/agents/"_s + id).object().value(u"status"_s).toString(),
        u"lost"_s,
        15000);
    QVERIFY(hasId(call("GET", u"/api/v1/agents?status=lost"_s).array(), id));
}

void tst_ApiConsistency::concurrentTasksCommittedWhenAnswered()
{
    // Sent all at once on connections of their own, so that they arrive while a commit is in
    // flight and share the next one; one of them names a dependency that does not exist.
    constexpr int kTasks = 40;
    constexpr int kBad = 17;
    const QByteArray token = m_api->token().toLatin1();
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    QList<QByteArray> buffers(kTasks);
    QList<std::optional<Reply>> replies(kTasks);
    for (int i = 0; i < kTasks; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
        sockets.push_back(std::move(s));
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(sockets.begin(),
                    sockets.end(),
                    [](const auto &s) { return s->state() == QAbstractSocket::ConnectedState; }),
        10000);
    for (int i = 0; i < kTasks; ++i) {
        const QByteArray body
            = i == kBad
                  ? R"({"prompt":"bad","depends_on":["6f1c2d1e-0000-4000-8000-000000000001"]})"_ba
                  : R"({"prompt":"together )"_ba + QByteArray::number(i) + R"("})"_ba;
        sockets[size_t(i)]->write(requestText(
            "POST", u"/api/v1/tasks"_s, body, "Authorization: Bearer " + token + "\r\n"));
    }
    int answered = 0;
    QDeadlineTimer d(60000);
    while (answered < kTasks && !d.hasExpired()) {
        QTest::qWait(1);
        for (int i = 0; i < kTasks; ++i) {
            if (replies[i])
                continue;
            buffers[i] += sockets[size_t(i)]->readAll();
            replies[i] = takeResponse(buffers[i]);
            if (!replies[i])
                continue;
            ++answered;
            if (i == kBad)
                continue;
            // The moment its answer is here, its row is committed (read on another connection).
            QVERIFY2(replies[i]->status == 201, replies[i]->describe().constData());
            const QString id = replies[i]->object().value(u"id"_s).toString();
            auto row = m_probe->task(id);
            QVERIFY2(row.has_value(), qPrintable(id));
            QCOMPARE(row->status, Task::Status::Queued);
        }
    }
    QCOMPARE(answered, kTasks);
    QVERIFY2(replies[kBad]->status == 422, replies[kBad]->describe().constData());
    QVERIFY2(replies[kBad]->message().contains(u"depends_on"_s), replies[kBad]->describe());
    // And each through the API, right after.
    for (int i = 0; i < kTasks; ++i) {
        if (i == kBad)
            continue;
        const QString id = replies[i]->object().value(u"id"_s).toString();
        QCOMPARE(call("GET", u"/api/v1/tasks/"_s + id).status, 200);
    }
}

QTEST_MAIN(tst_ApiConsistency)
#include "tst_api_consistency.moc"
