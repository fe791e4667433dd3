// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/profiles.h"
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/claudestandin.h"
#include "tests/fixture/hivefixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;
using namespace Hive;

// Claude Code as a worker, for real: the pinned CLI (tests/claude/install.sh, the claude_cli
// fixture; never skipped) run by hive-runner in a tmux session, through the Engine, with the
// built-in "claude" profile's argv (only the program made absolute and the environment pointed at
// tests/claude/standin-api.py, started here on a free port). Checks that prompts reach the model
// verbatim, that permission modes do what they say, and that the result event becomes the task's
// answer, session, turns, tokens and cost, or its error.
class tst_Claude : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void permissionModeRules();
    void writeSucceedsWithAcceptEdits();
    void defaultModeNeedsPermission();
    void promptsReachTheModelVerbatim_data();
    void promptsReachTheModelVerbatim();
    void apiErrorIsReportedAsSuch();
    void usageLimitPausesTheProfileUntilTheReset();
    void rateLimitWithoutResetPausesAMinute();
    void bypassPermissionsAsRoot();

private:
    template<typename T>
    T wait(QFuture<T> f, int ms = 30000)
    {
        return Test::await(std::move(f), ms);
    }
    Result<Agent>
    spawn(const QString &type, const QString &permissionMode = {}, const QString &profile = {});
    Task runTask(const QString &prompt, const QString &type, int maxAttempts = 1);
    // Waits until the profile is paused by a rate limit; its limit, or nullopt.
    std::optional<ProfileLimit> waitLimit(const QString &profile);
    void writeClaudeProfile(const QString &name, const QHash<QString, QString> &extraEnv);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api; // hive-runner reaches the app through its api.sock
    Test::ClaudeStandIn m_standin;
};

void tst_Claude::writeClaudeProfile(const QString &name, const QHash<QString, QString> &extraEnv)
{
    // The built-in profile as shipped, so that its argv is what is tested.
    auto builtin = Profiles::load(u"claude"_s, QString());
    QVERIFY_OK(builtin);
    QCOMPARE(builtin->command.first(), u"claude"_s);
    QVERIFY_OK(Test::ClaudeStandIn::writeProfile(m_fx->dir(),
                                                 name,
                                                 builtin->command,
                                                 false,
                                                 builtin->permissionMode,
                                                 m_standin.env(extraEnv),
                                                 m_standin.claude()));
}

void tst_Claude::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    QVERIFY_OK(m_standin.start(m_fx->dir()));

    writeClaudeProfile(u"claude"_s, {});
    writeClaudeProfile(u"claude-sandbox"_s, {{u"IS_SANDBOX"_s, u"1"_s}});

    Engine::Options o = m_fx->engineOptions();
    m_engine = std::make_unique<Engine>(o);
    QVERIFY_OK(wait(m_engine->start()));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
    ApiServer::Options ao;
    ao.port = 0;
    ao.dataDir = m_fx->dir();
    m_api = std::make_unique<ApiServer>(ao, m_engine.get());
    QVERIFY_OK(wait(m_api->start()));
}

void tst_Claude::cleanupTestCase()
{
    m_api.reset();
    m_engine.reset();
    m_standin.stop();
    m_fx.reset();
}

Result<Agent>
tst_Claude::spawn(const QString &type, const QString &permissionMode, const QString &profile)
{
    SpawnRequest r;
    r.type = type;
    r.profile
        = profile; // empty: the default worker profile, "claude" (ours overrides the built-in)
    r.permissionMode = permissionMode;
    auto a = wait(m_engine->spawn(r));
    if (!a)
        return a;
    QDeadlineTimer d(30000);
    while (!d.hasExpired()) {
        auto now = wait(m_engine->agent(a->id));
        if (now && now->status == Agent::Status::Idle)
            return now;
        QTest::qWait(50);
    }
    return failure(u"agent %1 did not become idle"_s.arg(a->name));
}

Task tst_Claude::runTask(const QString &prompt, const QString &type, int maxAttempts)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.agentType = type;
    t.maxAttempts = maxAttempts;
    auto created = wait(m_engine->createTask(t));
    if (!created) {
        qWarning() << created.error().message;
        return t;
    }
    QDeadlineTimer d(60000);
    Task last = *created;
    while (!d.hasExpired()) {
        auto now = wait(m_engine->task(t.id));
        if (now) {
            last = *now;
            if (last.isFinished())
                return last;
        }
        QTest::qWait(50);
    }
    qWarning() << "task" << prompt << "stayed" << Task::statusName(last.status);
    return last;
}

void tst_Claude::permissionModeRules()
{
    auto claude = Profiles::load(u"claude"_s, m_fx->dir());
    QVERIFY_OK(claude);
    QCOMPARE(claude->permissionMode, u"acceptEdits"_s);
    // The argv: the mode expanded, the prompt the one element after "--", whatever it looks like.
    const QStringList argv
        = claude->expand({{u"prompt"_s, u"--help"_s}, {u"permission_mode"_s, u"plan"_s}});
    QCOMPARE(argv.mid(1),
             (QStringList{u"-p"_s,
                          u"--output-format"_s,
                          u"stream-json"_s,
                          u"--verbose"_s,
                          u"--permission-mode"_s,
                          u"plan"_s,
                          u"--"_s,
                          u"--help"_s}));
    QCOMPARE(claude->expand({{u"prompt"_s, u"x"_s}}).at(6), u"acceptEdits"_s); // the default

    SpawnRequest own;
    QCOMPARE(Profiles::permissionModeFor(*claude, own, m_fx->dir()).value_or(u"?"_s),
             u"acceptEdits"_s);
    SpawnRequest restart; // a restarted agent keeps its folder under workspace/: still its own
    restart.workdir = m_fx->path(u"workspace/dev-1"_s);
    QCOMPARE(Profiles::permissionModeFor(*claude, restart, m_fx->dir()).value_or(u"?"_s),
             u"acceptEdits"_s);
    SpawnRequest existing; // the user's folder: ask
    existing.workdir = QDir::tempPath();
    QCOMPARE(Profiles::permissionModeFor(*claude, existing, m_fx->dir()).value_or(u"?"_s),
             u"default"_s);
    existing.permissionMode = u"acceptEdits"_s; // unless asked for
    QCOMPARE(Profiles::permissionModeFor(*claude, existing, m_fx->dir()).value_or(u"?"_s),
             u"acceptEdits"_s);
    SpawnRequest bogus;
    bogus.permissionMode = u"bogus"_s;
    auto refused = Profiles::permissionModeFor(*claude, bogus, m_fx->dir());
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Invalid);
    QVERIFY(refused.error().message.contains(u"acceptEdits"_s));

    // A profile without {permission_mode} takes none, and says so when one is asked for.
    auto aider = Profiles::load(u"aider"_s, QString());
    QVERIFY_OK(aider);
    QVERIFY(!aider->takesPermissionMode());
    QCOMPARE(Profiles::permissionModeFor(*aider, own, m_fx->dir()).value_or(u"?"_s), QString());
    SpawnRequest withMode;
    withMode.permissionMode = u"plan"_s;
    QVERIFY(!Profiles::permissionModeFor(*aider, withMode, m_fx->dir()));
    // Every built-in worker profile passes the prompt as one element after "--" or as --flag=…
    for (const QString &name : {u"aider"_s, u"codex"_s, u"gemini"_s, u"claude"_s}) {
        auto p = Profiles::load(name, QString());
        QVERIFY_OK(p);
        const QStringList a = p->expand({{u"prompt"_s, u"-x --help"_s}});
        const qsizetype at = a.indexOf(u"-x --help"_s);
        const bool afterDashes = at > 0 && a.at(at - 1) == u"--"_s && at == a.size() - 1;
        const bool inFlag = std::any_of(a.cbegin(), a.cend(), [](const QString &e) {
            return e.startsWith(u"--"_s) && e.endsWith(u"=-x --help"_s);
        });
        QVERIFY2(afterDashes || inFlag, qPrintable(name + u": "_s + a.join(u' ')));
    }
}

void tst_Claude::writeSucceedsWithAcceptEdits()
{
    auto agent = spawn(u"cc"_s);
    QVERIFY_OK(agent);
    QCOMPARE(agent->permissionMode, u"acceptEdits"_s); // a worker in its own folder
    QCOMPARE(agent->toJson().value(u"permission_mode").toString(), u"acceptEdits"_s);

    const Task t = runTask(u"WRITE hello.txt hi"_s, u"cc"_s);
    QCOMPARE(Task::statusName(t.status), u"succeeded"_s);
    QVERIFY(t.error.isEmpty());
    QFile hello(QDir(agent->workdir).filePath(u"hello.txt"_s));
    QVERIFY2(hello.open(QIODevice::ReadOnly), qPrintable(hello.fileName()));
    QCOMPARE(hello.readAll(), QByteArray("hi"));

    QVERIFY(t.result && t.result->report);
    const AgentReport &r = *t.result->report;
    QVERIFY2(r.answer.startsWith(u"Done. Last tool result: File created successfully"_s),
             qPrintable(r.answer));
    QVERIFY(!QUuid::fromString(r.sessionId).isNull());
    QCOMPARE(r.numTurns.value_or(-1), 2);
    QVERIFY(!r.model.isEmpty());
    QVERIFY(r.usage);
    QCOMPARE(r.usage->inputTokens, qint64(22)); // the stand-in's 11 per request, two requests
    QCOMPARE(r.usage->cacheCreationTokens, qint64(444));
    QCOMPARE(r.usage->cacheReadTokens, qint64(6666));
    QVERIFY(r.usage->outputTokens > 0);
    QVERIFY(!r.isError);
    QCOMPARE(r.terminalReason, u"completed"_s);
    QVERIFY(r.permissionDenials.isEmpty());
    QVERIFY(t.result->costUsd && *t.result->costUsd > 0);
    QCOMPARE(t.result->exitCode, 0);
    QVERIFY(t.result->output.contains(u"\"type\":\"result\""_s)); // the raw stream stays the log

    // As the API shows it (it serialises Task::toJson).
    const QJsonObject result = t.toJson().value(u"result").toObject();
    QCOMPARE(result.value(u"session_id").toString(), r.sessionId);
    QCOMPARE(result.value(u"num_turns").toInt(), 2);
    QCOMPARE(result.value(u"usage").toObject().value(u"cache_read_input_tokens").toInteger(),
             qint64(6666));
    QCOMPARE(result.value(u"answer").toString(), r.answer);
    QCOMPARE(result.value(u"model").toString(), r.model);
    QCOMPARE(result.value(u"is_error").toBool(true), false);
    QVERIFY(result.value(u"permission_denials").toArray().isEmpty());

    // Stored on the attempt too.
    Database db;
    QVERIFY_OK(db.open(m_fx->databaseUrl(), u"probe"_s));
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    QVERIFY(
        q.exec(u"SELECT report->>'session_id' FROM task_runs WHERE task_id = '%1'"_s.arg(t.id)));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toString(), r.sessionId);
}

void tst_Claude::defaultModeNeedsPermission()
{
    auto agent = spawn(u"ccask"_s, u"default"_s);
    QVERIFY_OK(agent);
    QCOMPARE(agent->permissionMode, u"default"_s);

    const Task t = runTask(u"WRITE denied.txt no"_s, u"ccask"_s, /*maxAttempts=*/3);
    QCOMPARE(Task::statusName(t.status), u"failed"_s);
    QCOMPARE(t.attempts, 1); // denied again on another attempt: not retried
    QVERIFY2(t.error.startsWith(u"needs permission: Write denied.txt"_s), qPrintable(t.error));
    QVERIFY2(t.error.contains(u"default"_s), qPrintable(t.error));
    QVERIFY(!QFile::exists(QDir(agent->workdir).filePath(u"denied.txt"_s)));
    QVERIFY(t.result && t.result->report);
    QCOMPARE(t.result->report->permissionDenials.size(), 1);
    QCOMPARE(t.result->report->permissionDenials.first().tool, u"Write"_s);
    QCOMPARE(t.result->report->permissionDenials.first().target(agent->workdir), u"denied.txt"_s);
    const QJsonArray denials
        = t.toJson().value(u"result").toObject().value(u"permission_denials").toArray();
    QCOMPARE(denials.size(), 1);
    QCOMPARE(denials.first().toObject().value(u"tool_name").toString(), u"Write"_s);
}

void tst_Claude::promptsReachTheModelVerbatim_data()
{
    QTest::addColumn<QString>("prompt");
    QTest::newRow("dash") << u"- fix the bug"_s;
    QTest::newRow("--help") << u"--help"_s;
    QTest::newRow("-p") << u"-p"_s;
    QTest::newRow("--") << u"--"_s;
    QTest::newRow("quotes and $(id)") << uR"(it's "quoted" $(id) `id` ; rm -rf x)"_s;
}

void tst_Claude::promptsReachTheModelVerbatim()
{
    QFETCH(QString, prompt);
    static bool spawned = false;
    if (!spawned) {
        QVERIFY_OK(spawn(u"ccprompt"_s));
        spawned = true;
    }
    const Task t = runTask(prompt, u"ccprompt"_s);
    QCOMPARE(Task::statusName(t.status), u"succeeded"_s);
    QVERIFY(t.result && t.result->report);
    QCOMPARE(t.result->report->answer, u"Stand-in reply to: "_s + prompt);
    // The request of this very session carried the prompt as the last thing the user typed.
    bool seen = false;
    for (const QJsonObject &r : m_standin.requests()) {
        if (r.value(u"headers").toObject().value(u"x-claude-code-session-id").toString()
            != t.result->report->sessionId)
            continue;
        QCOMPARE(Test::ClaudeStandIn::lastUserText(r), prompt);
        seen = true;
    }
    QVERIFY2(seen, "no request of the task's session in the stand-in's log");
}

void tst_Claude::apiErrorIsReportedAsSuch()
{
    QVERIFY_OK(spawn(u"ccerr"_s));
    // (A 429 is a rate limit: the task waits for the reset, tst_claude_limits.)
    const Task t = runTask(u"ERROR overloaded"_s, u"ccerr"_s);
    QCOMPARE(Task::statusName(t.status), u"failed"_s);
    QVERIFY2(t.error.startsWith(u"Anthropic API error 529 (overloaded): API Error: 529"_s),
             qPrintable(t.error));
    QVERIFY(t.result && t.result->report);
    QCOMPARE(t.result->report->apiErrorStatus.value_or(0), 529);
    QCOMPARE(t.result->report->terminalReason, u"api_error"_s);
    QVERIFY(t.result->report->isError);
    QCOMPARE(t.toJson().value(u"result").toObject().value(u"api_error_status").toInt(), 529);
}

std::optional<ProfileLimit> tst_Claude::waitLimit(const QString &profile)
{
    QDeadlineTimer d(60000);
    while (!d.hasExpired()) {
        auto limits = wait(m_engine->profileLimits());
        if (limits)
            for (const ProfileLimit &l : std::as_const(*limits))
                if (l.profile == profile)
                    return l;
        QTest::qWait(50);
    }
    return std::nullopt;
}

// The real CLI against a stand-in answering 429 with a usage limit
// (anthropic-ratelimit-unified-status: rejected, a reset 6 s ahead): Claude Code does not retry
// it and ends with api_error_status 429 and the API's message, "Claude AI usage limit
// reached|<reset>" (FINDINGS.md). The task goes back to the queue (the attempt not counted), the
// profile is paused until the reset, and the task runs again by itself after it.
void tst_Claude::usageLimitPausesTheProfileUntilTheReset()
{
    writeClaudeProfile(u"claude-limited"_s, {});
    QVERIFY_OK(spawn(u"cclimit"_s, {}, u"claude-limited"_s));
    const QDateTime asked = QDateTime::currentDateTimeUtc();
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"LIMIT 6 1"_s;
    t.agentType = u"cclimit"_s;
    t.maxAttempts = 1; // a counted attempt would fail it
    QVERIFY_OK(wait(m_engine->createTask(t)));
    const auto limit = waitLimit(u"claude-limited"_s);
    QVERIFY(limit);
    QVERIFY2(limit->until >= asked.addSecs(4) && limit->until <= asked.addSecs(30),
             qPrintable(limit->until.toString(Qt::ISODate)));
    QVERIFY2(limit->reason.contains(u"usage limit reached"_s), qPrintable(limit->reason));
    auto queued = wait(m_engine->task(t.id));
    QVERIFY_OK(queued);
    if (QDateTime::currentDateTimeUtc() < limit->until.addSecs(-1)) {
        QCOMPARE(Task::statusName(queued->status), u"queued"_s);
        QCOMPARE(queued->attempts, 0);
        QVERIFY(queued->error.contains(u"rate limited until"_s));
    }
    QDeadlineTimer d(60000);
    Task last = *queued;
    while (!d.hasExpired() && !last.isFinished()) {
        QTest::qWait(100);
        if (auto now = wait(m_engine->task(t.id)))
            last = *now;
    }
    QCOMPARE(Task::statusName(last.status), u"succeeded"_s);
    QCOMPARE(last.attempts, 1);
    QVERIFY(QDateTime::currentDateTimeUtc() >= limit->until);
    QVERIFY(last.result && last.result->report);
    QCOMPARE(last.result->report->answer, u"Stand-in reply to: LIMIT 6 1"_s);
}

// A plain 429 (the per-minute rate limit, retry-after 1, the CLI's own retries off): no reset in
// its words, so the profile pauses for the default minute; resumed by hand (DELETE
// /api/v1/limits/{profile}), the task runs at once.
void tst_Claude::rateLimitWithoutResetPausesAMinute()
{
    writeClaudeProfile(u"claude-429"_s, {});
    QVERIFY_OK(spawn(u"cc429"_s, {}, u"claude-429"_s));
    const QDateTime asked = QDateTime::currentDateTimeUtc();
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = u"ERROR 429 1"_s;
    t.agentType = u"cc429"_s;
    t.maxAttempts = 1;
    QVERIFY_OK(wait(m_engine->createTask(t)));
    const auto limit = waitLimit(u"claude-429"_s);
    QVERIFY(limit);
    QVERIFY2(limit->until >= asked.addSecs(50) && limit->until <= asked.addSecs(120),
             qPrintable(limit->until.toString(Qt::ISODate)));
    QVERIFY2(limit->reason.contains(u"429"_s), qPrintable(limit->reason));
    QTRY_COMPARE_WITH_TIMEOUT(
        Task::statusName(wait(m_engine->task(t.id))->status), u"queued"_s, 10000);
    QVERIFY_OK(wait(m_engine->clearProfileLimit(u"claude-429"_s)));
    QDeadlineTimer d(40000);
    Task last;
    while (!d.hasExpired() && !last.isFinished()) {
        QTest::qWait(100);
        if (auto now = wait(m_engine->task(t.id)))
            last = *now;
    }
    QCOMPARE(Task::statusName(last.status), u"succeeded"_s);
    QCOMPARE(last.attempts, 1);
}

void tst_Claude::bypassPermissionsAsRoot()
{
#ifdef Q_OS_UNIX
    const bool root = geteuid() == 0;
#else
    const bool root = false;
#endif
    const QString name = u"ccbypass"_s;
    SpawnRequest r;
    r.type = u"ccbypass"_s;
    r.name = name;
    r.permissionMode = u"bypassPermissions"_s;
    auto refused = wait(m_engine->spawn(r));
    if (root) {
        // Refused up front, with the reason, instead of an agent whose every task fails.
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Invalid);
        QVERIFY2(refused.error().message.contains(u"root"_s), qPrintable(refused.error().message));
        QVERIFY(refused.error().message.contains(u"IS_SANDBOX=1"_s));
        auto agents = wait(m_engine->agents());
        QVERIFY_OK(agents);
        for (const Agent &a : *agents)
            QVERIFY(a.name != name || !a.isAlive());
    } else {
        QVERIFY_OK(refused);
        QCOMPARE(refused->permissionMode, u"bypassPermissions"_s);
        QVERIFY_OK(wait(m_engine->kill(refused->id)));
    }
    // Where the profile says the machine is a sandbox (IS_SANDBOX=1), bypass works, as root too.
    auto sandboxed = spawn(u"ccsandbox"_s, u"bypassPermissions"_s, u"claude-sandbox"_s);
    QVERIFY_OK(sandboxed);
    QCOMPARE(sandboxed->permissionMode, u"bypassPermissions"_s);
    const Task t = runTask(u"WRITE bypass.txt yes"_s, u"ccsandbox"_s);
    QCOMPARE(Task::statusName(t.status), u"succeeded"_s);
    QVERIFY(QFile::exists(QDir(sandboxed->workdir).filePath(u"bypass.txt"_s)));
}

QTEST_GUILESS_MAIN(tst_Claude)
#include "tst_claude.moc"
