// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/infra/infrastructure.h"

#include "services/core/logging.h"

using namespace Qt::StringLiterals;

namespace Hive {

Infrastructure::Infrastructure(const Config &config)
    : m_config(config)
{
    if (config.managedPostgres())
        m_postgres = std::make_unique<ManagedPostgres>(config.path(u"postgres"_s));
    if (config.managedRedis())
        m_redis = std::make_unique<ManagedRedis>(config.path(u"redis"_s));
}

Infrastructure::~Infrastructure() = default;

Result<> Infrastructure::start()
{
    if (m_postgres) {
        if (auto r = m_postgres->start(); !r)
            return failure(u"PostgreSQL: "_s + r.error().message);
    }
    if (m_redis) {
        if (auto r = m_redis->start(); !r)
            return failure(u"Redis: "_s + r.error().message);
    }
    return {};
}

Result<> Infrastructure::supervise()
{
    if (m_postgres && !m_postgres->isRunning()) {
        Logging::get("postgres")->warn("the managed PostgreSQL is not running; starting it again");
        if (auto r = m_postgres->start(); !r)
            return failure(u"PostgreSQL: "_s + r.error().message);
    }
    if (m_redis && !m_redis->isRunning()) {
        Logging::get("redis")->warn("the managed Redis is not running; starting it again");
        if (auto r = m_redis->start(); !r)
            return failure(u"Redis: "_s + r.error().message);
    }
    return {};
}

void Infrastructure::stop()
{
    if (m_redis) {
        if (auto r = m_redis->stop(); !r)
            Logging::get("redis")->error("{}", r.error());
    }
    if (m_postgres) {
        if (auto r = m_postgres->stop(); !r)
            Logging::get("postgres")->error("{}", r.error());
    }
}

QString Infrastructure::databaseUrl() const
{
    return m_postgres ? m_postgres->url() : m_config.databaseUrl;
}

QString Infrastructure::redisUrl() const
{
    return m_redis ? m_redis->url() : m_config.redisUrl;
}

} // namespace Hive
