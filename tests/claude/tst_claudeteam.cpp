// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// A team from the built-in template, for real, through the REST API: the pinned Claude Code CLI
// against the stand-in API (the built-in profiles "claude" and "claude-interactive" with the
// stand-in's environment), one interactive lead and three workers, each in its own worktree of one
// repository; a worker of the team answers a task; stopping the team stops all four. Bad templates
// are refused with 422 naming the field, and nothing is spawned.
#include "services/agents/profiles.h"
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/claudestandin.h"
#include "tests/fixture/hivefixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_ClaudeTeam : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void badTemplatesAreRefused_data();
    void badTemplatesAreRefused();
    void teamFromTheBuiltInTemplate();
    void stoppingTheTeamStopsItsAgents();

private:
    struct Reply
    {
        int status = 0;
        QJsonDocument body;
        QJsonObject object() const { return body.object(); }
        QString message() const
        {
            return body.object().value(u"error"_s).toObject().value(u"message"_s).toString();
        }
    };
    Reply call(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    QString git(const QStringList &args);
    int agentCount() { return int(call("GET", u"/api/v1/agents"_s).body.array().size()); }

    std::unique_ptr<Test::HiveFixture> m_fx;
    Test::ClaudeStandIn m_standin;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api;
    QNetworkAccessManager m_nam;
    QString m_url;
    QString m_repo;
    QString m_teamId;
    QStringList m_agentIds;
};

tst_ClaudeTeam::Reply
tst_ClaudeTeam::call(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    QNetworkRequest req(QUrl(m_url + path));
    req.setRawHeader("Authorization", "Bearer " + m_api->token().toLatin1());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *r = m_nam.sendCustomRequest(
        req, method, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson());
    QSignalSpy finished(r, &QNetworkReply::finished);
    if (!r->isFinished() && !finished.wait(120000))
        qWarning() << "no answer to" << method << path;
    Reply out{r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
              QJsonDocument::fromJson(r->readAll())};
    r->deleteLater();
    return out;
}

QString tst_ClaudeTeam::git(const QStringList &args)
{
    QProcess p;
    p.start(u"git"_s, QStringList{u"-C"_s, m_repo} + args);
    p.waitForFinished(30000);
    if (p.exitCode() != 0)
        qWarning() << "git" << args << p.readAllStandardError();
    return QString::fromUtf8(p.readAllStandardOutput());
}

void tst_ClaudeTeam::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    QVERIFY_OK(m_standin.start(m_fx->dir()));
    // The lead's Claude asks whether it may trust its new worktree (answering it is
    // tst_claudeinteractive's): here that question is the sign that it runs there.
    QVERIFY_OK(m_standin.seedConfig());
    // The built-in profiles as shipped, under their own names (a user's profile overrides the
    // built-in one): what the built-in team template spawns is what runs.
    for (const QString &name : {u"claude"_s, u"claude-interactive"_s}) {
        auto builtin = Profiles::load(name, QString());
        QVERIFY_OK(builtin);
        QVERIFY_OK(Test::ClaudeStandIn::writeProfile(m_fx->dir(),
                                                     name,
                                                     builtin->command,
                                                     builtin->interactive,
                                                     builtin->permissionMode,
                                                     m_standin.env(),
                                                     m_standin.claude()));
    }
    m_repo = m_fx->path(u"repo"_s);
    QVERIFY(QDir().mkpath(m_repo));
    git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s});
    QFile readme(m_repo + u"/README"_s);
    QVERIFY(readme.open(QIODevice::WriteOnly));
    readme.write("the team's repository\n");
    readme.close();
    git({u"add"_s, u"README"_s});
    git({u"-c"_s,
         u"user.name=t"_s,
         u"-c"_s,
         u"user.email=t@example.org"_s,
         u"commit"_s,
         u"-q"_s,
         u"-m"_s,
         u"first"_s});

    Engine::Options o = m_fx->engineOptions();
    o.reconcileMs = 500;
    o.heartbeatGraceMs = 15000;
    m_engine = std::make_unique<Engine>(o);
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

void tst_ClaudeTeam::cleanupTestCase()
{
    if (m_api)
        m_api->stop();
    m_api.reset();
    m_engine.reset();
    m_standin.stop();
    m_fx.reset();
}

void tst_ClaudeTeam::badTemplatesAreRefused_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("names");
    const auto inlined = [](const QJsonValue &roles) {
        return QJsonObject{{u"template"_s, QJsonObject{{u"roles"_s, roles}}}};
    };
    const auto role = [&](const QJsonObject &r) {
        return inlined(QJsonArray{r});
    };
    QTest::newRow("no roles") << inlined(QJsonArray{}) << 422 << u"template.roles: 1 to 16"_s;
    QTest::newRow("roles not a list") << inlined(u"dev"_s) << 422 << u"template.roles: must be"_s;
    QTest::newRow("no type") << role({{u"count"_s, 2}}) << 422 << u"template.roles[0].type"_s;
    QTest::newRow("bad type") << role({{u"type"_s, u"Dev Team"_s}}) << 422
                              << u"template.roles[0].type: 'Dev Team'"_s;
    QTest::newRow("count 0") << role({{u"type"_s, u"dev"_s}, {u"count"_s, 0}}) << 422
                             << u"template.roles[0].count"_s;
    QTest::newRow("count 1.5") << role({{u"type"_s, u"dev"_s}, {u"count"_s, 1.5}}) << 422
                               << u"template.roles[0].count"_s;
    QTest::newRow("interactive yes") << role({{u"type"_s, u"dev"_s}, {u"interactive"_s, u"yes"_s}})
                                     << 422 << u"template.roles[0].interactive"_s;
    QTest::newRow("unknown field") << role({{u"type"_s, u"dev"_s}, {u"colour"_s, u"red"_s}}) << 422
                                   << u"template.roles[0].colour: unknown field"_s;
    QTest::newRow("same role twice") << inlined(
        QJsonArray{QJsonObject{{u"type"_s, u"dev"_s}}, QJsonObject{{u"type"_s, u"dev"_s}}})
                                     << 422 << u"template.roles[1].role"_s;
    QTest::newRow("unknown profile")
        << role({{u"type"_s, u"dev"_s}, {u"profile"_s, u"nonexistent"_s}}) << 422
        << u"roles[0].profile: profile: no profile named 'nonexistent'"_s;
    QTest::newRow("unknown mode") << role(
        {{u"type"_s, u"dev"_s}, {u"permission_mode"_s, u"yolo"_s}})
                                  << 422 << u"template.roles[0].permission_mode"_s;
    QTest::newRow("too many agents")
        << inlined(QJsonArray{QJsonObject{{u"type"_s, u"a"_s}, {u"count"_s, 16}},
                              QJsonObject{{u"type"_s, u"b"_s}, {u"count"_s, 16}},
                              QJsonObject{{u"type"_s, u"c"_s}, {u"count"_s, 1}}})
        << 422 << u"template.roles: 33 agents"_s;
    QTest::newRow("no such template") << QJsonObject{{u"template"_s, u"no-such-team"_s}} << 422
                                      << u"template: no team template named 'no-such-team'"_s;
    QTest::newRow("template a number") << QJsonObject{{u"template"_s, 3}} << 400 << u"template:"_s;
    QTest::newRow("relative repository")
        << QJsonObject{{u"template"_s, u"lead-and-workers"_s}, {u"repository"_s, u"repo"_s}} << 422
        << u"repository: must be an absolute path"_s;
    QTest::newRow("bad team name")
        << QJsonObject{{u"template"_s, u"lead-and-workers"_s}, {u"name"_s, u"a team"_s}} << 422
        << u"name:"_s;
    QTest::newRow("no template") << QJsonObject{{u"name"_s, u"x"_s}} << 422
                                 << u"template: required"_s;
    QTest::newRow("broken user template") << QJsonObject{{u"template"_s, u"broken"_s}} << 422
                                          << u"teams/broken.json: roles[0].count: must be"_s;
}

void tst_ClaudeTeam::badTemplatesAreRefused()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, names);
    QDir().mkpath(m_fx->path(u"teams"_s));
    QFile broken(m_fx->path(u"teams/broken.json"_s));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write(R"({"roles": [{"type": "dev", "count": 99}]})");
    broken.close();
    const int before = agentCount();
    const Reply r = call("POST", u"/api/v1/teams"_s, body);
    QCOMPARE(r.status, status);
    QVERIFY2(r.message().contains(names), qPrintable(r.message()));
    QCOMPARE(agentCount(), before); // nothing spawned
}

void tst_ClaudeTeam::teamFromTheBuiltInTemplate()
{
    // The built-in template is listed.
    const Reply templates = call("GET", u"/api/v1/team-templates"_s);
    QCOMPARE(templates.status, 200);
    bool builtin = false;
    for (const QJsonValue &t : templates.body.array())
        builtin |= t.toObject().value(u"name"_s).toString() == u"lead-and-workers"_s
                   && t.toObject().value(u"builtin"_s).toBool();
    QVERIFY2(builtin, templates.body.toJson().constData());

    const Reply started = call("POST",
                               u"/api/v1/teams"_s,
                               {{u"template"_s, u"lead-and-workers"_s},
                                {u"repository"_s, m_repo},
                                {u"name"_s, u"crew"_s}});
    QCOMPARE(started.status, 201);
    m_teamId = started.object().value(u"id"_s).toString();
    QCOMPARE(started.object().value(u"name"_s).toString(), u"crew"_s);
    const QJsonArray agents = started.object().value(u"agents"_s).toArray();
    QCOMPARE(agents.size(), 4);
    QStringList names, workdirs;
    int interactive = 0, workers = 0;
    for (const QJsonValue &v : agents) {
        const QJsonObject a = v.toObject();
        names << a.value(u"name"_s).toString();
        workdirs << a.value(u"workdir"_s).toString();
        m_agentIds << a.value(u"id"_s).toString();
        QCOMPARE(a.value(u"team_id"_s).toString(), m_teamId);
        QCOMPARE(a.value(u"team"_s).toString(), u"crew"_s);
        if (a.value(u"interactive"_s).toBool()) {
            ++interactive;
            QCOMPARE(a.value(u"type"_s).toString(), u"lead"_s);
            QCOMPARE(a.value(u"profile"_s).toString(), u"claude-interactive"_s);
        } else {
            ++workers;
            QCOMPARE(a.value(u"type"_s).toString(), u"dev"_s);
            QCOMPARE(a.value(u"profile"_s).toString(), u"claude"_s);
        }
    }
    QCOMPARE(interactive, 1);
    QCOMPARE(workers, 3);
    QCOMPARE(names,
             (QStringList{u"crew-lead"_s, u"crew-dev-1"_s, u"crew-dev-2"_s, u"crew-dev-3"_s}));
    // Each in a worktree of its own, of the one repository, on its own branch.
    const QString listed = git({u"worktree"_s, u"list"_s, u"--porcelain"_s});
    for (const QString &name : std::as_const(names)) {
        QVERIFY2(listed.contains(u"worktree "_s + m_fx->path(u"workspace/"_s + name)),
                 qPrintable(listed));
        QVERIFY2(listed.contains(u"branch refs/heads/hive/"_s + name), qPrintable(listed));
    }
    QCOMPARE(QSet<QString>(workdirs.begin(), workdirs.end()).size(), 4);

    // The lead's Claude starts in its worktree (and asks whether it trusts it); the workers wait
    // for tasks.
    for (const QString &id : std::as_const(m_agentIds)) {
        const QString ready = id == m_agentIds.first() ? u"waiting_input"_s : u"idle"_s;
        QElapsedTimer t;
        t.start();
        QJsonObject a;
        while ((a = call("GET", u"/api/v1/agents/"_s + id).object()).value(u"status"_s).toString()
                   != ready
               && t.elapsed() < 60000)
            QTest::qWait(200);
        if (id == m_agentIds.first())
            QVERIFY2(a.value(u"need"_s).toString().contains(u"trust"_s),
                     qPrintable(a.value(u"need"_s).toString()));
        QVERIFY2(a.value(u"status"_s).toString() == ready,
                 qPrintable(QString::fromUtf8(QJsonDocument(a).toJson())
                            + call("GET", u"/api/v1/agents/%1/output?lines=40"_s.arg(id))
                                  .object()
                                  .value(u"text"_s)
                                  .toString()));
    }

    // A task of the workers' type: one of them answers it, with Claude.
    const Reply task = call(
        "POST", u"/api/v1/tasks"_s, {{u"prompt"_s, u"hello team"_s}, {u"agent_type"_s, u"dev"_s}});
    QCOMPARE(task.status, 201);
    const QString taskId = task.object().value(u"id"_s).toString();
    QJsonObject done;
    QTRY_VERIFY_WITH_TIMEOUT(
        (done = call("GET", u"/api/v1/tasks/"_s + taskId).object()).value(u"status"_s).toString()
            == u"succeeded"_s,
        60000);
    QVERIFY2(m_agentIds.mid(1).contains(done.value(u"agent_id"_s).toString()),
             QJsonDocument(done).toJson().constData());
    QVERIFY2(done.value(u"result"_s).toObject().value(u"answer"_s).toString()
                 == u"Stand-in reply to: hello team"_s,
             QJsonDocument(done).toJson().constData());

    // The team is listed with its four agents.
    const Reply teams = call("GET", u"/api/v1/teams"_s);
    QCOMPARE(teams.status, 200);
    bool listedTeam = false;
    for (const QJsonValue &t : teams.body.array())
        if (t.toObject().value(u"id"_s).toString() == m_teamId) {
            listedTeam = true;
            QCOMPARE(t.toObject().value(u"agents"_s).toArray().size(), 4);
            QVERIFY(t.toObject().value(u"alive"_s).toBool());
        }
    QVERIFY(listedTeam);
}

void tst_ClaudeTeam::stoppingTheTeamStopsItsAgents()
{
    QVERIFY(!m_teamId.isEmpty());
    const Reply stopped = call("DELETE", u"/api/v1/teams/"_s + m_teamId);
    QCOMPARE(stopped.status, 200);
    QCOMPARE(stopped.object().value(u"alive"_s).toBool(true), false);
    for (const QString &id : std::as_const(m_agentIds)) {
        const QJsonObject a = call("GET", u"/api/v1/agents/"_s + id).object();
        QCOMPARE(a.value(u"status"_s).toString(), u"stopped"_s);
        QVERIFY(QFileInfo(a.value(u"workdir"_s).toString()).isDir()); // the work is kept
    }
    QProcess tmux;
    tmux.start(u"tmux"_s, {u"-L"_s, m_fx->tmuxSocket(), u"list-sessions"_s, u"-F"_s, u"#S"_s});
    tmux.waitForFinished(10000);
    QVERIFY2(!QString::fromUtf8(tmux.readAllStandardOutput()).contains(u"crew-"_s),
             "a session of the team is left");
    QCOMPARE(call("GET", u"/api/v1/teams/"_s + m_teamId).object().value(u"alive"_s).toBool(true),
             false);
    QCOMPARE(call("DELETE", u"/api/v1/teams/00000000-0000-0000-0000-000000000000"_s).status, 404);
}

QTEST_GUILESS_MAIN(tst_ClaudeTeam)
#include "tst_claudeteam.moc"
