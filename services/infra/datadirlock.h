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
    Result<> acquire();
    void release();

private:
    QString m_dataDir;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace Hive
