// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The engine's money and resources: costs, the daily budget, profile limits (coststore.cpp in the
// store's thread) and the resource sampler's thread.
#include "services/agents/resources.h"
#include "services/engine.h"
#include "services/queue/queue.h"
#include "services/store/agentcache.h"
#include "services/store/store.h"

using namespace Qt::StringLiterals;

namespace Hive {

void Engine::startMoney()
{
    if (m_options.setDailyBudget) {
        m_store
            ->run([q = m_queue, usd = m_options.dailyBudgetUsd](Database &db) {
                auto c = db.setDailyBudget(usd);
                if (c)
                    QMetaObject::invokeMethod(
                        q, [q, c = *c] { q->apply(c); }, Qt::QueuedConnection);
                return c.has_value();
            })
            .then([](bool) {});
    }
    if (m_options.resourcesMs <= 0 || m_sampler)
        return;
    m_resourcesThread.setObjectName(u"resources"_s);
    m_sampler = new ResourceSampler(m_options.tmuxSocket, m_options.resourcesMs, m_usage);
    m_sampler->moveToThread(&m_resourcesThread);
    connect(&m_resourcesThread, &QThread::finished, m_sampler, &QObject::deleteLater);
    // The agents the engine keeps (GET /api/v1/agents answers from them) take each sample.
    connect(m_sampler,
            &ResourceSampler::sampled,
            this,
            [cache = m_agentCache.get()](const QList<AgentUsage> &usage) {
                QHash<QString, AgentCache::Usage> bySession;
                for (const AgentUsage &u : usage)
                    bySession.insert(u.session, {u.cpuPercent, u.rssBytes});
                cache->setUsage(bySession);
            });
    connect(m_sampler, &ResourceSampler::sampled, this, &Engine::resourcesSampled);
    m_resourcesThread.start();
    QMetaObject::invokeMethod(m_sampler, &ResourceSampler::start, Qt::QueuedConnection);
}

void Engine::stopResources()
{
    if (!m_resourcesThread.isRunning())
        return;
    QMetaObject::invokeMethod(m_sampler, &ResourceSampler::stop, Qt::BlockingQueuedConnection);
    m_resourcesThread.quit();
    m_resourcesThread.wait();
    m_sampler = nullptr;
}

QHash<QString, AgentUsage> Engine::usage() const
{
    return m_usage->get();
}

QFuture<Result<CostReport>> Engine::costs(int days)
{
    return m_store->run([days](Database &db) { return db.costs(days); });
}

QFuture<Result<CostReport>> Engine::setDailyBudget(std::optional<double> usd)
{
    return m_store->run([q = m_queue, usd](Database &db) -> Result<CostReport> {
        auto c = db.setDailyBudget(usd);
        if (!c)
            return failure(c.error());
        QMetaObject::invokeMethod(q, [q, c = *c] { q->apply(c); }, Qt::QueuedConnection);
        return db.costs(7);
    });
}

QFuture<Result<QList<ProfileLimit>>> Engine::profileLimits()
{
    return m_store->run([](Database &db) { return db.profileLimits(); });
}

QFuture<Result<>> Engine::clearProfileLimit(const QString &profile)
{
    return m_store->run([q = m_queue, profile](Database &db) -> Result<> {
        auto c = db.clearProfileLimit(profile);
        if (!c)
            return failure(c.error());
        QMetaObject::invokeMethod(q, [q, c = *c] { q->apply(c); }, Qt::QueuedConnection);
        return {};
    });
}

} // namespace Hive
