// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/workspaces.h"

#include "services/core/logging.h"
#include "services/core/process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QThreadPool>
#include <QtConcurrent>

#include <optional>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("orch");
}

constexpr int kQuickGitMs = 10000;
constexpr int kWorktreeAddMs = 60000;

// git's work, away from the orchestrator's thread and from the global pool the API answers in.
Q_GLOBAL_STATIC(QThreadPool, gitPool)

QThreadPool *pool()
{
    QThreadPool *p = gitPool();
    if (p->maxThreadCount() != 4)
        p->setMaxThreadCount(4);
    return p;
}

// git in one repository, as argv, with its hooks and fsmonitor off (a repository's post-checkout
// hook ran for 12 s inside a spawn), untranslated (the porcelain's lock reason is read), never
// asking for a password on the terminal.
class Git
{
public:
    Git(QString binary, QString repository)
        : m_binary(std::move(binary))
        , m_repository(std::move(repository))
    {}

    Result<QByteArray> run(const QStringList &args, int timeoutMs) const
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LC_ALL"_s, u"C"_s);
        env.insert(u"GIT_TERMINAL_PROMPT"_s, u"0"_s);
        p.setProcessEnvironment(env);
        p.setProgram(m_binary);
        p.setArguments(QStringList{u"-c"_s,
                                   u"core.hooksPath=/dev/null"_s,
                                   u"-c"_s,
                                   u"core.fsmonitor=false"_s,
                                   u"-C"_s,
                                   m_repository}
                       + args);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start();
        if (!p.waitForStarted(5000))
            return failure(u"cannot start git: %1"_s.arg(p.errorString()));
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(2000);
            return failure(
                u"git %1 did not finish within %2 s"_s.arg(args.value(0)).arg(timeoutMs / 1000));
        }
        const QByteArray out = p.readAllStandardOutput();
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            QString err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
            if (err.isEmpty())
                err = QString::fromLocal8Bit(out).trimmed();
            return failure(u"git %1 failed (exit code %2): %3"_s.arg(args.value(0))
                               .arg(p.exitCode())
                               .arg(err.right(2000)));
        }
        return out;
    }

private:
    QString m_binary;
    QString m_repository;
};

struct WorktreeEntry
{
    QString path;
    bool locked = false;
    QString lockReason;
};

QList<WorktreeEntry> parseWorktrees(const QByteArray &porcelain)
{
    QList<WorktreeEntry> entries;
    for (const QByteArray &raw : porcelain.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(u"worktree "_s)) {
            entries.append({line.mid(9), false, {}});
        } else if (!entries.isEmpty() && (line == u"locked"_s || line.startsWith(u"locked "_s))) {
            entries.last().locked = true;
            entries.last().lockReason = line.mid(7);
        }
    }
    return entries;
}

Error invalid(const QString &message)
{
    return Error::invalid(message);
}

} // namespace

Workspaces::Workspaces(const QString &dataDir)
    : m_dataDir(dataDir)
{}

QFuture<Result<QString>> Workspaces::prepare(const SpawnRequest &request, const QString &name) const
{
    return QtConcurrent::run(
        pool(), [self = *this, request, name] { return self.prepareNow(request, name); });
}

Result<QString> Workspaces::prepareNow(const SpawnRequest &request, const QString &name) const
{
    if (!request.repository.isEmpty())
        return worktree(request.repository, name);
    if (!request.workdir.isEmpty()) {
        const QFileInfo dir(request.workdir);
        if (!dir.isAbsolute() || !dir.isDir())
            return failure(invalid(
                u"workdir: '%1' is not an existing absolute folder"_s.arg(request.workdir)));
        return dir.absoluteFilePath();
    }
    const QString path = QDir(m_dataDir).filePath(u"workspace/"_s + name);
    if (!QDir().mkpath(path))
        return failure(invalid(u"workdir: cannot create %1"_s.arg(path)));
    return path;
}

Result<QString> Workspaces::worktree(const QString &repository, const QString &name) const
{
    if (QDir::isRelativePath(repository))
        return failure(invalid(
            u"repository: '%1' is a relative path; give the repository's absolute path"_s.arg(
                repository)));
    const QFileInfo repo(repository);
    if (!repo.isDir())
        return failure(invalid(u"repository: '%1' is not a folder"_s.arg(repository)));
    const QString binary = Process::findExecutable(u"git"_s);
    if (binary.isEmpty())
        return failure(invalid(u"repository: git is not installed"_s));
    const auto top = Git(binary, QDir::cleanPath(repository))
                         .run({u"rev-parse"_s, u"--show-toplevel"_s}, kQuickGitMs);
    if (!top)
        return failure(invalid(u"repository: '%1' is not a git repository (%2)"_s.arg(
            repository, top.error().message)));
    const Git git(binary, QString::fromLocal8Bit(top->trimmed()));
    const QString path = QDir(m_dataDir).filePath(u"workspace/"_s + name);
    QDir().mkpath(QFileInfo(path).absolutePath());

    const QFileInfo existing(path);
    if (existing.exists() || existing.isSymLink()) {
        auto listed = git.run({u"worktree"_s, u"list"_s, u"--porcelain"_s}, kQuickGitMs);
        if (!listed)
            return failure(invalid(u"repository: %1"_s.arg(listed.error().message)));
        // A symbolic link is never taken for a worktree: it could lead anywhere.
        const QString canonical = existing.isSymLink() ? QString() : existing.canonicalFilePath();
        std::optional<WorktreeEntry> mine;
        for (const WorktreeEntry &e : parseWorktrees(*listed)) {
            if (!canonical.isEmpty() && QFileInfo(e.path).canonicalFilePath() == canonical)
                mine = e;
        }
        if (mine && !(mine->locked && mine->lockReason == u"initializing"_s))
            return path; // the worktree of an earlier agent of that name: carry on there
        if (mine) {
            // A `worktree add` that never finished (the app was killed during the checkout).
            log()->warn("{}: an unfinished worktree of {} is removed", path, repository);
            git.run({u"worktree"_s, u"unlock"_s, path}, kQuickGitMs); // else prune keeps it
            git.run({u"worktree"_s, u"remove"_s, u"--force"_s, u"--force"_s, path}, kQuickGitMs);
            if (QFileInfo::exists(path))
                QDir(path).removeRecursively();
            git.run({u"worktree"_s, u"prune"_s}, kQuickGitMs);
        } else if (existing.isDir() && !existing.isSymLink()
                   && QDir(path).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden
                                         | QDir::System)) {
            QDir().rmdir(path); // an empty folder holds nothing of anyone's
        } else {
            return failure(invalid(
                u"repository: %1 already exists and is not a worktree of %2; remove it or give "
                "the agent another name"_s.arg(path, repository)));
        }
    }

    // From here on the folder is ours: what a failed checkout leaves is removed below, and only
    // because nothing was there before it.
    if (QFileInfo::exists(path) || QFileInfo(path).isSymLink())
        return failure(
            invalid(u"repository: %1 already exists and is not a worktree of %2; remove it or give "
                    "the agent another name"_s.arg(path, repository)));
    const QString branch = u"hive/"_s + name;
    const bool hasBranch
        = git.run({u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"refs/heads/"_s + branch},
                  kQuickGitMs)
              .has_value();
    QStringList args{u"worktree"_s, u"add"_s};
    if (hasBranch)
        args << u"--"_s << path << branch;
    else
        args << u"-b"_s << branch << u"--"_s << path;
    auto added = git.run(args, kWorktreeAddMs);
    if (!added) {
        // Nothing was there before: whatever the failed or timed-out checkout left goes, so that
        // a later spawn of that name does not take it for a worktree.
        if (QFileInfo(path).isSymLink()) {
            QFile::remove(path);
        } else if (QFileInfo::exists(path)) {
            // A killed `worktree add` leaves it locked "initializing", which prune would keep.
            git.run({u"worktree"_s, u"unlock"_s, path}, kQuickGitMs);
            git.run({u"worktree"_s, u"remove"_s, u"--force"_s, u"--force"_s, path}, kQuickGitMs);
            if (QFileInfo::exists(path))
                QDir(path).removeRecursively();
        }
        git.run({u"worktree"_s, u"prune"_s}, kQuickGitMs);
        return failure(
            invalid(u"repository: could not make a worktree: %1"_s.arg(added.error().message)));
    }
    return path;
}

} // namespace Hive
