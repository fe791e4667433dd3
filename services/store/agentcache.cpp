// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/agentcache.h"

#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace Hive {

namespace {
QByteArray serialize(const Agent &a)
{
    return QJsonDocument(a.toJson()).toJson(QJsonDocument::Compact);
}
} // namespace

void AgentCache::put(const Agent &agent, qint64 seq)
{
    Entry &e = m_entries[agent.id];
    e.agent = agent;
    e.agent.cpuPercent.reset();
    e.agent.rssBytes.reset();
    if (const auto u = m_usage.constFind(agent.tmuxSession);
        u != m_usage.cend() && agent.isAlive()) {
        e.agent.cpuPercent = u->cpuPercent;
        e.agent.rssBytes = u->rssBytes;
    }
    e.seq = seq;
    e.json = serialize(agent);
    changed();
}

void AgentCache::changed()
{
    m_lists.clear();
}

void AgentCache::apply(const Event &event)
{
    if (!event.agent || event.agent->id.isEmpty() || event.seq <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(event.agent->id);
    if (it != m_entries.cend() && it->seq >= event.seq)
        return;
    Agent a = *event.agent;
    // Events carry no heartbeat newer than the row's; keep the later one.
    if (it != m_entries.cend() && it->agent.lastHeartbeat > a.lastHeartbeat)
        a.lastHeartbeat = it->agent.lastHeartbeat;
    put(a, event.seq);
}

void AgentCache::apply(const QList<Event> &events)
{
    for (const Event &e : events)
        apply(e);
}

void AgentCache::load(const QList<Agent> &agents, qint64 upTo)
{
    QMutexLocker lock(&m_mutex);
    QSet<QString> seen;
    for (const Agent &a : agents) {
        seen.insert(a.id);
        auto it = m_entries.find(a.id);
        if (it == m_entries.end()) {
            put(a, upTo);
            continue;
        }
        if (it->seq <= upTo) {
            if (!(it->agent.toJson() == a.toJson()))
                put(a, upTo);
            else
                it->seq = upTo;
            continue;
        }
        if (a.lastHeartbeat > it->agent.lastHeartbeat) {
            it->agent.lastHeartbeat = a.lastHeartbeat;
            it->json = serialize(it->agent);
            changed();
        }
    }
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (!seen.contains(it.key()) && it->seq <= upTo) {
            it = m_entries.erase(it);
            changed();
        } else {
            ++it;
        }
    }
    m_ready = true;
}

void AgentCache::setSessionId(const QString &agentId, const QString &sessionId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_entries.find(agentId);
    if (it == m_entries.end() || it->agent.sessionId == sessionId)
        return;
    it->agent.sessionId = sessionId;
    it->json = serialize(it->agent);
    changed();
}

void AgentCache::setHeartbeat(const QString &agentId, const QDateTime &at)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_entries.find(agentId);
    if (it == m_entries.end() || !at.isValid() || it->agent.lastHeartbeat >= at)
        return;
    it->agent.lastHeartbeat = at;
    it->json = serialize(it->agent);
    changed();
}

void AgentCache::setUsage(const QHash<QString, Usage> &bySession)
{
    QMutexLocker lock(&m_mutex);
    m_usage = bySession;
    bool any = false;
    for (Entry &e : m_entries) {
        std::optional<double> cpu;
        std::optional<qint64> rss;
        if (const auto u = m_usage.constFind(e.agent.tmuxSession);
            u != m_usage.cend() && e.agent.isAlive()) {
            cpu = u->cpuPercent;
            rss = u->rssBytes;
        }
        if (cpu == e.agent.cpuPercent && rss == e.agent.rssBytes)
            continue;
        e.agent.cpuPercent = cpu;
        e.agent.rssBytes = rss;
        e.json = serialize(e.agent);
        any = true;
    }
    if (any)
        changed();
}

bool AgentCache::isReady() const
{
    QMutexLocker lock(&m_mutex);
    return m_ready;
}

void AgentCache::reset()
{
    QMutexLocker lock(&m_mutex);
    m_ready = false;
    m_entries.clear();
    m_lists.clear();
}

QList<const AgentCache::Entry *> AgentCache::ordered(std::optional<Agent::Status> status) const
{
    QList<const Entry *> out;
    out.reserve(m_entries.size());
    for (const Entry &e : m_entries)
        if (!status || e.agent.status == *status)
            out << &e;
    // As PostgreSQL lists them (ORDER BY created_at); the id breaks ties.
    std::sort(out.begin(), out.end(), [](const Entry *a, const Entry *b) {
        if (a->agent.createdAt != b->agent.createdAt)
            return a->agent.createdAt < b->agent.createdAt;
        return a->agent.id < b->agent.id;
    });
    return out;
}

std::optional<QByteArray> AgentCache::listJson(std::optional<Agent::Status> status) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return std::nullopt;
    const int key = status ? int(*status) : -1;
    if (const auto it = m_lists.constFind(key); it != m_lists.cend())
        return *it;
    const QList<const Entry *> entries = ordered(status);
    qsizetype size = 2;
    for (const Entry *e : entries)
        size += e->json.size() + 1;
    QByteArray out;
    out.reserve(size);
    out += '[';
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (i)
            out += ',';
        out += entries[i]->json;
    }
    out += ']';
    m_lists.insert(key, out);
    return out;
}

std::optional<QByteArray> AgentCache::agentJson(const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return std::nullopt;
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend())
        return std::nullopt;
    return it->json;
}

std::optional<QList<Agent>> AgentCache::agents(std::optional<Agent::Status> status) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return std::nullopt;
    QList<Agent> out;
    for (const Entry *e : ordered(status))
        out << e->agent;
    return out;
}

std::optional<Agent> AgentCache::agent(const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return std::nullopt;
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend())
        return std::nullopt;
    return it->agent;
}

} // namespace Hive
