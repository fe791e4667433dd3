// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Hive::Process {

// Runs program with args (argv, never a shell) and waits for it; blocking, so only from a worker
// thread or at start-up. Fails with a message carrying the program's own error output.
Result<QByteArray> run(const QString &program,
                       const QStringList &args,
                       int timeoutMs = 30000,
                       const QString &workdir = {});

// The full path of an executable: PATH first, then the given extra directories (glob patterns
// allowed, highest version first). Empty when not found.
QString findExecutable(const QString &name, const QStringList &extraDirs = {});

bool isPidAlive(qint64 pid);

} // namespace Hive::Process
