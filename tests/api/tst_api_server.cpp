// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// The server itself (see ApiTestBase): the files it writes, health, the OpenAPI document against
// what is served, and the headless binary serving the API end to end.
class tst_ApiServer : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void startWritesPortTokenAndSocket();
    void healthNeedsNoToken();
    void openApiDescribesExactlyWhatIsServed();
    void headlessBinaryServesTheApi();
    void searchAnswersAndRefuses();
};

// GET /api/v1/search: hits as JSON, a missing or bad query refused, semantic search off (409)
// without an embeddings endpoint. What it finds is tests/search/tst_search's subject.
void tst_ApiServer::searchAnswersAndRefuses()
{
    Reply r = call("GET", u"/api/v1/search?q=nothing%20matches%20this"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(r.array().isEmpty());
    r = call("GET", u"/api/v1/search"_s);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.contains("q: required"), r.body.constData());
    r = call("GET", u"/api/v1/search?q=x&kind=fuzzy"_s);
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.contains("kind"));
    r = call("GET", u"/api/v1/search?q=x&limit=0"_s);
    QCOMPARE(r.status, 400);
    r = call("GET", u"/api/v1/search?q=x&kind=semantic"_s);
    QCOMPARE(r.status, 409);
    QVERIFY2(r.body.contains("--embeddings-url"), r.body.constData());
    r = call("GET", u"/api/v1/search?q=x"_s, {}, {}, false);
    QCOMPARE(r.status, 401);
}

void tst_ApiServer::startWritesPortTokenAndSocket()
{
    QVERIFY(m_api->port() > 0);
    QCOMPARE(m_url, u"http://127.0.0.1:%1"_s.arg(m_api->port()));
    QFile port(m_fx->path(u"api-port"_s));
    QVERIFY(port.open(QIODevice::ReadOnly));
    QCOMPARE(port.readAll().trimmed().toInt(), m_api->port());
    QCOMPARE(m_api->tokenFile(), m_fx->path(u"api-token"_s));
    QCOMPARE(m_api->socketPath(), m_fx->path(u"api.sock"_s));
    const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const QFileDevice::Permissions all
        = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
          | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
          | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(QFileInfo(m_api->tokenFile()).permissions() & all, owner);
    QCOMPARE(QFileInfo(m_api->socketPath()).permissions() & all, owner);
    QVERIFY(m_api->token().size() >= 32);
    // Listening on loopback only.
    QTcpSocket other;
    other.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(other.waitForConnected(2000));
}

void tst_ApiServer::healthNeedsNoToken()
{
    const Reply r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QVERIFY(r.headers.value("content-type").startsWith("application/json"));
    const QJsonObject h = r.object();
    QCOMPARE(h.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(h.value(u"postgres"_s), QJsonValue(true));
    QCOMPARE(h.value(u"redis"_s), QJsonValue(true));
    QCOMPARE(h.value(u"tmux"_s), QJsonValue(true));
    QCOMPARE(h.value(u"version"_s).toString(), QStringLiteral(HIVE_VERSION));
    // No CORS headers, ever.
    for (auto it = r.headers.cbegin(); it != r.headers.cend(); ++it)
        QVERIFY2(!it.key().startsWith("access-control-"), it.key().constData());
}

void tst_ApiServer::openApiDescribesExactlyWhatIsServed()
{
    const Reply r = call("GET", u"/api/v1/openapi.json"_s);
    QCOMPARE(r.status, 200);
    const QJsonObject doc = r.object();
    QVERIFY(doc.value(u"openapi"_s).toString().startsWith(u"3."_s));
    QCOMPARE(doc.value(u"servers"_s).toArray().first().toObject().value(u"url"_s).toString(),
             m_url);
    const QJsonObject paths = doc.value(u"paths"_s).toObject();
    QStringList described;
    for (auto p = paths.begin(); p != paths.end(); ++p)
        for (const QString &m : p.value().toObject().keys())
            described << m.toUpper() + u' ' + p.key();
    described.sort();
    // The contract (docs/api.md), every route of it and nothing else.
    QStringList contract{u"GET /api/v1/health"_s,
                         u"POST /api/v1/agents/{id}/restart"_s,
                         u"POST /api/v1/agents/{id}/hooks"_s,
                         u"GET /api/v1/agents"_s,
                         u"POST /api/v1/agents"_s,
                         u"GET /api/v1/agents/{id}"_s,
                         u"DELETE /api/v1/agents/{id}"_s,
                         u"POST /api/v1/agents/{id}/input"_s,
                         u"GET /api/v1/agents/{id}/output"_s,
                         u"GET /api/v1/tasks"_s,
                         u"POST /api/v1/tasks"_s,
                         u"GET /api/v1/tasks/{id}"_s,
                         u"DELETE /api/v1/tasks/{id}"_s,
                         u"POST /api/v1/tasks/{id}/retry"_s,
                         u"GET /api/v1/events"_s,
                         u"GET /api/v1/search"_s,
                         u"GET /api/v1/openapi.json"_s,
                         // hive-runner's (RunnerController)
                         u"POST /api/v1/runners"_s,
                         u"GET /api/v1/runners/{id}"_s,
                         u"POST /api/v1/runners/{id}/status"_s,
                         u"POST /api/v1/runners/{id}/heartbeat"_s,
                         u"POST /api/v1/runners/{id}/claim"_s,
                         u"POST /api/v1/runners/{id}/start"_s,
                         u"POST /api/v1/runners/{id}/output"_s,
                         u"POST /api/v1/runners/{id}/finish"_s,
                         u"POST /api/v1/runners/{id}/fail"_s,
                         u"POST /api/v1/runners/{id}/release"_s,
                         u"POST /api/v1/runners/{id}/rate-limited"_s,
                         u"POST /api/v1/runners/{id}/hold"_s,
                         u"GET /api/v1/costs"_s,
                         u"PUT /api/v1/budget"_s,
                         u"GET /api/v1/limits"_s,
                         u"DELETE /api/v1/limits/{id}"_s};
    // Pause, stop and teams (services/api/teamroutes.cpp).
    contract << u"POST /api/v1/agents/{id}/pause"_s << u"POST /api/v1/agents/{id}/resume"_s
             << u"POST /api/v1/agents/{id}/stop"_s << u"POST /api/v1/agents/{id}/start"_s
             << u"GET /api/v1/teams"_s << u"POST /api/v1/teams"_s << u"GET /api/v1/teams/{id}"_s
             << u"DELETE /api/v1/teams/{id}"_s << u"GET /api/v1/team-templates"_s;
    // Review and merge (services/api/reviewcontroller.cpp).
    contract << u"GET /api/v1/agents/{id}/diff"_s << u"POST /api/v1/agents/{id}/merge"_s
             << u"DELETE /api/v1/agents/{id}/worktree"_s << u"GET /api/v1/tasks/{id}/changes"_s;
    contract.sort();
    QCOMPARE(described, contract);
    const QJsonObject schemas
        = doc.value(u"components"_s).toObject().value(u"schemas"_s).toObject();
    for (const char *s : {"Agent",
                          "Task",
                          "Event",
                          "Error",
                          "Health",
                          "TaskRequest",
                          "SpawnRequest",
                          "CostReport",
                          "Budget",
                          "ProfileLimit"})
        QVERIFY2(schemas.contains(QLatin1StringView(s)), s);
    const QStringList agentFields
        = schemas.value(u"Agent"_s).toObject().value(u"properties"_s).toObject().keys();
    Agent sample;
    sample.cpuPercent = 0; // only live, sampled agents have these two
    sample.rssBytes = 0;
    QCOMPARE(QStringList(sample.toJson().keys()), agentFields);

    // Served: each described operation reaches its handler (no 404 for the path, no 405), and on
    // each described path every other method is 405 with exactly the described methods in Allow.
    const QString before = counts();
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QString path = QString(p.key()).replace(u"{id}"_s, kUnknownId);
        QStringList methods;
        for (const QString &m : p.value().toObject().keys()) {
            methods << m.toUpper();
            const Reply served = call(
                m.toUpper().toLatin1(), path, m == u"post"_s ? QByteArray("{}") : QByteArray());
            QVERIFY2(served.status != 405 && !served.message().contains(u"no such path"_s),
                     qPrintable(m + u' ' + path + u": "_s + QString::fromUtf8(served.describe())));
        }
        methods.sort();
        for (const QByteArray other : {"GET", "POST", "DELETE", "PUT", "PATCH"}) {
            if (methods.contains(QString::fromLatin1(other)))
                continue;
            const Reply refused = call(other, path);
            QCOMPARE(refused.status, 405);
            QCOMPARE(refused.code(), u"method_not_allowed"_s);
            QStringList allow = QString::fromLatin1(refused.headers.value("allow")).split(u", "_s);
            allow.sort();
            QCOMPARE(allow, methods);
        }
    }
    QCOMPARE(counts(), before);
}

void tst_ApiServer::headlessBinaryServesTheApi()
{
    // The real executable as `make run` starts it with no display: its own PostgreSQL and Redis.
    Test::HiveFixture fx(0);
    QVERIFY_OK(fx.start());
    const QString dataDir = fx.path(u"data"_s);
    writeProfile(dataDir, u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(Test::HiveFixture::binDir() + u"/agenthive"_s,
              {u"--headless"_s,
               u"--data-dir"_s,
               dataDir,
               u"--api-port"_s,
               u"0"_s,
               u"--tmux-socket"_s,
               fx.tmuxSocket()});
    QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT(
        (log += app.readAll()).contains("is ready") || app.state() == QProcess::NotRunning, 90000);
    QVERIFY2(app.state() == QProcess::Running, log.constData());
    QFile portFile(dataDir + u"/api-port"_s);
    QVERIFY(portFile.open(QIODevice::ReadOnly));
    const quint16 port = quint16(portFile.readAll().trimmed().toUInt());
    QVERIFY(port > 0);
    // The log says where it listens and where the token is.
    QVERIFY2(
        log.contains(QByteArray("API listening on http://127.0.0.1:" + QByteArray::number(port))),
        log.constData());
    QVERIFY2(log.contains((dataDir + u"/api-token"_s).toUtf8()), log.constData());
    QFile tokenFile(dataDir + u"/api-token"_s);
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    const QByteArray token = tokenFile.readAll().trimmed();

    Reply r = tcpRaw(requestText("GET", u"/api/v1/health"_s, {}, "Connection: close\r\n"), port);
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"ok"_s);
    const QByteArray auth = "Authorization: Bearer " + token + "\r\nConnection: close\r\n";
    r = tcpRaw(requestText("POST", u"/api/v1/agents"_s, R"({"type":"e2e","profile":"fake"})", auth),
               port);
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString agentId = r.object().value(u"id"_s).toString();
    r = unixCall("POST",
                 u"/api/v1/tasks"_s,
                 R"({"prompt":"end to end","agent_type":"e2e"})",
                 {},
                 dataDir + u"/api.sock"_s);
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString taskId = r.object().value(u"id"_s).toString();
    QTRY_VERIFY_WITH_TIMEOUT(
        unixCall("GET", u"/api/v1/tasks/"_s + taskId, {}, {}, dataDir + u"/api.sock"_s)
                .object()
                .value(u"status"_s)
            == QJsonValue(u"succeeded"_s),
        60000);
    r = tcpRaw(requestText("DELETE", u"/api/v1/agents/"_s + agentId, {}, auth), port);
    QCOMPARE(r.status, 204);

    app.terminate();
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitCode(), 0);
    QVERIFY(!QFile::exists(dataDir + u"/api.sock"_s));
    QVERIFY(!QFile::exists(dataDir + u"/api-port"_s));
}

QTEST_GUILESS_MAIN(tst_ApiServer)
#include "tst_api_server.moc"
