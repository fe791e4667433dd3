// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// An interactive Claude Code agent in tmux, the real CLI against the stand-in API, driven through
// the REST API: the folder-trust question is seen (from the pane) and answered; a prompt is
// acknowledged by Claude's own hook; a Write asks for permission (the hook's words) and is
// approved; after its tmux server is killed, a restart resumes the conversation; stopped (by hand,
// then by the idle timeout) and started again, it is the same agent and its conversation goes on.
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/claudestandin.h"
#include "tests/fixture/hivefixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_ClaudeInteractive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void trustPromptPermissionAndIdle();
    void restartResumesTheConversation();
    void stopAndStartResumeTheConversation();
    void idleTimeoutStopsItAndStartResumes();

private:
    struct Reply
    {
        int status = 0;
        QJsonObject body;
    };
    Reply call(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    QJsonObject agent(const QString &id) { return call("GET", u"/api/v1/agents/"_s + id).body; }
    QString screen(const QString &id)
    {
        return call("GET", u"/api/v1/agents/%1/output?lines=60"_s.arg(id))
            .body.value(u"text")
            .toString();
    }
    bool waitForScreen(const QString &id, const QString &text, int ms);
    bool waitForStatus(const QString &id, const QString &status, int ms);
    QStringList statusesSeen(const QString &id) const;
    // Types prompt into the agent and tells whether the stand-in got it with the earlier turns.
    bool resumedWith(const QString &id, const QString &prompt);

    std::unique_ptr<Test::HiveFixture> m_fx;
    Test::ClaudeStandIn m_standin;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api;
    QNetworkAccessManager m_nam;
    QString m_url;
    QList<Event> m_events;
    QString m_agentId;
    QString m_sessionId;
};

tst_ClaudeInteractive::Reply
tst_ClaudeInteractive::call(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    QNetworkRequest req(QUrl(m_url + path));
    req.setRawHeader("Authorization", "Bearer " + m_api->token().toLatin1());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *r = m_nam.sendCustomRequest(
        req, method, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson());
    QSignalSpy finished(r, &QNetworkReply::finished);
    if (!r->isFinished() && !finished.wait(30000))
        qWarning() << "no answer to" << method << path;
    Reply out{r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
              QJsonDocument::fromJson(r->readAll()).object()};
    r->deleteLater();
    return out;
}

bool tst_ClaudeInteractive::waitForScreen(const QString &id, const QString &text, int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        if (screen(id).contains(text))
            return true;
        QTest::qWait(100);
    }
    qWarning().noquote() << "screen without" << text << ":\n" << screen(id);
    return false;
}

bool tst_ClaudeInteractive::waitForStatus(const QString &id, const QString &status, int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        if (agent(id).value(u"status"_s).toString() == status)
            return true;
        QTest::qWait(50);
    }
    qWarning().noquote() << "not" << status << ":" << QJsonDocument(agent(id)).toJson() << "\n"
                         << screen(id);
    return false;
}

QStringList tst_ClaudeInteractive::statusesSeen(const QString &id) const
{
    QStringList out;
    for (const Event &e : m_events)
        if (e.type == u"agent.status"_s && e.agent && e.agent->id == id)
            out << Agent::statusName(e.agent->status);
    return out;
}

void tst_ClaudeInteractive::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    QVERIFY_OK(m_standin.start(m_fx->dir()));
    QVERIFY_OK(m_standin.seedConfig()); // no folder trusted: the question must come
    // The built-in interactive profile's command, with the CLI's absolute path.
    QVERIFY_OK(Test::ClaudeStandIn::writeProfile(
        m_fx->dir(),
        u"claude-i"_s,
        {u"claude"_s, u"--permission-mode"_s, u"{permission_mode}"_s},
        true,
        u"default"_s,
        m_standin.env(),
        m_standin.claude()));
    Engine::Options o = m_fx->engineOptions();
    o.reconcileMs = 500;
    o.heartbeatGraceMs = 15000;
    m_engine = std::make_unique<Engine>(o);
    connect(
        m_engine.get(), &Engine::eventReceived, this, [this](const Event &e) { m_events << e; });
    auto started = m_engine->start();
    QTRY_VERIFY_WITH_TIMEOUT(started.isFinished(), 30000);
    QVERIFY_OK(started.result());
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
    ApiServer::Options a;
    a.port = 0;
    a.dataDir = m_fx->dir();
    m_api = std::make_unique<ApiServer>(a, m_engine.get());
    auto url = m_api->start();
    QTRY_VERIFY_WITH_TIMEOUT(url.isFinished(), 10000);
    QVERIFY_OK(url.result());
    m_url = url.result().value();
}

void tst_ClaudeInteractive::cleanupTestCase()
{
    if (m_api)
        m_api->stop();
    m_api.reset();
    m_engine.reset();
    m_standin.stop();
    m_fx.reset();
}

void tst_ClaudeInteractive::trustPromptPermissionAndIdle()
{
    const Reply spawned = call("POST",
                               u"/api/v1/agents"_s,
                               {{u"type"_s, u"chat"_s},
                                {u"name"_s, u"claudia"_s},
                                {u"profile"_s, u"claude-i"_s},
                                {u"interactive"_s, true},
                                {u"permission_mode"_s, u"default"_s}});
    QCOMPARE(spawned.status, 201);
    m_agentId = spawned.body.value(u"id"_s).toString();
    m_sessionId = spawned.body.value(u"session_id"_s).toString();
    QVERIFY2(!m_sessionId.isEmpty(), "an interactive Claude agent gets a session id at spawn");
    const QString workdir = spawned.body.value(u"workdir"_s).toString();

    // The folder-trust question comes before any hook: seen from the pane within two seconds.
    QVERIFY(waitForScreen(m_agentId, u"Yes, I trust this folder"_s, 30000));
    QVERIFY(waitForStatus(m_agentId, u"waiting_input"_s, 2000));
    QVERIFY2(agent(m_agentId).value(u"need"_s).toString().contains(u"trust"_s),
             qPrintable(agent(m_agentId).value(u"need"_s).toString()));

    // Answered through the API (a menu: keys by name) → Claude starts → idle, nothing needed.
    // As a person would: look, move to "Yes", see it selected, confirm. (A menu that has just been
    // drawn may not listen yet: keys pressed in its first moments can be lost.)
    for (int i = 0; i < 5 && !screen(m_agentId).contains(u"❯ Yes, I trust this folder"_s); ++i) {
        QTest::qWait(700);
        QCOMPARE(call("POST",
                      u"/api/v1/agents/%1/input"_s.arg(m_agentId),
                      {{u"keys"_s, QJsonArray{u"Down"_s}}})
                     .status,
                 202);
        waitForScreen(m_agentId, u"❯ Yes, I trust this folder"_s, 1500);
    }
    QVERIFY(screen(m_agentId).contains(u"❯ Yes, I trust this folder"_s));
    QCOMPARE(call("POST",
                  u"/api/v1/agents/%1/input"_s.arg(m_agentId),
                  {{u"keys"_s, QJsonArray{u"Enter"_s}}})
                 .status,
             202);
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 15000));
    QCOMPARE(agent(m_agentId).value(u"need"_s).toString(), QString());

    // A prompt: acknowledged by Claude's UserPromptSubmit hook; working, then idle again.
    m_events.clear();
    const Reply typed = call("POST",
                             u"/api/v1/agents/%1/input"_s.arg(m_agentId),
                             {{u"text"_s, u"remember the word pelican"_s}, {u"enter"_s, true}});
    QCOMPARE(typed.status, 202);
    if (typed.body.value(u"accepted"_s) != QJsonValue(true))
        qWarning().noquote() << screen(m_agentId);
    QCOMPARE(typed.body.value(u"accepted"_s), QJsonValue(true));
    QTRY_VERIFY_WITH_TIMEOUT(statusesSeen(m_agentId).contains(u"busy"_s), 10000);
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 15000));
    QVERIFY(waitForScreen(m_agentId, u"Stand-in reply to: remember the word pelican"_s, 10000));

    // A Write in permission mode "default": waiting for input with Claude's own words.
    const QString file = workdir + u"/x.txt"_s;
    QCOMPARE(call("POST",
                  u"/api/v1/agents/%1/input"_s.arg(m_agentId),
                  {{u"text"_s, u"WRITE %1 hello from claude"_s.arg(file)}, {u"enter"_s, true}})
                 .status,
             202);
    QVERIFY(waitForScreen(m_agentId, u"Do you want to create x.txt?"_s, 30000));
    QVERIFY(waitForStatus(m_agentId, u"waiting_input"_s, 2000));
    QTRY_VERIFY_WITH_TIMEOUT(
        agent(m_agentId).value(u"need"_s).toString().contains(u"permission to use Write"_s), 2000);
    QVERIFY2(agent(m_agentId).value(u"need"_s).toString().contains(u"x.txt"_s),
             qPrintable(agent(m_agentId).value(u"need"_s).toString()));
    QVERIFY(!QFile::exists(file));

    // Approved through the API ("1. Yes") → the file exists → idle.
    QTest::qWait(700); // as a person would: read the question first
    QCOMPARE(
        call("POST", u"/api/v1/agents/%1/input"_s.arg(m_agentId), {{u"keys"_s, QJsonArray{u"1"_s}}})
            .status,
        202);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(file), 15000);
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 15000));
    QCOMPARE(agent(m_agentId).value(u"need"_s).toString(), QString());
}

void tst_ClaudeInteractive::restartResumesTheConversation()
{
    QVERIFY(!m_agentId.isEmpty());
    // The whole tmux server goes (a reboot, tmux killed): the agent is lost.
    Test::killTmuxServer(m_fx->tmuxSocket());
    QVERIFY(waitForStatus(m_agentId, u"lost"_s, 15000));

    const Reply restarted = call("POST", u"/api/v1/agents/%1/restart"_s.arg(m_agentId));
    QCOMPARE(restarted.status, 201);
    const QString id = restarted.body.value(u"id"_s).toString();
    QCOMPARE(restarted.body.value(u"name"_s).toString(), u"claudia"_s);
    QCOMPARE(restarted.body.value(u"session_id"_s).toString(), m_sessionId);
    QVERIFY(waitForStatus(id, u"idle"_s, 30000));

    QVERIFY2(resumedWith(id, u"REPLY which bird?"_s),
             "the conversation's earlier turns were not sent after the restart");
    m_agentId = id;
}

bool tst_ClaudeInteractive::resumedWith(const QString &id, const QString &prompt)
{
    const int before = int(m_standin.requests().size());
    QTest::qWait(700); // as a person would: the prompt is there, then type
    const Reply typed = call(
        "POST", u"/api/v1/agents/%1/input"_s.arg(id), {{u"text"_s, prompt}, {u"enter"_s, true}});
    if (typed.body.value(u"accepted"_s) != QJsonValue(true)) {
        qWarning().noquote() << "prompt not accepted:" << screen(id);
        return false;
    }
    // The stand-in received the earlier turns with the new prompt: the resume worked.
    bool resumed = false;
    QStringList seen;
    QElapsedTimer t;
    t.start();
    while (!resumed && t.elapsed() < 30000) {
        const QList<QJsonObject> requests = m_standin.requests();
        for (qsizetype i = before; i < requests.size(); ++i) {
            const QStringList texts = Test::ClaudeStandIn::userTexts(requests.at(i));
            if (texts.contains(prompt)) {
                seen = texts;
                resumed = texts.contains(u"remember the word pelican"_s);
            }
        }
        QTest::qWait(100);
    }
    if (!resumed)
        qWarning() << "user texts of the request:" << seen;
    return resumed;
}

// Stopped by hand while idle: its session ends (its memory freed), its row, folder and
// conversation stay; started again it is the same agent, and Claude goes on with the conversation.
void tst_ClaudeInteractive::stopAndStartResumeTheConversation()
{
    QVERIFY(!m_agentId.isEmpty());
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 30000));
    const Reply stopped = call("POST", u"/api/v1/agents/%1/stop"_s.arg(m_agentId));
    QCOMPARE(stopped.status, 200);
    QCOMPARE(stopped.body.value(u"status"_s).toString(), u"stopped"_s);
    QCOMPARE(stopped.body.value(u"session_id"_s).toString(), m_sessionId);
    const QString workdir = stopped.body.value(u"workdir"_s).toString();
    QVERIFY(QFileInfo(workdir).isDir());
    QCOMPARE(call("GET", u"/api/v1/agents/%1/output"_s.arg(m_agentId)).status, 409); // no session
    QCOMPARE(call("POST", u"/api/v1/agents/%1/stop"_s.arg(m_agentId)).status, 409);

    const Reply started = call("POST", u"/api/v1/agents/%1/start"_s.arg(m_agentId));
    QCOMPARE(started.status, 200);
    QCOMPARE(started.body.value(u"id"_s).toString(), m_agentId);
    QCOMPARE(started.body.value(u"name"_s).toString(), u"claudia"_s);
    QCOMPARE(started.body.value(u"workdir"_s).toString(), workdir);
    QCOMPARE(started.body.value(u"session_id"_s).toString(), m_sessionId);
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 30000));
    QCOMPARE(call("POST", u"/api/v1/agents/%1/start"_s.arg(m_agentId)).status, 409);
    QVERIFY2(resumedWith(m_agentId, u"REPLY which bird, after the stop?"_s),
             "the conversation's earlier turns were not sent after stop and start");
}

// The idle timeout stops an idle interactive agent by itself, and a start resumes it as above.
void tst_ClaudeInteractive::idleTimeoutStopsItAndStartResumes()
{
    QVERIFY(!m_agentId.isEmpty());
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 30000));
    m_engine->setIdleStopMs(2000);
    QVERIFY(waitForStatus(m_agentId, u"stopped"_s, 20000));
    m_engine->setIdleStopMs(0);
    const Reply started = call("POST", u"/api/v1/agents/%1/start"_s.arg(m_agentId));
    QCOMPARE(started.status, 200);
    QCOMPARE(started.body.value(u"session_id"_s).toString(), m_sessionId);
    QVERIFY(waitForStatus(m_agentId, u"idle"_s, 30000));
    QVERIFY2(resumedWith(m_agentId, u"REPLY which bird, after the idle stop?"_s),
             "the conversation's earlier turns were not sent after the idle stop");
}

QTEST_GUILESS_MAIN(tst_ClaudeInteractive)
#include "tst_claudeinteractive.moc"
