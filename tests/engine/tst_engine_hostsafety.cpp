// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiserver.h"
#include "services/core/process.h"
#include "tests/engine/enginetestbase.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using namespace Hive;

// What an agent may take of the host (see EngineTestBase): at most --max-agents of them (each
// worker holds a PostgreSQL connection), and a repository given as an absolute path only, whose
// worktree is made by git with the repository's hooks off, away from the orchestrator's thread,
// and never on top of a folder that is not that repository's worktree.
class tst_EngineHostSafety : public Test::EngineTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void spawnsBeyondTheLimitAreRefused();
    void concurrentSpawnsStayUnderTheLimit();
    void relativePathsAreRefused_data();
    void relativePathsAreRefused();
    void repositoryHooksDoNotRun();
    void slowGitDoesNotStallTheOrchestrator();
    void failedWorktreeLeavesNothingBehind_data();
    void failedWorktreeLeavesNothingBehind();
    void onlyTheRepositorysWorktreeIsReused();
    void unfinishedWorktreeIsMadeAgain();

private:
    // The engine again, with at most max live agents; every agent alive now is killed first.
    void restartWithLimit(int max);
    void killAll();
    QString makeRepository(const QString &name);
    // A `git` first on PATH that runs script (sh) before the real git; restored by the guard.
    struct FakeGit
    {
        QTemporaryDir dir;
        QByteArray oldPath;
        ~FakeGit() { qputenv("PATH", oldPath); }
    };
    std::unique_ptr<FakeGit> fakeGit(const QString &script);
    static QString realGit() { return QStandardPaths::findExecutable(u"git"_s); }
    bool sessionExists(const QString &name);
    // POST path over the API's Unix socket (no token there): the status and the error object.
    static std::pair<int, QJsonObject>
    post(const QString &socket, const QByteArray &path, const QByteArray &body);
};

std::pair<int, QJsonObject>
tst_EngineHostSafety::post(const QString &socket, const QByteArray &path, const QByteArray &body)
{
    QLocalSocket s;
    s.connectToServer(socket);
    if (!s.waitForConnected(5000))
        return {0, {}};
    s.write("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
            + "\r\n\r\n" + body);
    QByteArray reply;
    QDeadlineTimer d(30000);
    while (s.state() == QLocalSocket::ConnectedState && !d.hasExpired()) {
        QTest::qWait(5);
        reply += s.readAll();
    }
    reply += s.readAll();
    const int status = reply.mid(9, 3).toInt(); // HTTP/1.1 NNN
    const QByteArray json = reply.mid(reply.indexOf("\r\n\r\n") + 4);
    return {status, QJsonDocument::fromJson(json).object().value(u"error"_s).toObject()};
}

void tst_EngineHostSafety::killAll()
{
    auto live = wait(m_engine->agents());
    QVERIFY_OK(live);
    for (const Agent &a : std::as_const(*live))
        if (a.isAlive())
            QVERIFY_OK(wait(m_engine->kill(a.id)));
}

void tst_EngineHostSafety::restartWithLimit(int max)
{
    killAll();
    stopEngine();
    Engine::Options o = m_fx->engineOptions();
    o.maxAgents = max;
    m_engine = std::make_unique<Engine>(o);
    QVERIFY_OK(wait(m_engine->start()));
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);
    startApi();
}

QString tst_EngineHostSafety::makeRepository(const QString &name)
{
    const QString repo = m_fx->path(u"repos/"_s + name);
    QDir().mkpath(repo);
    auto git = [&](const QStringList &args) {
        return Process::run(realGit(), QStringList{u"-C"_s, repo} + args, 20000);
    };
    if (!git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s}))
        return {};
    if (!git({u"-c"_s,
              u"user.name=t"_s,
              u"-c"_s,
              u"user.email=t@t"_s,
              u"commit"_s,
              u"-q"_s,
              u"--allow-empty"_s,
              u"-m"_s,
              u"init"_s}))
        return {};
    return repo;
}

std::unique_ptr<tst_EngineHostSafety::FakeGit> tst_EngineHostSafety::fakeGit(const QString &script)
{
    auto fake = std::make_unique<FakeGit>();
    const QString real = realGit();
    fake->oldPath = qgetenv("PATH");
    QFile f(fake->dir.filePath(u"git"_s));
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(u"#!/bin/sh\n%1\nexec '%2' \"$@\"\n"_s.arg(script, real).toUtf8());
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("PATH", QByteArray(QFile::encodeName(fake->dir.path()) + ':' + fake->oldPath));
    return fake;
}

bool tst_EngineHostSafety::sessionExists(const QString &name)
{
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, m_fx->tmuxSocket(), u"has-session"_s, u"-t"_s, u"="_s + name});
    p.waitForFinished(5000);
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// At most --max-agents live agents: one more is refused with a conflict naming the limit, and
// leaves no row, no folder and no session; once one is killed there is room again.
void tst_EngineHostSafety::spawnsBeyondTheLimitAreRefused()
{
    restartWithLimit(2);
    SpawnRequest r;
    r.type = u"capped"_s;
    r.profile = u"fake"_s;
    r.name = u"cap-1"_s;
    auto first = wait(m_engine->spawn(r));
    QVERIFY_OK(first);
    r.name = u"cap-2"_s;
    QVERIFY_OK(wait(m_engine->spawn(r)));
    const int before = wait(m_engine->agents())->size();

    r.name = u"cap-3"_s;
    auto third = wait(m_engine->spawn(r));
    QVERIFY(!third);
    QCOMPARE(third.error().kind, Error::Kind::Conflict);
    QCOMPARE(third.error().code, u"agent_limit"_s);
    QVERIFY2(third.error().message.contains(u"--max-agents"_s)
                 && third.error().message.contains(u"is 2"_s),
             qPrintable(third.error().message));
    QCOMPARE(wait(m_engine->agents())->size(), before);
    QVERIFY(!QFileInfo::exists(m_fx->path(u"workspace/cap-3"_s)));
    QVERIFY(!sessionExists(u"cap-3"_s));

    // Through the API: 409 agent_limit, the message naming the limit.
    ApiServer &api = *m_api;
    auto [status, error] = post(api.socketPath(),
                                "/api/v1/agents",
                                R"({"type":"capped","profile":"fake","name":"cap-api"})");
    QCOMPARE(status, 409);
    QCOMPARE(error.value(u"code"_s).toString(), u"agent_limit"_s);
    QVERIFY2(error.value(u"message"_s).toString().contains(u"--max-agents"_s),
             qPrintable(error.value(u"message"_s).toString()));
    QCOMPARE(wait(m_engine->agents())->size(), before);

    QVERIFY_OK(wait(m_engine->kill(first->id)));
    // With room again: a relative repository is the request's fault, 422 naming the field.
    auto [relStatus, relError]
        = post(api.socketPath(),
               "/api/v1/agents",
               R"({"type":"capped","profile":"fake","name":"cap-rel","repository":"."})");
    QCOMPARE(relStatus, 422);
    QVERIFY2(relError.value(u"message"_s).toString().startsWith(u"repository:"_s),
             qPrintable(relError.value(u"message"_s).toString()));
    api.stop();
    QVERIFY_OK(wait(m_engine->spawn(r)));
    killAll();
}

// Spawns asked for together are counted together: with room for two, two of five get in.
void tst_EngineHostSafety::concurrentSpawnsStayUnderTheLimit()
{
    restartWithLimit(2);
    QList<QFuture<Result<Agent>>> spawns;
    for (int i = 0; i < 5; ++i) {
        SpawnRequest r;
        r.type = u"capped"_s;
        r.profile = u"fake"_s;
        r.name = u"rush-%1"_s.arg(i);
        spawns << m_engine->spawn(r);
    }
    int spawned = 0, refused = 0;
    for (auto &f : spawns) {
        auto a = wait(f);
        if (a)
            ++spawned;
        else if (a.error().code == u"agent_limit"_s)
            ++refused;
        else
            QFAIL(qPrintable(a.error().message));
    }
    QCOMPARE(spawned, 2);
    QCOMPARE(refused, 3);
    killAll();
    stopEngine(); // the next test starts the engine with the default limit again
}

void tst_EngineHostSafety::relativePathsAreRefused_data()
{
    QTest::addColumn<QString>("repository");
    QTest::addColumn<QString>("workdir");
    QTest::addColumn<QString>("field");
    QTest::newRow("repository .") << u"."_s << QString() << u"repository"_s;
    QTest::newRow("repository sub/..") << u"sub/.."_s << QString() << u"repository"_s;
    QTest::newRow("repository ./") << u"./"_s << QString() << u"repository"_s;
    QTest::newRow("workdir .") << QString() << u"."_s << u"workdir"_s;
    QTest::newRow("workdir sub") << QString() << u"sub"_s << u"workdir"_s;
}

// "." was the app's own working folder: a worktree was made inside the app's checkout.
void tst_EngineHostSafety::relativePathsAreRefused()
{
    QFETCH(QString, repository);
    QFETCH(QString, workdir);
    QFETCH(QString, field);
    static int row = 0; // a repository of its own per row
    const QString repo = makeRepository(u"cwd-%1"_s.arg(++row));
    QVERIFY(!repo.isEmpty());
    QDir().mkpath(repo + u"/sub"_s);
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(repo));
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.name = u"relative"_s;
    r.repository = repository;
    r.workdir = workdir;
    auto a = wait(m_engine->spawn(r));
    QDir::setCurrent(before);
    if (a)
        wait(m_engine->kill(a->id));
    QVERIFY(!a);
    QCOMPARE(a.error().kind, Error::Kind::Invalid);
    QVERIFY2(a.error().message.startsWith(field + u":"_s), qPrintable(a.error().message));
    QVERIFY2(a.error().message.contains(u"absolute"_s), qPrintable(a.error().message));
    // No worktree was made of the repository the app happened to run in.
    auto listed = Process::run(realGit(), {u"-C"_s, repo, u"worktree"_s, u"list"_s});
    QVERIFY_OK(listed);
    QCOMPARE(listed->trimmed().count('\n'), 0);
}

// The repository's hooks are not run: its post-checkout hook stalled a spawn for 12 s.
void tst_EngineHostSafety::repositoryHooksDoNotRun()
{
    const QString repo = makeRepository(u"hooked"_s);
    QVERIFY(!repo.isEmpty());
    const QString marker = m_fx->path(u"hook-ran"_s);
    QFile hook(repo + u"/.git/hooks/post-checkout"_s);
    QVERIFY(hook.open(QIODevice::WriteOnly));
    hook.write(u"#!/bin/sh\ntouch '%1'\n"_s.arg(marker).toUtf8());
    hook.close();
    hook.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.name = u"hooked"_s;
    r.repository = repo;
    auto a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QVERIFY(QFileInfo::exists(a->workdir + u"/.git"_s));
    QVERIFY2(!QFileInfo::exists(marker), "the repository's post-checkout hook ran");
    QVERIFY_OK(wait(m_engine->kill(a->id)));
}

// While git works on one agent's worktree, the orchestrator answers /health and spawns others.
void tst_EngineHostSafety::slowGitDoesNotStallTheOrchestrator()
{
    const QString repo = makeRepository(u"slow"_s);
    QVERIFY(!repo.isEmpty());
    QTemporaryDir gate;
    // git waits until the test lets it go (at most 60 s, so that a failed test ends).
    auto fake = fakeGit(u"touch '%1/started'\nn=0\nwhile [ ! -e '%1/release' ] && [ $n -lt 1200 ]; "
                        "do sleep 0.05; n=$((n+1)); done"_s.arg(gate.path()));
    QVERIFY(fake);
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.name = u"slowgit"_s;
    r.repository = repo;
    auto slow = m_engine->spawn(r);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(gate.filePath(u"started"_s)), 10000);

    auto health = m_engine->health();
    SpawnRequest other;
    other.type = u"dev"_s;
    other.profile = u"fake"_s;
    other.name = u"meanwhile"_s;
    auto meanwhile = m_engine->spawn(other);
    // git (rev-parse: 10 s until it is given up) would hold both if it ran in the orchestrator.
    QTRY_VERIFY_WITH_TIMEOUT(health.isFinished() && meanwhile.isFinished(), 5000);
    QVERIFY(!slow.isFinished());
    QVERIFY(health.result().tmux);
    QVERIFY_OK(meanwhile.result());

    QFile(gate.filePath(u"release"_s)).open(QIODevice::WriteOnly);
    auto a = wait(slow);
    QVERIFY_OK(a);
    QVERIFY(QFileInfo::exists(a->workdir + u"/.git"_s));
    QVERIFY_OK(wait(m_engine->kill(a->id)));
    QVERIFY_OK(wait(m_engine->kill(meanwhile.result()->id)));
}

void tst_EngineHostSafety::failedWorktreeLeavesNothingBehind_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("onAdd"); // what the fake git does instead of `worktree add`
    // The folder made, then an error.
    QTest::newRow("folder left") << u"halfway"_s
                                 << u"mkdir -p \"$last\"; echo half > \"$last/half-made\""_s;
    // The worktree registered and checked out, but still locked "initializing": what a `worktree
    // add` killed at its timeout leaves.
    QTest::newRow("worktree left locked")
        << u"halfway-locked"_s
        << u"'%1' \"$@\" >/dev/null 2>&1; d=$('%1' -C \"$last\" rev-parse --absolute-git-dir); "
           "echo initializing > \"$d/locked\"; echo half > \"$last/half-made\""_s.arg(realGit());
}

// A `worktree add` that fails half-way leaves no folder that a later spawn of that name would take
// for its worktree, and no registered worktree holding its branch.
void tst_EngineHostSafety::failedWorktreeLeavesNothingBehind()
{
    QFETCH(QString, name);
    QFETCH(QString, onAdd);
    const QString repo = makeRepository(name);
    QVERIFY(!repo.isEmpty());
    const QString folder = m_fx->path(u"workspace/"_s + name);
    {
        auto fake = fakeGit(u"case \" $* \" in *' worktree add '*) for last; do :; done; %1; "
                            "echo 'fatal: checkout died' >&2; exit 128;; esac"_s.arg(onAdd));
        QVERIFY(fake);
        SpawnRequest r;
        r.type = u"dev"_s;
        r.profile = u"fake"_s;
        r.name = name;
        r.repository = repo;
        auto bad = wait(m_engine->spawn(r));
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.startsWith(u"repository:"_s), qPrintable(bad.error().message));
        QVERIFY2(!QFileInfo::exists(folder), "the failed worktree's folder is still there");
    }
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.name = name;
    r.repository = repo;
    auto a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QVERIFY(!QFileInfo::exists(a->workdir + u"/half-made"_s));
    auto branch = Process::run(realGit(), {u"-C"_s, a->workdir, u"branch"_s, u"--show-current"_s});
    QVERIFY_OK(branch);
    QCOMPARE(QString::fromLocal8Bit(branch->trimmed()), u"hive/"_s + name);
    QVERIFY_OK(wait(m_engine->kill(a->id)));
}

// workspace/<name> is carried on only when it is a worktree of the repository asked for.
void tst_EngineHostSafety::onlyTheRepositorysWorktreeIsReused()
{
    const QString repo = makeRepository(u"reuse"_s);
    const QString elsewhere = makeRepository(u"elsewhere"_s);
    QVERIFY(!repo.isEmpty() && !elsewhere.isEmpty());
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.repository = repo;

    // A folder of the user's, not a worktree: refused, and left as it is.
    r.name = u"foreign"_s;
    const QString foreign = m_fx->path(u"workspace/foreign"_s);
    QDir().mkpath(foreign);
    QFile mine(foreign + u"/notes.txt"_s);
    QVERIFY(mine.open(QIODevice::WriteOnly));
    mine.write("keep me\n");
    mine.close();
    auto refused = wait(m_engine->spawn(r));
    if (refused)
        wait(m_engine->kill(refused->id));
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Invalid);
    QVERIFY2(refused.error().message.startsWith(u"repository:"_s)
                 && refused.error().message.contains(u"not a worktree"_s),
             qPrintable(refused.error().message));
    QVERIFY(QFileInfo::exists(foreign + u"/notes.txt"_s));

    // The worktree of another repository: refused too.
    r.name = u"other"_s;
    QVERIFY_OK(Process::run(realGit(),
                            {u"-C"_s,
                             elsewhere,
                             u"worktree"_s,
                             u"add"_s,
                             u"-q"_s,
                             u"-b"_s,
                             u"x"_s,
                             m_fx->path(u"workspace/other"_s)}));
    auto other = wait(m_engine->spawn(r));
    if (other)
        wait(m_engine->kill(other->id));
    QVERIFY(!other);
    QVERIFY2(other.error().message.contains(u"not a worktree"_s),
             qPrintable(other.error().message));
    QVERIFY(QFileInfo::exists(m_fx->path(u"workspace/other/.git"_s))); // left as it was

    // Its own worktree, from an earlier agent of that name: carried on.
    r.name = u"again"_s;
    auto first = wait(m_engine->spawn(r));
    QVERIFY_OK(first);
    QFile work(first->workdir + u"/work.txt"_s);
    QVERIFY(work.open(QIODevice::WriteOnly));
    work.close();
    QVERIFY_OK(wait(m_engine->kill(first->id)));
    auto second = wait(m_engine->spawn(r));
    QVERIFY_OK(second);
    QCOMPARE(second->workdir, first->workdir);
    QVERIFY(QFileInfo::exists(second->workdir + u"/work.txt"_s));
    QVERIFY_OK(wait(m_engine->kill(second->id)));
}

// A worktree whose `git worktree add` never finished (the app was killed during the checkout: git
// left it locked "initializing", its checkout incomplete) is not carried on: it is made again.
void tst_EngineHostSafety::unfinishedWorktreeIsMadeAgain()
{
    const QString repo = makeRepository(u"unfinished"_s);
    QVERIFY(!repo.isEmpty());
    const QString folder = m_fx->path(u"workspace/unfinished"_s);
    QVERIFY_OK(Process::run(
        realGit(),
        {u"-C"_s, repo, u"worktree"_s, u"add"_s, u"-q"_s, u"-b"_s, u"hive/unfinished"_s, folder}));
    auto admin
        = Process::run(realGit(), {u"-C"_s, folder, u"rev-parse"_s, u"--absolute-git-dir"_s});
    QVERIFY_OK(admin);
    const QString adminDir = QString::fromLocal8Bit(admin->trimmed());
    {
        QFile locked(adminDir + u"/locked"_s);
        QVERIFY(locked.open(QIODevice::WriteOnly));
        locked.write("initializing");
    }
    QVERIFY(QFile::remove(folder + u"/.git"_s)); // written early by git; gone: half-made
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake"_s;
    r.name = u"unfinished"_s;
    r.repository = repo;
    auto a = wait(m_engine->spawn(r));
    QVERIFY_OK(a);
    QCOMPARE(a->workdir, folder);
    auto branch = Process::run(realGit(), {u"-C"_s, folder, u"branch"_s, u"--show-current"_s});
    QVERIFY_OK(branch);
    QCOMPARE(branch->trimmed(), QByteArray("hive/unfinished"));
    QVERIFY_OK(wait(m_engine->kill(a->id)));
}

QTEST_GUILESS_MAIN(tst_EngineHostSafety)
#include "tst_engine_hostsafety.moc"
