// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QString>

namespace Hive {

// A PostgreSQL cluster of our own under <dir> (the embedded default): initdb on first use, started
// with pg_ctl, listening only on a Unix socket in <dir>/run. One that is already running there (the
// app was killed) is adopted. Blocking: call from a worker thread or before the GUI is up.
class ManagedPostgres
{
public:
    explicit ManagedPostgres(const QString &dir);

    Result<> start();
    Result<> stop();
    bool isRunning() const;

    QString url() const; // postgresql://hive@/hive?host=<dir>/run&port=5432
    QString logFile() const;
    static QString findBinary(const QString &name);
    static constexpr int kPort = 5432;

private:
    Result<> runAsOwner(const QString &binary, const QStringList &args, int timeoutMs);
    Result<> prepareOwnership();
    qint64 postmasterPid() const;

    QString m_dir;
    QString m_dataDir;
    QString m_socketDir;
    QString m_owner; // system user that runs postgres when we are root; empty otherwise
};

} // namespace Hive
