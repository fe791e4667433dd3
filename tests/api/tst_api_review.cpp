// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// Reviewing an agent's work over the API, with real git repositories: the diff of its worktree
// against where it started (tracked and untracked files), the files each task changed, merging
// its branch (fast-forward, merge commit, a conflict that changes nothing), and the guards that
// keep removing a worktree or killing an agent from losing work.
class tst_ApiReview : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void diffShowsTrackedAndUntrackedChanges();
    void taskChangedFilesAreRecorded();
    void mergeFastForwards();
    void mergeMakesAMergeCommit();
    void mergeConflictChangesNothing();
    void killKeepsWorkAndRemovalNeedsTheName();
    void uncommittedFilesAloneAreGuarded();
    void mergedWorkIsRemovedWithoutConfirmation();
    void aWorktreeMadeAgainStartsAfresh();

private:
    QString makeRepo(const QString &name);
    QJsonObject spawnIn(const QString &repo, const QString &name);
    static QString git(const QString &dir, const QStringList &args, int *exitCode = nullptr);
    static void write(const QString &path, const QByteArray &text);
    static QByteArray read(const QString &path);
    // Every ref, the index, the status and HEAD of a repository: what must not change.
    static QString state(const QString &repo);
};

QString tst_ApiReview::git(const QString &dir, const QStringList &args, int *exitCode)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"GIT_AUTHOR_NAME"_s, u"Tester"_s);
    env.insert(u"GIT_AUTHOR_EMAIL"_s, u"tester@example.com"_s);
    env.insert(u"GIT_COMMITTER_NAME"_s, u"Tester"_s);
    env.insert(u"GIT_COMMITTER_EMAIL"_s, u"tester@example.com"_s);
    p.setProcessEnvironment(env);
    p.start(u"git"_s, QStringList{u"-C"_s, dir} + args);
    p.waitForFinished(30000);
    if (exitCode)
        *exitCode = p.exitCode();
    else if (p.exitCode() != 0)
        qWarning("git %s: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

void tst_ApiReview::write(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray tst_ApiReview::read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString tst_ApiReview::state(const QString &repo)
{
    QByteArray index = read(QDir(repo).filePath(u".git/index"_s));
    return git(repo, {u"for-each-ref"_s, u"--format=%(refname) %(objectname)"_s}) + u"\n"_s
           + git(repo, {u"rev-parse"_s, u"HEAD"_s}) + u"\n"_s
           + git(repo, {u"status"_s, u"--porcelain"_s, u"--untracked-files=all"_s}) + u"\n"_s
           + QString::number(qHash(index)) + u"\n"_s
           + QString::fromUtf8(read(QDir(repo).filePath(u"a.txt"_s)))
           + (QFileInfo::exists(QDir(repo).filePath(u".git/MERGE_HEAD"_s)) ? u"MERGE_HEAD"_s
                                                                           : QString());
}

QString tst_ApiReview::makeRepo(const QString &name)
{
    const QString repo = QDir(m_fx->dir()).filePath(u"repos/"_s + name);
    QDir().mkpath(repo);
    git(repo, {u"init"_s, u"-q"_s, u"-b"_s, u"main"_s});
    write(QDir(repo).filePath(u"a.txt"_s), "one\ntwo\nthree\n");
    write(QDir(repo).filePath(u".gitignore"_s), "*.log\n");
    git(repo, {u"add"_s, u"-A"_s});
    git(repo, {u"commit"_s, u"-q"_s, u"-m"_s, u"start"_s});
    return repo;
}

QJsonObject tst_ApiReview::spawnIn(const QString &repo, const QString &name)
{
    // A type of its own: its tasks go to this agent only.
    const QByteArray body = QJsonDocument(QJsonObject{{u"type"_s, name},
                                                      {u"profile"_s, u"fake"_s},
                                                      {u"name"_s, name},
                                                      {u"repository"_s, repo}})
                                .toJson(QJsonDocument::Compact);
    const Reply r = call("POST", u"/api/v1/agents"_s, body);
    if (r.status != 201)
        qWarning("spawn: %s", r.describe().constData());
    return r.object();
}

void tst_ApiReview::diffShowsTrackedAndUntrackedChanges()
{
    const QString repo = makeRepo(u"diff"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-diff"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    QVERIFY2(QFileInfo(wt).isDir(), qPrintable(wt));

    // Nothing changed yet: an empty diff from where it started.
    Reply r = call("GET", u"/api/v1/agents/%1/diff"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"files"_s).toArray().size(), 0);
    QCOMPARE(r.object().value(u"branch"_s).toString(), u"hive/rev-diff"_s);
    QCOMPARE(r.object().value(u"base_branch"_s).toString(), u"main"_s);
    QCOMPARE(r.object().value(u"base_commit"_s).toString(), git(repo, {u"rev-parse"_s, u"main"_s}));

    // A commit, a change not staged, a staged new file and an untracked one; an ignored file.
    write(QDir(wt).filePath(u"committed.txt"_s), "committed\n");
    git(wt, {u"add"_s, u"committed.txt"_s});
    git(wt, {u"commit"_s, u"-q"_s, u"-m"_s, u"agent work"_s});
    write(QDir(wt).filePath(u"a.txt"_s), "one\nTWO\nthree\n");
    write(QDir(wt).filePath(u"staged.txt"_s), "staged\n");
    git(wt, {u"add"_s, u"staged.txt"_s});
    write(QDir(wt).filePath(u"sub/untracked.txt"_s), "untracked line\n");
    write(QDir(wt).filePath(u"noise.log"_s), "ignored\n");
    const QString statusBefore
        = git(wt, {u"status"_s, u"--porcelain"_s, u"--untracked-files=all"_s});
    const QByteArray indexBefore
        = read(git(wt, {u"rev-parse"_s, u"--path-format=absolute"_s, u"--git-path"_s, u"index"_s}));

    r = call("GET", u"/api/v1/agents/%1/diff"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    const QJsonObject d = r.object();
    QHash<QString, QString> files;
    for (const QJsonValue &v : d.value(u"files"_s).toArray())
        files.insert(v[u"path"_s].toString(), v[u"status"_s].toString());
    QCOMPARE(files.value(u"committed.txt"_s), u"A"_s);
    QCOMPARE(files.value(u"a.txt"_s), u"M"_s);
    QCOMPARE(files.value(u"staged.txt"_s), u"A"_s);
    QCOMPARE(files.value(u"sub/untracked.txt"_s), u"A"_s);
    QVERIFY2(!files.contains(u"noise.log"_s), "an ignored file is in the diff");
    QCOMPARE(files.size(), 4);
    const QString patch = d.value(u"patch"_s).toString();
    QVERIFY2(patch.contains(u"+untracked line"_s), qPrintable(patch));
    QVERIFY2(patch.contains(u"-two\n+TWO"_s), qPrintable(patch));
    QCOMPARE(d.value(u"commits_ahead"_s).toInt(), 1);
    QCOMPARE(d.value(u"unmerged_commits"_s).toInt(), 1);
    QCOMPARE(d.value(u"uncommitted_files"_s).toInt(), 3); // a.txt, staged, untracked; not the .log
    for (const QJsonValue &v : d.value(u"files"_s).toArray())
        if (v[u"path"_s].toString() == u"a.txt"_s) {
            QCOMPARE(v[u"added"_s].toInt(), 1);
            QCOMPARE(v[u"removed"_s].toInt(), 1);
        }

    // The agent's index and status are as they were: the diff wrote neither.
    QCOMPARE(git(wt, {u"status"_s, u"--porcelain"_s, u"--untracked-files=all"_s}), statusBefore);
    QCOMPARE(
        read(git(wt, {u"rev-parse"_s, u"--path-format=absolute"_s, u"--git-path"_s, u"index"_s})),
        indexBefore);

    // The files only.
    r = call("GET", u"/api/v1/agents/%1/diff?patch=false"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    QVERIFY(!r.object().contains(u"patch"_s));
    QCOMPARE(r.object().value(u"files"_s).toArray().size(), 4);

    // A folder outside git: 409 saying so; an unknown agent: 404.
    const QString plain = QDir(m_fx->dir()).filePath(u"plain"_s);
    QDir().mkpath(plain);
    r = call("POST",
             u"/api/v1/agents"_s,
             QJsonDocument(QJsonObject{{u"type"_s, u"rev"_s},
                                       {u"profile"_s, u"fake"_s},
                                       {u"name"_s, u"rev-plain"_s},
                                       {u"workdir"_s, plain}})
                 .toJson(QJsonDocument::Compact));
    QVERIFY2(r.status == 201, r.describe().constData());
    r = call("GET", u"/api/v1/agents/%1/diff"_s.arg(r.object().value(u"id"_s).toString()));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"not_a_repository"_s);
    r = call("GET", u"/api/v1/agents/%1/diff"_s.arg(kUnknownId));
    QVERIFY2(r.status == 404, r.describe().constData());
}

void tst_ApiReview::taskChangedFilesAreRecorded()
{
    const QString repo = makeRepo(u"tasks"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-tasks"_s);
    const QString id = agent.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());

    auto runTask = [this](const QString &prompt) {
        const Reply r = call("POST",
                             u"/api/v1/tasks"_s,
                             QJsonDocument(QJsonObject{{u"prompt"_s, prompt},
                                                       {u"agent_type"_s, u"rev-tasks"_s},
                                                       {u"max_attempts"_s, 1}})
                                 .toJson(QJsonDocument::Compact));
        const QString taskId = r.object().value(u"id"_s).toString();
        waitTask(taskId, [](const QJsonObject &t) {
            return t.value(u"status"_s).toString() == u"succeeded"_s;
        });
        return taskId;
    };
    auto changedFiles = [this](const QString &taskId) {
        Reply r;
        QDeadlineTimer deadline(30000);
        while ((r = call("GET", u"/api/v1/tasks/%1/changes"_s.arg(taskId))).status != 200
               && !deadline.hasExpired())
            QTest::qWait(50);
        QStringList files{QString::fromUtf8(r.describe())};
        if (r.status == 200)
            files.clear();
        for (const QJsonValue &v : r.object().value(u"files"_s).toArray())
            files << v[u"status"_s].toString() + u" "_s + v[u"path"_s].toString();
        return files;
    };

    const QString first = runTask(u"make a file touch=made.txt"_s);
    QCOMPARE(changedFiles(first), QStringList{u"A made.txt"_s});
    // The second task: only what it changed, not what the first one did.
    const QString second = runTask(u"another touch=second.txt"_s);
    QCOMPARE(changedFiles(second), QStringList{u"A second.txt"_s});
    const QString third = runTask(u"append touch=made.txt"_s);
    QCOMPARE(changedFiles(third), QStringList{u"M made.txt"_s});

    Reply r = call("GET", u"/api/v1/tasks/%1/changes"_s.arg(kUnknownId));
    QVERIFY2(r.status == 404, r.describe().constData());
}

void tst_ApiReview::mergeFastForwards()
{
    const QString repo = makeRepo(u"ff"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-ff"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"feature.txt"_s), "feature\n");
    git(wt, {u"add"_s, u"feature.txt"_s});
    git(wt, {u"commit"_s, u"-q"_s, u"-m"_s, u"feature"_s});
    const QString tip = git(wt, {u"rev-parse"_s, u"HEAD"_s});
    const QString before = git(repo, {u"rev-parse"_s, u"main"_s});

    Reply r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"result"_s).toString(), u"fast-forward"_s);
    QCOMPARE(r.object().value(u"previous"_s).toString(), before);
    QCOMPARE(r.object().value(u"commit"_s).toString(), tip);
    QCOMPARE(r.object().value(u"commits"_s).toInt(), 1);
    QCOMPARE(git(repo, {u"rev-parse"_s, u"main"_s}), tip);
    // main is checked out in the repository: its files and index followed.
    QCOMPARE(read(QDir(repo).filePath(u"feature.txt"_s)), QByteArray("feature\n"));
    QCOMPARE(git(repo, {u"status"_s, u"--porcelain"_s}), QString());

    // Again: nothing to do.
    r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"result"_s).toString(), u"up-to-date"_s);
    QCOMPARE(git(repo, {u"rev-parse"_s, u"main"_s}), tip);
}

void tst_ApiReview::mergeMakesAMergeCommit()
{
    const QString repo = makeRepo(u"merge"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-merge"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"agent.txt"_s), "agent\n");
    git(wt, {u"add"_s, u"agent.txt"_s});
    git(wt, {u"commit"_s, u"-q"_s, u"-m"_s, u"agent"_s});
    const QString tip = git(wt, {u"rev-parse"_s, u"HEAD"_s});
    // main moved on meanwhile; and the user has a local change in an unrelated file there.
    write(QDir(repo).filePath(u"user.txt"_s), "user\n");
    git(repo, {u"add"_s, u"user.txt"_s});
    git(repo, {u"commit"_s, u"-q"_s, u"-m"_s, u"user"_s});
    const QString before = git(repo, {u"rev-parse"_s, u"main"_s});
    write(QDir(repo).filePath(u"user.txt"_s), "user, edited\n");

    Reply r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"result"_s).toString(), u"merge"_s);
    const QString merged = git(repo, {u"rev-parse"_s, u"main"_s});
    QCOMPARE(r.object().value(u"commit"_s).toString(), merged);
    QCOMPARE(git(repo, {u"rev-list"_s, u"--parents"_s, u"-n"_s, u"1"_s, merged}),
             merged + u" "_s + before + u" "_s + tip);
    QVERIFY(git(repo, {u"log"_s, u"-1"_s, u"--format=%s"_s}).contains(u"hive/rev-merge"_s));
    QCOMPARE(read(QDir(repo).filePath(u"agent.txt"_s)), QByteArray("agent\n"));
    // The user's local change is still there, and nothing else is pending.
    QCOMPARE(read(QDir(repo).filePath(u"user.txt"_s)), QByteArray("user, edited\n"));
    QCOMPARE(git(repo, {u"status"_s, u"--porcelain"_s}), u"M user.txt"_s);
}

void tst_ApiReview::mergeConflictChangesNothing()
{
    const QString repo = makeRepo(u"conflict"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-conflict"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"a.txt"_s), "one\nagent\nthree\n");
    git(wt, {u"commit"_s, u"-q"_s, u"-am"_s, u"agent"_s});
    write(QDir(repo).filePath(u"a.txt"_s), "one\nuser\nthree\n");
    git(repo, {u"commit"_s, u"-q"_s, u"-am"_s, u"user"_s});
    write(QDir(repo).filePath(u"local.txt"_s), "a user's untracked file\n");
    const QString repoBefore = state(repo);
    const QString wtBefore = state(wt);

    Reply r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(id));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"merge_conflict"_s);
    QVERIFY2(r.message().contains(u"a.txt"_s), qPrintable(r.message()));
    QVERIFY2(r.message().contains(u"nothing was changed"_s), qPrintable(r.message()));
    QCOMPARE(state(repo), repoBefore);
    QCOMPARE(state(wt), wtBefore);
    QCOMPARE(read(QDir(repo).filePath(u"a.txt"_s)), QByteArray("one\nuser\nthree\n"));

    // An unknown agent: 404.
    r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(kUnknownId));
    QVERIFY2(r.status == 404, r.describe().constData());
}

void tst_ApiReview::killKeepsWorkAndRemovalNeedsTheName()
{
    const QString repo = makeRepo(u"remove"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-rm"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"work.txt"_s), "precious\n");
    git(wt, {u"add"_s, u"work.txt"_s});
    git(wt, {u"commit"_s, u"-q"_s, u"-m"_s, u"precious work"_s});
    const QString tip = git(wt, {u"rev-parse"_s, u"HEAD"_s});
    write(QDir(wt).filePath(u"draft.txt"_s), "not committed\n");

    // A live agent's worktree is not removed, whatever the confirmation.
    Reply r = call("DELETE", u"/api/v1/agents/%1/worktree?confirm=rev-rm"_s.arg(id));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"agent_alive"_s);

    // Kill over the API: the worktree, its branch and its files stay.
    r = call("DELETE", u"/api/v1/agents/%1"_s.arg(id));
    QVERIFY2(r.status == 204, r.describe().constData());
    waitAgent(id,
              [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"stopped"_s; });
    QCOMPARE(git(repo, {u"rev-parse"_s, u"hive/rev-rm"_s}), tip);
    QCOMPARE(read(QDir(wt).filePath(u"draft.txt"_s)), QByteArray("not committed\n"));

    // Without the name: refused, saying how much would be lost; nothing removed.
    for (const QString &query : {QString(), u"?confirm=someone-else"_s}) {
        r = call("DELETE", u"/api/v1/agents/%1/worktree%2"_s.arg(id, query));
        if (query.isEmpty()) {
            QVERIFY2(r.status == 409, r.describe().constData());
            QCOMPARE(r.code(), u"unmerged_work"_s);
            QVERIFY2(r.message().contains(u"1 commit(s)"_s), qPrintable(r.message()));
            QVERIFY2(r.message().contains(u"1 uncommitted"_s), qPrintable(r.message()));
            QVERIFY2(r.message().contains(u"confirm=rev-rm"_s), qPrintable(r.message()));
        } else {
            QVERIFY2(r.status == 422, r.describe().constData());
        }
        QCOMPARE(git(repo, {u"rev-parse"_s, u"hive/rev-rm"_s}), tip);
        QCOMPARE(read(QDir(wt).filePath(u"draft.txt"_s)), QByteArray("not committed\n"));
        QCOMPARE(read(QDir(wt).filePath(u"work.txt"_s)), QByteArray("precious\n"));
    }

    // With the name: gone, branch and folder; the repository itself is untouched.
    r = call("DELETE", u"/api/v1/agents/%1/worktree?confirm=rev-rm"_s.arg(id));
    QVERIFY2(r.status == 204, r.describe().constData());
    QVERIFY(!QFileInfo::exists(wt));
    int code = 0;
    git(repo, {u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"refs/heads/hive/rev-rm"_s}, &code);
    QVERIFY(code != 0);
    QCOMPARE(git(repo, {u"worktree"_s, u"list"_s}).split(u'\n').size(), 1);
    QCOMPARE(read(QDir(repo).filePath(u"a.txt"_s)), QByteArray("one\ntwo\nthree\n"));
}

void tst_ApiReview::uncommittedFilesAloneAreGuarded()
{
    const QString repo = makeRepo(u"untracked"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-untracked"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"new/idea.txt"_s), "an idea\n");
    Reply r = call("DELETE", u"/api/v1/agents/%1"_s.arg(id));
    QVERIFY2(r.status == 204, r.describe().constData());
    waitAgent(id,
              [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"stopped"_s; });
    r = call("DELETE", u"/api/v1/agents/%1/worktree"_s.arg(id));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"unmerged_work"_s);
    QVERIFY2(r.message().contains(u"0 commit(s)"_s), qPrintable(r.message()));
    QCOMPARE(read(QDir(wt).filePath(u"new/idea.txt"_s)), QByteArray("an idea\n"));
}

void tst_ApiReview::mergedWorkIsRemovedWithoutConfirmation()
{
    const QString repo = makeRepo(u"merged"_s);
    const QJsonObject agent = spawnIn(repo, u"rev-merged"_s);
    const QString id = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    write(QDir(wt).filePath(u"done.txt"_s), "done\n");
    git(wt, {u"add"_s, u"done.txt"_s});
    git(wt, {u"commit"_s, u"-q"_s, u"-m"_s, u"done"_s});
    const QString tip = git(wt, {u"rev-parse"_s, u"HEAD"_s});
    Reply r = call("POST", u"/api/v1/agents/%1/merge"_s.arg(id));
    QVERIFY2(r.status == 200, r.describe().constData());
    r = call("GET", u"/api/v1/agents/%1/diff?patch=false"_s.arg(id));
    QCOMPARE(r.object().value(u"unmerged_commits"_s).toInt(), 0);
    r = call("DELETE", u"/api/v1/agents/%1"_s.arg(id));
    QVERIFY2(r.status == 204, r.describe().constData());
    waitAgent(id,
              [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"stopped"_s; });
    r = call("DELETE", u"/api/v1/agents/%1/worktree"_s.arg(id));
    QVERIFY2(r.status == 204, r.describe().constData());
    QVERIFY(!QFileInfo::exists(wt));
    // The work is on main.
    QCOMPARE(git(repo, {u"rev-parse"_s, u"main"_s}), tip);
    QCOMPARE(read(QDir(repo).filePath(u"done.txt"_s)), QByteArray("done\n"));
}

// A worktree removed by hand (git worktree remove, branch -D) and an agent of that name spawned
// again: its diff starts at main as it is now, not where the first one started.
void tst_ApiReview::aWorktreeMadeAgainStartsAfresh()
{
    const QString repo = makeRepo(u"again"_s);
    QJsonObject agent = spawnIn(repo, u"rev-again"_s);
    const QString first = agent.value(u"id"_s).toString();
    const QString wt = agent.value(u"workdir"_s).toString();
    Reply r = call("GET", u"/api/v1/agents/%1/diff?patch=false"_s.arg(first));
    QVERIFY2(r.status == 200, r.describe().constData());
    r = call("DELETE", u"/api/v1/agents/%1"_s.arg(first));
    QVERIFY2(r.status == 204, r.describe().constData());
    waitAgent(first,
              [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"stopped"_s; });
    git(repo, {u"worktree"_s, u"remove"_s, u"--force"_s, wt});
    git(repo, {u"branch"_s, u"-D"_s, u"hive/rev-again"_s});
    write(QDir(repo).filePath(u"later.txt"_s), "later\n");
    git(repo, {u"add"_s, u"later.txt"_s});
    git(repo, {u"commit"_s, u"-q"_s, u"-m"_s, u"later"_s});

    agent = spawnIn(repo, u"rev-again"_s);
    const QString second = agent.value(u"id"_s).toString();
    QVERIFY(!second.isEmpty());
    const QString main = git(repo, {u"rev-parse"_s, u"main"_s});
    QTRY_VERIFY_WITH_TIMEOUT((r = call("GET", u"/api/v1/agents/%1/diff?patch=false"_s.arg(second)))
                                     .object()
                                     .value(u"base_commit"_s)
                                     .toString()
                                 == main,
                             20000);
    QCOMPARE(r.object().value(u"files"_s).toArray().size(), 0);
}

QTEST_GUILESS_MAIN(tst_ApiReview)
#include "tst_api_review.moc"
