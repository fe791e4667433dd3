// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QLockFile>
#include <QString>

#include <memory>

namespace Hive {

// Makes sure one app at a time uses a data directory (<data-dir>/agenthive.lock). A lock left by
// an app that was killed is taken over (QLockFile checks whether its process still lives).
class DataDirLock
{
public:
    explicit DataDirLock(const QString &dataDir);
    Result<> acquire(); // makes the directory, private (makePrivate()), then locks it
    void release();

    // The data directory holds whole terminal transcripts (typed text included), prompts, the API
    // token and the agents' workspaces: it is made mode 0700 at every start, and its logs/,
    // workspace/ and agents/ too; a mode found wider is narrowed and logged. As root the
    // directory keeps others' search bit (0701), which the managed PostgreSQL, running as its own
    // user, needs to reach its cluster; nothing in it can be listed or read.
    static Result<> makePrivate(const QString &dataDir);

private:
    QString m_dataDir;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace Hive
