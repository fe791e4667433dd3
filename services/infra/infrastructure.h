// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/config.h"
#include "services/core/result.h"
#include "services/infra/managedpostgres.h"
#include "services/infra/managedredis.h"

#include <memory>

namespace Hive {

// PostgreSQL and Redis as the app uses them: the URLs given in the configuration, or instances of
// our own under the data directory (the embedded default), started, supervised (restarted when
// they died) and stopped here. Blocking calls: run them off the GUI thread (QtConcurrent).
class Infrastructure
{
public:
    explicit Infrastructure(const Config &config);
    ~Infrastructure();

    Result<> start();
    // Restarts a managed instance that died; returns what it did, for the log.
    Result<> supervise();
    void stop();

    QString databaseUrl() const;
    QString redisUrl() const;
    bool managesPostgres() const { return m_postgres != nullptr; }
    bool managesRedis() const { return m_redis != nullptr; }

private:
    Config m_config;
    std::unique_ptr<ManagedPostgres> m_postgres;
    std::unique_ptr<ManagedRedis> m_redis;
};

} // namespace Hive
