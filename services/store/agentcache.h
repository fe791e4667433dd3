// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/event.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <optional>

namespace Hive {

// The agents table as the engine last saw it, with each agent's JSON (Agent::toJson, so that new
// fields flow through) serialized once per change: GET /api/v1/agents and /agents/{id} answer from
// it without a round trip to PostgreSQL and without building a QJsonDocument per request.
//
// Kept current by (1) the store thread, at each COMMIT of the app's own connection, with the agent
// events the transaction recorded, before the change's future is fulfilled (so a write answered
// before a read is in it); (2) the events published on Redis by other processes (the runners), as
// they arrive, before they are handed on to the WebSocket clients; (3) a full read of the table
// now and then (load()), for what changes without an event (a runner's heartbeat) or an event
// lost while Redis was away. Every entry remembers the seq of the event that wrote it: an older
// event or an older snapshot never replaces a newer state. Thread-safe.
class AgentCache
{
public:
    // An agent as an event (seq > 0) left it; ignored when the entry is already as new.
    void apply(const Event &event);
    void apply(const QList<Event> &events);
    // The whole table as of event seq upTo (read in one statement with the table): entries no
    // newer than upTo take the row (or go, when the row is not there any more); newer ones stay,
    // but take a later heartbeat.
    void load(const QList<Agent> &agents, qint64 upTo);
    // Changes that record no event (the app's own store thread, after its statement).
    void setSessionId(const QString &agentId, const QString &sessionId);
    void setHeartbeat(const QString &agentId, const QDateTime &at);
    // The last sample of what each tmux session's process tree takes (ResourceSampler): live
    // agents get cpu_percent and rss_bytes from it, and keep them across the changes that follow.
    struct Usage
    {
        double cpuPercent = 0;
        qint64 rssBytes = 0;
    };
    void setUsage(const QHash<QString, Usage> &bySession);

    bool isReady() const; // loaded once: until then, readers go to PostgreSQL
    void reset();         // not ready any more (the engine stopped)

    // The JSON array of the agents (with that status), oldest first, as GET /api/v1/agents
    // answers it; nullopt while not ready.
    std::optional<QByteArray> listJson(std::optional<Agent::Status> status = std::nullopt) const;
    // One agent's JSON object; nullopt while not ready or when the agent is not known.
    std::optional<QByteArray> agentJson(const QString &id) const;
    std::optional<QList<Agent>> agents(std::optional<Agent::Status> status = std::nullopt) const;
    std::optional<Agent> agent(const QString &id) const;

private:
    struct Entry
    {
        Agent agent;
        qint64 seq = 0;
        QByteArray json;
    };
    void put(const Agent &agent, qint64 seq); // locked
    void changed();                           // locked: the lists are built again when asked
    QList<const Entry *> ordered(std::optional<Agent::Status> status) const; // locked

    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
    mutable QHash<int, QByteArray> m_lists; // status (-1: all) → JSON array
    QHash<QString, Usage> m_usage;          // by tmux session
    bool m_ready = false;
};

} // namespace Hive
