// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/agents/spawnrequest.h"
#include "services/core/result.h"

#include <QFuture>
#include <QString>

namespace Hive {

// The folder an agent works in: a git worktree on branch hive/<name> of the repository it was
// given, the existing folder it was given, or its own folder under <data-dir>/workspace/.
//
// Paths must be absolute: a relative one would be taken from the app's own working folder. git
// runs in a thread pool of its own, never in the caller's thread (a slow checkout must not stall
// the orchestrator), with the repository's hooks off (core.hooksPath=/dev/null) and no fsmonitor.
// <data-dir>/workspace/<name> is reused only when it is a worktree of that repository (git
// worktree list --porcelain); a folder left by an interrupted `worktree add` is removed, and one
// that is something else is refused. A `worktree add` that fails or times out leaves nothing.
class Workspaces
{
public:
    explicit Workspaces(const QString &dataDir);

    // The agent's folder, made if needed, from a thread of the workspaces' pool; an error (Invalid)
    // names the field (repository, workdir).
    QFuture<Result<QString>> prepare(const SpawnRequest &request, const QString &name) const;
    // The same, blocking, in the calling thread.
    Result<QString> prepareNow(const SpawnRequest &request, const QString &name) const;

private:
    Result<QString> worktree(const QString &repository, const QString &name) const;

    QString m_dataDir;
};

} // namespace Hive
