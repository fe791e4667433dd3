// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/agents/spawnrequest.h"
#include "services/core/result.h"

#include <QString>

namespace Hive {

// The folder an agent works in: a git worktree on branch hive/<name> of the repository it was
// given, the existing folder it was given, or its own folder under <data-dir>/workspace/.
class Workspaces
{
public:
    explicit Workspaces(const QString &dataDir);

    // The agent's folder, made if needed; an error names the field (repository, workdir).
    Result<QString> prepare(const SpawnRequest &request, const QString &name) const;

private:
    QString m_dataDir;
};

} // namespace Hive
