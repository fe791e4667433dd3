// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/process.h"
#include "tests/engine/enginetestbase.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// Agents through the whole engine (see EngineTestBase): names refused, a killed agent handing its
// task back, an interactive agent waiting for input, and a repository giving a worktree.
class tst_EngineAgents : public Test::EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void badNamesAreRefused_data();
    void badNamesAreRefused();
    void killAgentHandsTaskBack();
    void interactiveAgentWaitsForInput();
    void repositoryGivesAWorktree();
};

void tst_EngineAgents::badNamesAreRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("space") << u"bad name"_s << u"dev"_s << u"name"_s;
    QTest::newRow("colon") << u"a:b"_s << u"dev"_s << u"name"_s;
    QTest::newRow("dot") << u"a.b"_s << u"dev"_s << u"name"_s;
    QTest::newRow("shell") << u"$(touch x)"_s << u"dev"_s << u"name"_s;
    QTest::newRow("quote") << u"it's"_s << u"dev"_s << u"name"_s;
    QTest::newRow("unicode") << u"bienenstock-ü"_s << u"dev"_s << u"name"_s;
    QTest::newRow("too long") << QString(65, u'a') << u"dev"_s << u"name"_s;
    QTest::newRow("dash first") << u"-x"_s << u"dev"_s << u"name"_s;
    QTest::newRow("bad type") << u"fine"_s << u"Dev Team"_s << u"type"_s;
}

void tst_EngineAgents::badNamesAreRefused()
{
    QFETCH(QString, name);
    QFETCH(QString, type);
    QFETCH(QString, mentions);
    const int before = wait(m_engine->agents())->size();
    SpawnRequest r;
    r.type = type;
    r.name = name;
    r.profile = u"fake"_s;
    auto a = wait(m_engine->spawn(r));
    QVERIFY(!a);
    QCOMPARE(a.error().kind, Error::Kind::Invalid);
    QVERIFY2(a.error().message.startsWith(mentions), qPrintable(a.error().message));
    QCOMPARE(wait(m_engine->agents())->size(), before);
}

void tst_EngineAgents::killAgentHandsTaskBack()
{
    const Agent a = spawnWorker(u"kill"_s);
    const Task t = createTask(u"sleep=30"_s, u"kill"_s, 0, {}, 1);
    waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Running; });
    QVERIFY_OK(wait(m_engine->kill(a.id)));
    QCOMPARE(wait(m_engine->agent(a.id))->status, Agent::Status::Stopped);
    // Its session is gone; its task is queued again (the attempt not counted: max_attempts 1).
    QProcess p;
    p.start(u"tmux"_s,
            {u"-L"_s, m_fx->tmuxSocket(), u"has-session"_s, u"-t"_s, u"="_s + a.tmuxSession});
    p.waitForFinished(5000);
    QVERIFY(p.exitCode() != 0);
    const Task back
        = waitTask(t.id, [](const Task &x) { return x.status == Task::Status::Queued; });
    QCOMPARE(back.status, Task::Status::Queued);
    QCOMPARE(back.attempts, 0);
    QVERIFY_OK(wait(m_engine->cancelTask(t.id)));
    auto again = wait(m_engine->kill(u"00000000-0000-0000-0000-000000000000"_s));
    QVERIFY(!again);
    QCOMPARE(again.error().kind, Error::Kind::NotFound);
}

void tst_EngineAgents::interactiveAgentWaitsForInput()
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/fake-chat.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        QJsonDocument(QJsonObject{{u"name"_s, u"fake-chat"_s},
                                  {u"command"_s,
                                   QJsonArray{Test::HiveFixture::fakeAgent(), u"--interactive"_s}},
                                  {u"interactive"_s, true}})
            .toJson());
    f.close();
    SpawnRequest r;
    r.type = u"chat"_s;
    r.profile = u"fake-chat"_s;
    r.name = u"chatty"_s;
    auto spawned = wait(m_engine->spawn(r));
    QVERIFY_OK(spawned);
    QVERIFY(spawned->interactive);
    QCOMPARE(spawned->status, Agent::Status::Idle);
    auto screen = [&] {
        auto out = wait(m_engine->output(spawned->id, 50));
        return out ? *out : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(screen().contains(u"fake-agent ready"_s), 10000);
    // Typed literally: quotes and $(…) arrive as text.
    const QString text = u"please ask about 'it' $(touch %1) Grüße"_s.arg(m_fx->path(u"typed"_s));
    QVERIFY_OK(wait(m_engine->input(spawned->id, InputRequest{text, true, {}, 0})));
    QTRY_VERIFY_WITH_TIMEOUT(screen().contains(u"working on: "_s + text), 10000);
    QVERIFY(!QFile::exists(m_fx->path(u"typed"_s)));
    // It asks a yes/no question: the agent waits for input.
    const Agent waiting = waitAgent(
        spawned->id, [](const Agent &a) { return a.status == Agent::Status::WaitingInput; }, 10000);
    QCOMPARE(waiting.status, Agent::Status::WaitingInput);
    // Quiet at its question, it stays waiting, and its pane is not captured again and again: one
    // list-panes a look tells that it printed nothing (it was captured twice a second before).
    // tmux counts the captures itself (a hook after each capture-pane).
    const auto tmux = [this](const QStringList &args) {
        QProcess p;
        p.start(u"tmux"_s, QStringList{u"-L"_s, m_fx->tmuxSocket()} + args);
        p.waitForFinished(10000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    };
    tmux({u"set-option"_s, u"-g"_s, u"@captures"_s, u"0"_s});
    tmux({u"set-hook"_s,
          u"-g"_s,
          u"after-capture-pane"_s,
          u"set-option -gF @captures '#{e|+:#{@captures},1}'"_s});
    QTest::qWait(3000); // six looks: what happens meanwhile is counted, not waited for
    const int captured = tmux({u"show-options"_s, u"-gv"_s, u"@captures"_s}).toInt();
    tmux({u"set-hook"_s, u"-gu"_s, u"after-capture-pane"_s});
    QVERIFY2(captured <= 2, qPrintable(u"%1 capture-pane in 3 s of a quiet pane"_s.arg(captured)));
    auto still = wait(m_engine->agent(spawned->id));
    QVERIFY_OK(still);
    QCOMPARE(still->status, Agent::Status::WaitingInput);
    QCOMPARE(still->need, waiting.need);
    QVERIFY_OK(wait(m_engine->input(spawned->id, InputRequest{u"y"_s, true, {}, 0})));
    const Agent answered = waitAgent(
        spawned->id, [](const Agent &a) { return a.status != Agent::Status::WaitingInput; }, 10000);
    QVERIFY(answered.status != Agent::Status::WaitingInput);
    QTRY_VERIFY2_WITH_TIMEOUT(screen().contains(u"answer: y"_s), qPrintable(screen()), 10000);
    QVERIFY_OK(wait(m_engine->kill(spawned->id)));
    auto gone = wait(m_engine->output(spawned->id, 10));
    QVERIFY(!gone);
    QCOMPARE(gone.error().kind, Error::Kind::Conflict);
}

void tst_EngineAgents::repositoryGivesAWorktree()
{
    const QString repo = m_fx->path(u"repo"_s);
    QDir().mkpath(repo);
    auto git = [&](const QStringList &args) {
        return Process::run(u"git"_s, QStringList{u"-C"_s, repo} + args, 20000);
    };
    QVERIFY_OK(git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s}));
    QVERIFY_OK(git({u"-c"_s,
                    u"user.name=t"_s,
                    u"-c"_s,
                    u"user.email=t@t"_s,
                    u"commit"_s,
                    u"-q"_s,
                    u"--allow-empty"_s,
                    u"-m"_s,
                    u"init"_s}));
    SpawnRequest r;
    r.type = u"git"_s;
    r.profile = u"fake"_s;
    r.name = u"gitter"_s;
    r.repository = repo;
    auto a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QCOMPARE(a->workdir, m_fx->path(u"workspace/gitter"_s));
    auto branch = Process::run(u"git"_s, {u"-C"_s, a->workdir, u"branch"_s, u"--show-current"_s});
    QVERIFY_OK(branch);
    QCOMPARE(branch->trimmed(), QByteArray("hive/gitter"));
    // The task runs in the worktree.
    waitAgent(a->id, [](const Agent &x) { return x.status == Agent::Status::Idle; });
    const Task t = createTask(u"where"_s, u"git"_s);
    QCOMPARE(waitTask(t.id, finished).status, Task::Status::Succeeded);
    QVERIFY_OK(wait(m_engine->kill(a->id)));
    // A folder that is not a repository is refused, naming the field.
    r.name = u"notgit"_s;
    QTemporaryDir
        plain; // outside any repository (the fixture's folder may be inside the build tree's)
    r.repository = plain.path();
    auto bad = wait(m_engine->spawn(r));
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.startsWith(u"repository"_s), qPrintable(bad.error().message));
}

QTEST_GUILESS_MAIN(tst_EngineAgents)
#include "tst_engine_agents.moc"
