// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QString>

namespace Hive {

// A Redis server of our own under <dir> (the embedded default), on a Unix socket only, with an
// append-only file so that a restart keeps the queue. One already running there is adopted.
// Blocking: call from a worker thread or before the GUI is up.
class ManagedRedis
{
public:
    explicit ManagedRedis(const QString &dir);

    Result<> start();
    Result<> stop();
    bool isRunning() const; // the process is alive and answers PING
    qint64 pid() const;

    QString url() const; // unix://<dir>/redis.sock
    QString socketPath() const;
    static QString findBinary();

private:
    QString m_dir;
};

// PING over a Unix socket or TCP with a short timeout; used to wait for a server to come up.
bool redisPing(const QString &url, int timeoutMs = 500);

} // namespace Hive
