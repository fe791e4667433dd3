// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/gitreview.h"

#include "services/core/logging.h"
#include "services/core/process.h"
#include "services/store/store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtConcurrent>

#include <optional>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("review");
}

constexpr int kGitMs = 60000;

struct GitOut
{
    int exitCode = 0;
    QByteArray out;
    QString err;
};

// git in one folder, as argv, hooks and fsmonitor off, untranslated, never prompting.
class Git
{
public:
    explicit Git(QString dir, QHash<QString, QString> env = {})
        : m_dir(std::move(dir))
        , m_env(std::move(env))
    {}

    // The exit code and output; a failure only when git could not run or took too long.
    Result<GitOut> call(const QStringList &args, const QStringList &config = {}) const
    {
        static const QString binary = Process::findExecutable(u"git"_s);
        if (binary.isEmpty())
            return failure(Error::unavailable(u"git is not installed"_s));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LC_ALL"_s, u"C"_s);
        env.insert(u"GIT_TERMINAL_PROMPT"_s, u"0"_s);
        env.remove(u"GIT_DIR"_s);
        env.remove(u"GIT_WORK_TREE"_s);
        env.remove(u"GIT_INDEX_FILE"_s);
        for (auto it = m_env.cbegin(); it != m_env.cend(); ++it)
            env.insert(it.key(), it.value());
        p.setProcessEnvironment(env);
        QStringList argv{u"-c"_s,
                         u"core.hooksPath=/dev/null"_s,
                         u"-c"_s,
                         u"core.fsmonitor=false"_s,
                         u"-c"_s,
                         u"core.quotePath=false"_s};
        for (const QString &c : config)
            argv << u"-c"_s << c;
        argv << u"-C"_s << m_dir;
        p.setProgram(binary);
        p.setArguments(argv + args);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start();
        if (!p.waitForStarted(5000))
            return failure(Error::unavailable(u"cannot start git: %1"_s.arg(p.errorString())));
        if (!p.waitForFinished(kGitMs)) {
            p.kill();
            p.waitForFinished(2000);
            return failure(Error::unavailable(
                u"git %1 did not finish within %2 s"_s.arg(args.value(0)).arg(kGitMs / 1000)));
        }
        if (p.exitStatus() != QProcess::NormalExit)
            return failure(Error::internal(u"git %1 crashed"_s.arg(args.value(0))));
        return GitOut{p.exitCode(),
                      p.readAllStandardOutput(),
                      QString::fromLocal8Bit(p.readAllStandardError()).trimmed()};
    }

    // The output of a git command that must succeed.
    Result<QByteArray> run(const QStringList &args, const QStringList &config = {}) const
    {
        auto r = call(args, config);
        if (!r)
            return failure(r.error());
        if (r->exitCode != 0)
            return failure(Error::internal(u"git %1 failed (exit code %2): %3"_s.arg(args.value(0))
                                               .arg(r->exitCode)
                                               .arg(r->err.right(2000))));
        return r->out;
    }

    // One line of output (a commit, a branch), empty when git says no.
    QString line(const QStringList &args) const
    {
        auto r = call(args);
        if (!r || r->exitCode != 0)
            return {};
        return QString::fromUtf8(r->out).trimmed();
    }

    int count(const QStringList &args) const { return line(args).toInt(); }

private:
    QString m_dir;
    QHash<QString, QString> m_env;
};

template<typename T>
Result<T> awaitStore(QFuture<Result<T>> f)
{
    f.waitForFinished();
    if (f.isCanceled() || f.resultCount() == 0)
        return failure(Error::unavailable(u"the engine is stopping"_s));
    return f.result();
}

Error conflict(const QString &message, const QString &code)
{
    return Error{Error::Kind::Conflict, message, code};
}

QList<QByteArray> splitZ(const QByteArray &out)
{
    QList<QByteArray> parts = out.split('\0');
    if (!parts.isEmpty() && parts.last().isEmpty())
        parts.removeLast();
    return parts;
}

// The folder as it is now, tracked and untracked files (.gitignore respected), as a tree, through
// a temporary copy of its index: the folder's own index is never written.
Result<QString> snapshot(const QString &workdir)
{
    const Git plain(workdir);
    auto indexPath
        = plain.run({u"rev-parse"_s, u"--path-format=absolute"_s, u"--git-path"_s, u"index"_s});
    if (!indexPath)
        return failure(indexPath.error());
    QTemporaryDir tmp;
    if (!tmp.isValid())
        return failure(Error::internal(u"cannot make a temporary folder"_s));
    const QString index = tmp.filePath(u"index"_s);
    const QString source = QString::fromUtf8(indexPath->trimmed());
    if (QFileInfo::exists(source) && !QFile::copy(source, index))
        return failure(Error::internal(u"cannot copy %1"_s.arg(source)));
    const Git git(workdir, {{u"GIT_INDEX_FILE"_s, index}});
    if (auto added = git.run({u"add"_s, u"--all"_s, u"--"_s, u"."_s}); !added)
        return failure(added.error());
    auto tree = git.run({u"write-tree"_s});
    if (!tree)
        return failure(tree.error());
    return QString::fromUtf8(tree->trimmed());
}

// The files changed from `from` (a commit or tree) to the tree `to`, with their line counts.
Result<QList<FileChange>> changes(const Git &git, const QString &from, const QString &to)
{
    auto names = git.run({u"diff"_s,
                          u"--no-ext-diff"_s,
                          u"--no-textconv"_s,
                          u"-M"_s,
                          u"--name-status"_s,
                          u"-z"_s,
                          from,
                          to,
                          u"--"_s});
    if (!names)
        return failure(names.error());
    auto nums = git.run({u"diff"_s,
                         u"--no-ext-diff"_s,
                         u"--no-textconv"_s,
                         u"-M"_s,
                         u"--numstat"_s,
                         u"-z"_s,
                         from,
                         to,
                         u"--"_s});
    if (!nums)
        return failure(nums.error());
    QList<FileChange> files;
    const QList<QByteArray> n = splitZ(*names);
    for (qsizetype i = 0; i < n.size();) {
        FileChange f;
        f.status = QString::fromUtf8(n[i].left(1));
        const bool twoPaths = f.status == u"R"_s || f.status == u"C"_s;
        if (twoPaths && i + 2 < n.size()) {
            f.oldPath = QString::fromUtf8(n[i + 1]);
            f.path = QString::fromUtf8(n[i + 2]);
            i += 3;
        } else if (i + 1 < n.size()) {
            f.path = QString::fromUtf8(n[i + 1]);
            i += 2;
        } else {
            break;
        }
        files.append(f);
    }
    // numstat -z: "added\tremoved\tpath\0", or for a rename "added\tremoved\t\0old\0new\0"; in the
    // same order as name-status.
    const QList<QByteArray> s = splitZ(*nums);
    qsizetype file = 0;
    for (qsizetype i = 0; i < s.size() && file < files.size(); ++file) {
        const QList<QByteArray> cols = s[i].split('\t');
        bool ok = false;
        const int added = cols.value(0).toInt(&ok);
        files[file].added = ok ? added : -1;
        files[file].removed = ok ? cols.value(1).toInt() : -1;
        i += cols.value(2).isEmpty() ? 3 : 1;
    }
    return files;
}

// Files changed, staged or untracked in the folder (ignored files do not count).
int uncommitted(const QString &workdir)
{
    auto r
        = Git(workdir).run({u"status"_s, u"--porcelain=v1"_s, u"-z"_s, u"--untracked-files=all"_s});
    if (!r)
        return 0;
    int n = 0;
    const QList<QByteArray> parts = splitZ(*r);
    for (qsizetype i = 0; i < parts.size(); ++i) {
        ++n;
        if (parts[i].size() > 0 && (parts[i][0] == 'R' || parts[i][0] == 'C'))
            ++i; // a rename's second path
    }
    return n;
}

// Commits of branch that are on no other branch, tag or remote: what deleting it would lose.
int unmerged(const Git &git, const QString &branch)
{
    if (branch.isEmpty())
        return 0;
    return git.count({u"rev-list"_s,
                      u"--count"_s,
                      u"refs/heads/"_s + branch,
                      u"--not"_s,
                      u"--exclude="_s + branch,
                      u"--branches"_s,
                      u"--tags"_s,
                      u"--remotes"_s});
}

bool hasRef(const Git &git, const QString &ref)
{
    auto r = git.call({u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, ref + u"^{commit}"_s});
    return r && r->exitCode == 0;
}

// Where the folder of agent starts: for a worktree on hive/<name>, the fork point from the branch
// checked out in its repository; for another folder in git, its HEAD now. nullopt outside git.
Result<std::optional<WorkspaceBase>> findStart(const QString &workdir)
{
    if (workdir.isEmpty() || !QFileInfo(workdir).isDir())
        return std::optional<WorkspaceBase>();
    const Git git(workdir);
    const QString top = git.line({u"rev-parse"_s, u"--show-toplevel"_s});
    const QString head = git.line({u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"HEAD"_s});
    if (top.isEmpty() || head.isEmpty())
        return std::optional<WorkspaceBase>();
    WorkspaceBase b;
    b.workdir = workdir;
    b.repository = top;
    b.baseCommit = head;
    const QString branch = git.line({u"symbolic-ref"_s, u"--quiet"_s, u"--short"_s, u"HEAD"_s});
    const QString common
        = git.line({u"rev-parse"_s, u"--path-format=absolute"_s, u"--git-common-dir"_s});
    const QString own = git.line({u"rev-parse"_s, u"--path-format=absolute"_s, u"--git-dir"_s});
    if (branch.startsWith(u"hive/"_s) && !common.isEmpty() && common != own) {
        // A linked worktree of Agent Hive: its repository is the main worktree.
        const QString repository = QFileInfo(common).dir().absolutePath();
        const QString base
            = Git(repository).line({u"symbolic-ref"_s, u"--quiet"_s, u"--short"_s, u"HEAD"_s});
        b.repository = repository;
        b.branch = branch;
        if (!base.isEmpty() && base != branch) {
            b.baseBranch = base;
            const QString fork = git.line({u"merge-base"_s, head, u"refs/heads/"_s + base});
            if (!fork.isEmpty())
                b.baseCommit = fork;
        }
    }
    return std::optional<WorkspaceBase>(b);
}

// The agent's row and where its folder started (recorded now if it was not).
struct Subject
{
    Agent agent;
    WorkspaceBase base;
};

Result<Subject> subject(Store *store, const QString &agentId)
{
    auto agent = awaitStore(store->run([agentId](Database &db) { return db.agent(agentId); }));
    if (!agent)
        return failure(agent.error());
    const QString workdir = agent->workdir;
    auto recorded
        = awaitStore(store->run([workdir](Database &db) { return db.workspace(workdir); }));
    if (!recorded)
        return failure(recorded.error());
    if (*recorded)
        return Subject{*agent, **recorded};
    if (!QFileInfo(workdir).isDir())
        return failure(conflict(u"agent %1: its folder %2 is gone"_s.arg(agent->name, workdir),
                                u"no_folder"_s));
    auto start = findStart(workdir);
    if (!start)
        return failure(start.error());
    if (!*start)
        return failure(
            conflict(u"agent %1: its folder %2 is not in a git repository (or has no commit yet): "
                     "there is nothing to compare it with"_s.arg(agent->name, workdir),
                     u"not_a_repository"_s));
    const WorkspaceBase base = **start;
    awaitStore(store->run([base](Database &db) { return db.recordWorkspace(base); }));
    return Subject{*agent, base};
}

Result<WorkspaceDiff> computeDiff(const Subject &s)
{
    const WorkspaceBase &b = s.base;
    if (!QFileInfo(b.workdir).isDir())
        return failure(conflict(u"agent %1: its folder %2 is gone"_s.arg(s.agent.name, b.workdir),
                                u"no_folder"_s));
    const Git git(b.workdir);
    WorkspaceDiff d;
    d.agentId = s.agent.id;
    d.agentName = s.agent.name;
    d.workdir = b.workdir;
    d.branch = b.branch;
    d.baseBranch = b.baseBranch;
    d.baseCommit = b.baseCommit;
    d.head = git.line({u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"HEAD"_s});
    auto tree = snapshot(b.workdir);
    if (!tree)
        return failure(tree.error());
    auto files = changes(git, b.baseCommit, *tree);
    if (!files)
        return failure(files.error());
    d.files = *files;
    auto patch = git.run({u"diff"_s,
                          u"--no-color"_s,
                          u"--no-ext-diff"_s,
                          u"--no-textconv"_s,
                          u"-M"_s,
                          b.baseCommit,
                          *tree,
                          u"--"_s});
    if (!patch)
        return failure(patch.error());
    d.patch = QString::fromUtf8(*patch);
    if (d.patch.size() > WorkspaceDiff::kMaxPatch) {
        d.patch.truncate(WorkspaceDiff::kMaxPatch);
        d.truncated = true;
    }
    if (!d.head.isEmpty()) {
        const QString against
            = !b.baseBranch.isEmpty() && hasRef(git, u"refs/heads/"_s + b.baseBranch)
                  ? u"refs/heads/"_s + b.baseBranch
                  : b.baseCommit;
        d.commitsAhead = git.count({u"rev-list"_s, u"--count"_s, d.head, u"--not"_s, against});
    }
    if (!b.branch.isEmpty() && hasRef(git, u"refs/heads/"_s + b.branch))
        d.unmergedCommits = unmerged(git, b.branch);
    d.uncommittedFiles = uncommitted(b.workdir);
    return d;
}

// The worktree that has branch checked out, or empty.
QString checkedOutAt(const Git &git, const QString &branch)
{
    auto listed = git.run({u"worktree"_s, u"list"_s, u"--porcelain"_s});
    if (!listed)
        return {};
    QString current;
    for (const QByteArray &raw : listed->split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(u"worktree "_s))
            current = line.mid(9);
        else if (line == u"branch refs/heads/"_s + branch)
            return current;
    }
    return {};
}

Result<MergeResult> doMerge(const Subject &s)
{
    const WorkspaceBase &b = s.base;
    if (b.branch.isEmpty())
        return failure(conflict(
            u"agent %1 has no branch of its own (it was not spawned with a repository): there is "
            "nothing to merge"_s.arg(s.agent.name),
            u"no_branch"_s));
    if (b.baseBranch.isEmpty())
        return failure(
            conflict(u"agent %1: its repository had no branch checked out when it was "
                     "spawned: there is no base branch to merge into"_s.arg(s.agent.name),
                     u"no_base_branch"_s));
    const Git git(b.repository);
    const QString source = git.line({u"rev-parse"_s,
                                     u"--verify"_s,
                                     u"--quiet"_s,
                                     u"refs/heads/"_s + b.branch + u"^{commit}"_s});
    const QString target = git.line({u"rev-parse"_s,
                                     u"--verify"_s,
                                     u"--quiet"_s,
                                     u"refs/heads/"_s + b.baseBranch + u"^{commit}"_s});
    if (source.isEmpty())
        return failure(conflict(u"the branch %1 is gone"_s.arg(b.branch), u"no_branch"_s));
    if (target.isEmpty())
        return failure(
            conflict(u"the base branch %1 is gone"_s.arg(b.baseBranch), u"no_base_branch"_s));
    MergeResult m;
    m.branch = b.branch;
    m.baseBranch = b.baseBranch;
    m.previous = target;
    m.uncommittedFiles = QFileInfo(b.workdir).isDir() ? uncommitted(b.workdir) : 0;
    m.commits = git.count({u"rev-list"_s, u"--count"_s, source, u"--not"_s, target});
    auto isAncestor = [&](const QString &a, const QString &d) {
        auto r = git.call({u"merge-base"_s, u"--is-ancestor"_s, a, d});
        return r && r->exitCode == 0;
    };
    if (isAncestor(source, target)) {
        m.kind = u"up-to-date"_s;
        m.commit = target;
        return m;
    }
    QString commit;
    if (isAncestor(target, source)) {
        m.kind = u"fast-forward"_s;
        commit = source;
    } else {
        // Tried in the object database only: a conflict leaves every ref, index and folder as it
        // was.
        auto tried = git.call({u"merge-tree"_s,
                               u"--write-tree"_s,
                               u"--name-only"_s,
                               u"--no-messages"_s,
                               target,
                               source});
        if (!tried)
            return failure(tried.error());
        const QStringList lines = QString::fromUtf8(tried->out).split(u'\n', Qt::SkipEmptyParts);
        if (tried->exitCode == 1) {
            const QStringList conflicted = lines.mid(1);
            return failure(conflict(
                u"merging %1 into %2 conflicts in %3 file(s): %4; nothing was changed. Merge it "
                "by hand, or let the agent rebase its branch on %2"_s.arg(b.branch, b.baseBranch)
                    .arg(conflicted.size())
                    .arg(conflicted.mid(0, 20).join(u", "_s)),
                u"merge_conflict"_s));
        }
        if (tried->exitCode != 0 || lines.isEmpty())
            return failure(
                Error::internal(u"git merge-tree failed (exit code %1): %2"_s.arg(tried->exitCode)
                                    .arg(tried->err)));
        const QString tree = lines.first();
        // Without a configured identity, the commit is Agent Hive's.
        QStringList identity;
        if (git.line({u"config"_s, u"user.name"_s}).isEmpty())
            identity << u"user.name=Agent Hive"_s;
        if (git.line({u"config"_s, u"user.email"_s}).isEmpty())
            identity << u"user.email=agent-hive@localhost"_s;
        auto made = git.run({u"commit-tree"_s,
                             tree,
                             u"-p"_s,
                             target,
                             u"-p"_s,
                             source,
                             u"-m"_s,
                             u"Merge branch '%1' into %2"_s.arg(b.branch, b.baseBranch)},
                            identity);
        if (!made)
            return failure(made.error());
        m.kind = u"merge"_s;
        commit = QString::fromUtf8(made->trimmed());
    }
    // Applied: where the base branch is checked out, by that worktree's own fast-forward (its
    // files and index follow; it refuses, changing nothing, if local changes would be lost);
    // elsewhere the ref alone, against its old value.
    const QString checkout = checkedOutAt(git, b.baseBranch);
    if (!checkout.isEmpty()) {
        auto r = Git(checkout).call({u"merge"_s, u"--ff-only"_s, u"--no-edit"_s, commit});
        if (!r)
            return failure(r.error());
        if (r->exitCode != 0)
            return failure(conflict(
                u"%1 is checked out in %2 and the merge would overwrite its local changes: %3; "
                "nothing was changed. Commit or stash them there first"_s.arg(
                    b.baseBranch, checkout, r->err.right(1000)),
                u"base_checkout_dirty"_s));
    } else {
        auto r = git.run({u"update-ref"_s,
                          u"-m"_s,
                          u"agent-hive: merge "_s + b.branch,
                          u"refs/heads/"_s + b.baseBranch,
                          commit,
                          target});
        if (!r)
            return failure(conflict(u"%1 moved meanwhile; nothing was changed: %2"_s.arg(
                                        b.baseBranch, r.error().message),
                                    u"base_moved"_s));
    }
    m.commit = commit;
    log()->info("merged {} into {} ({}): {}", b.branch, b.baseBranch, m.kind, commit);
    return m;
}

Result<> doRemove(Store *store, const Subject &s, const QString &confirm)
{
    const WorkspaceBase &b = s.base;
    if (s.agent.isAlive())
        return failure(
            conflict(u"agent %1 is alive: kill it before removing its worktree"_s.arg(s.agent.name),
                     u"agent_alive"_s));
    if (b.branch.isEmpty())
        return failure(conflict(u"agent %1 has no worktree of Agent Hive (it works in %2, which "
                                "is never removed)"_s.arg(s.agent.name, b.workdir),
                                u"no_worktree"_s));
    if (!confirm.isEmpty() && confirm != s.agent.name)
        return failure(Error::invalid(
            u"confirm: '%1' is not the agent's name (%2)"_s.arg(confirm.left(80), s.agent.name)));
    const Git git(b.repository);
    const bool folder = QFileInfo(b.workdir).isDir();
    const int commits = hasRef(git, u"refs/heads/"_s + b.branch) ? unmerged(git, b.branch) : 0;
    const int files = folder ? uncommitted(b.workdir) : 0;
    if ((commits > 0 || files > 0) && confirm != s.agent.name)
        return failure(conflict(
            u"the worktree of %1 holds work that removing it would lose: %2 commit(s) on %3 that "
            "are on no other branch, and %4 uncommitted or untracked file(s) in %5. Nothing was "
            "removed; merge it first, or confirm with the agent's name (confirm=%1)"_s
                .arg(s.agent.name)
                .arg(commits)
                .arg(b.branch)
                .arg(files)
                .arg(b.workdir),
            u"unmerged_work"_s));
    if (folder) {
        if (auto r = git.run({u"worktree"_s, u"remove"_s, u"--force"_s, u"--"_s, b.workdir}); !r)
            return failure(r.error());
    }
    git.call({u"worktree"_s, u"prune"_s});
    if (hasRef(git, u"refs/heads/"_s + b.branch)) {
        if (auto r = git.run({u"branch"_s, u"-D"_s, u"--"_s, b.branch}); !r)
            return failure(r.error());
    }
    log()->warn("removed the worktree {} and the branch {} of {} ({} commits, {} files given up)",
                b.workdir,
                b.branch,
                s.agent.name,
                commits,
                files);
    return awaitStore(store->run([w = b.workdir](Database &db) { return db.forgetWorkspace(w); }));
}

} // namespace

GitReview::GitReview(Store *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    m_pool.setMaxThreadCount(2);
    m_tasks.setMaxThreadCount(1);
}

GitReview::~GitReview()
{
    stop();
}

void GitReview::stop()
{
    m_stopped = true;
    m_tasks.waitForDone();
    m_pool.waitForDone();
}

bool GitReview::isTaskEnd(const QString &eventType)
{
    return eventType == u"task.succeeded"_s || eventType == u"task.failed"_s
           || eventType == u"task.cancelled"_s;
}

namespace {
template<typename T>
QFuture<Result<T>> stoppedFuture()
{
    return QtFuture::makeReadyValueFuture(
        Result<T>(failure(Error::unavailable(u"the engine is stopping"_s))));
}
} // namespace

QFuture<Result<>> GitReview::recordStart(const Agent &agent)
{
    if (m_stopped)
        return stoppedFuture<void>();
    return QtConcurrent::run(&m_pool, [store = m_store, workdir = agent.workdir]() -> Result<> {
        auto start = findStart(workdir);
        if (!start)
            return failure(start.error());
        if (!*start)
            return {};
        auto recorded
            = awaitStore(store->run([workdir](Database &db) { return db.workspace(workdir); }));
        if (!recorded)
            return failure(recorded.error());
        bool replace = false;
        if (*recorded) {
            // The first start is kept while the folder goes on from it. A worktree whose branch
            // has nothing of its own (made again after its worktree and branch were removed by
            // hand, or fully merged) starts where it is now.
            const WorkspaceBase &old = **recorded;
            const WorkspaceBase &now = **start;
            const Git git(workdir);
            const QString head = git.line({u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"HEAD"_s});
            auto r = git.call({u"merge-base"_s, u"--is-ancestor"_s, old.baseCommit, u"HEAD"_s});
            replace = old.branch != now.branch || !r || r->exitCode != 0
                      || (!now.branch.isEmpty() && now.baseCommit == head
                          && old.baseCommit != now.baseCommit);
            if (!replace)
                return {};
            log()->info("{}: made again, it starts at {} now", workdir, (*start)->baseCommit);
        }
        return awaitStore(store->run(
            [b = **start, replace](Database &db) { return db.recordWorkspace(b, replace); }));
    });
}

QFuture<Result<WorkspaceDiff>> GitReview::diff(const QString &agentId)
{
    if (m_stopped)
        return stoppedFuture<WorkspaceDiff>();
    return QtConcurrent::run(&m_pool, [store = m_store, agentId]() -> Result<WorkspaceDiff> {
        auto s = subject(store, agentId);
        if (!s)
            return failure(s.error());
        return computeDiff(*s);
    });
}

QFuture<Result<MergeResult>> GitReview::merge(const QString &agentId)
{
    if (m_stopped)
        return stoppedFuture<MergeResult>();
    return QtConcurrent::run(&m_pool, [store = m_store, agentId]() -> Result<MergeResult> {
        auto s = subject(store, agentId);
        if (!s)
            return failure(s.error());
        return doMerge(*s);
    });
}

QFuture<Result<>> GitReview::removeWorktree(const QString &agentId, const QString &confirm)
{
    if (m_stopped)
        return stoppedFuture<void>();
    return QtConcurrent::run(&m_pool, [store = m_store, agentId, confirm]() -> Result<> {
        auto agent = awaitStore(store->run([agentId](Database &db) { return db.agent(agentId); }));
        if (!agent)
            return failure(agent.error());
        auto recorded = awaitStore(
            store->run([w = agent->workdir](Database &db) { return db.workspace(w); }));
        if (!recorded)
            return failure(recorded.error());
        Subject s{*agent, {}};
        if (*recorded) {
            s.base = **recorded;
        } else {
            auto start = findStart(agent->workdir);
            if (!start)
                return failure(start.error());
            if (*start)
                s.base = **start;
            else
                s.base.workdir = agent->workdir;
        }
        return doRemove(store, s, confirm);
    });
}

QFuture<Result<TaskChanges>> GitReview::taskChanges(const QString &taskId)
{
    return m_store->run([taskId](Database &db) -> Result<TaskChanges> {
        auto task = db.task(taskId);
        if (!task)
            return failure(task.error());
        auto c = db.taskChanges(taskId);
        if (!c)
            return failure(c.error());
        if (!*c)
            return failure(conflict(u"task %1: no changed files recorded (it has not ended, or "
                                    "its agent's folder is not in git)"_s.arg(taskId),
                                    u"not_recorded"_s));
        return **c;
    });
}

namespace {
// Whether git would find a repository for dir: a .git (folder or file) in it or above it.
bool insideRepository(const QString &dir)
{
    QDir d(dir);
    do {
        if (QFileInfo::exists(d.filePath(u".git"_s)))
            return true;
    } while (d.cdUp());
    return false;
}
} // namespace

void GitReview::onEvent(const Event &event)
{
    if (m_stopped)
        return;
    if (event.agent && !event.agent->workdir.isEmpty())
        m_workdirs.insert(event.agent->id, event.agent->workdir);
    if (event.type == u"agent.spawned"_s && event.agent) {
        recordStart(*event.agent);
        return;
    }
    if (!isTaskEnd(event.type) || !event.task || event.task->agentId.isEmpty())
        return;
    const QString taskId = event.task->id;
    const QString agentId = event.task->agentId;
    // The engine's thread may be the GUI's: the folder is looked at in the pool's.
    m_tasks.start([this, taskId, agentId, known = m_workdirs.value(agentId)] {
        if (m_stopped)
            return;
        // Nothing to compare with: no round trip to the store, no git.
        if (!known.isEmpty() && !insideRepository(known))
            return;
        auto s = subject(m_store, agentId);
        if (!s) {
            log()->debug("task {}: no changed files recorded: {}", taskId, s.error().message);
            return;
        }
        const QString workdir = s->base.workdir;
        auto tree = snapshot(workdir);
        if (!tree) {
            log()->warn("task {}: cannot snapshot {}: {}", taskId, workdir, tree.error().message);
            return;
        }
        auto last = awaitStore(
            m_store->run([workdir](Database &db) { return db.lastTaskTree(workdir); }));
        const QString from = last && !last->isEmpty() ? *last : s->base.baseCommit;
        auto files = changes(Git(workdir), from, *tree);
        if (!files) {
            log()->warn("task {}: {}", taskId, files.error().message);
            return;
        }
        TaskChanges c;
        c.taskId = taskId;
        c.agentId = agentId;
        c.workdir = workdir;
        c.tree = *tree;
        c.files = *files;
        auto stored
            = awaitStore(m_store->run([c](Database &db) { return db.recordTaskChanges(c); }));
        if (!stored) {
            log()->warn("task {}: {}", taskId, stored.error().message);
            return;
        }
        QMetaObject::invokeMethod(
            this,
            [this, taskId, agentId] { Q_EMIT taskRecorded(taskId, agentId); },
            Qt::QueuedConnection);
    });
}

} // namespace Hive
