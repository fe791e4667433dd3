// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/workspaces.h"

#include "services/core/process.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Hive {

Workspaces::Workspaces(const QString &dataDir)
    : m_dataDir(dataDir)
{}

Result<QString> Workspaces::prepare(const SpawnRequest &request, const QString &name) const
{
    if (!request.repository.isEmpty()) {
        const QFileInfo repo(request.repository);
        if (!repo.isDir())
            return failure(u"repository: '%1' is not a folder"_s.arg(request.repository));
        const QString git = Process::findExecutable(u"git"_s);
        if (git.isEmpty())
            return failure(u"repository: git is not installed"_s);
        const QString top = repo.absoluteFilePath();
        if (auto r = Process::run(git, {u"-C"_s, top, u"rev-parse"_s, u"--show-toplevel"_s}, 10000);
            !r)
            return failure(u"repository: '%1' is not a git repository"_s.arg(request.repository));
        const QString path = QDir(m_dataDir).filePath(u"workspace/"_s + name);
        if (QFileInfo::exists(path))
            return path; // the worktree of an earlier agent of that name: carry on there
        const QString branch = u"hive/"_s + name;
        auto hasBranch = Process::run(
            git,
            {u"-C"_s, top, u"rev-parse"_s, u"--verify"_s, u"--quiet"_s, u"refs/heads/"_s + branch},
            10000);
        QStringList args{u"-C"_s, top, u"worktree"_s, u"add"_s};
        if (hasBranch)
            args << u"--"_s << path << branch;
        else
            args << u"-b"_s << branch << u"--"_s << path;
        if (auto r = Process::run(git, args, 60000); !r)
            return failure(u"repository: could not make a worktree: %1"_s.arg(r.error().message));
        return path;
    }
    if (!request.workdir.isEmpty()) {
        const QFileInfo dir(request.workdir);
        if (!dir.isAbsolute() || !dir.isDir())
            return failure(
                u"workdir: '%1' is not an existing absolute folder"_s.arg(request.workdir));
        return dir.absoluteFilePath();
    }
    const QString path = QDir(m_dataDir).filePath(u"workspace/"_s + name);
    if (!QDir().mkpath(path))
        return failure(u"workdir: cannot create %1"_s.arg(path));
    return path;
}

} // namespace Hive
