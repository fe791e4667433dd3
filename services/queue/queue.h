// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/queue/redisclient.h"
#include "services/store/change.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Hive {

struct QueueEntry
{
    QByteArray stream;
    QByteArray id;
    QString taskId;
};

// What moves through Redis: the task queue (a stream per agent type and priority, one consumer
// group "workers"; the consumer is the agent id), heartbeats (keys with a TTL), live events
// (pub/sub "hive:events") and stop requests to runners ("hive:control:<agent>"). PostgreSQL stays
// the source of truth: a stream entry only says "look at task X"; the claim itself is fenced in
// PostgreSQL, so a duplicate or stale entry is harmless, and rebuild() restores what Redis lost.
// Lives in one thread (its clients' event loop): the queue thread in the app, the main thread in
// hive-runner.
class Queue : public QObject
{
    Q_OBJECT

public:
    enum Option { Events = 1, Blocking = 2 };
    explicit Queue(const QString &redisUrl, QObject *parent = nullptr);
    ~Queue() override;

    // Events: subscribe to hive:events (eventReceived). Blocking: a connection for fetchNext().
    void open(int options);
    void close();
    bool isConnected() const;
    void subscribeControl(const QString &agentId);

    static QByteArray streamKey(const QString &agentType, int priority);
    static QList<QByteArray> streamKeys(const QString &agentType); // priority 9 first
    static QByteArray heartbeatKey(const QString &agentId);
    static QByteArray controlChannel(const QString &agentId);
    static constexpr const char *kEventsChannel = "hive:events";
    static constexpr const char *kGroup = "workers";

    // Publishes the change's events, enqueues its queued tasks, asks a runner to stop a task.
    void apply(const Change &change);
    void publish(const QList<Event> &events);
    void enqueue(const Task &task);
    void requestStop(const QString &agentId, const QString &taskId);
    void heartbeat(const QString &agentId, int ttlMs);
    // The agents among ids whose heartbeat key is alive; nullopt when Redis could not be asked.
    void liveHeartbeats(const QStringList &agentIds,
                        std::function<void(std::optional<QSet<QString>>)> done);

    // Runner side: the next entry for this agent type, highest priority first; waits up to
    // blockMs for one. nullopt after a timeout or an error (the caller asks again).
    void fetchNext(const QString &agentType,
                   const QString &consumer,
                   int blockMs,
                   std::function<void(std::optional<QueueEntry>)> done);
    void ack(const QueueEntry &entry);
    // Gives an entry back to its stream (added again at its end, ours acknowledged) at once: for
    // an entry this consumer read but could not claim.
    void handBack(const QueueEntry &entry);

    // App side: make the streams match PostgreSQL (queued tasks missing from their stream are
    // added; consumers that are not live agents are released as releaseConsumer() does). Run when
    // Redis (re)connects and periodically (the engine's sweep); done gets how many were added, -1
    // when Redis could not be asked.
    void rebuild(const QList<Task> &queued,
                 const QSet<QString> &liveConsumers,
                 std::function<void(int added)> done = {});
    // Releases a gone agent's consumer: each entry it held is added again (it may have read an
    // entry and never claimed it: the task is still queued and must keep an entry), except those
    // of queuedAgain (tasks its end queued again with a new entry), and the consumer is removed.
    void releaseConsumer(const QString &agentType,
                         const QString &consumer,
                         const QStringList &queuedAgain = {});

Q_SIGNALS:
    void connected();
    void disconnected(const QString &reason);
    void eventReceived(const Hive::Event &event);
    // The subscription to hive:events is up (again): what was published while it was down is
    // only in PostgreSQL.
    void eventsConnected();
    void controlReceived(const QByteArray &payload);

private:
    void releaseConsumerOn(const QByteArray &stream,
                           const QString &consumer,
                           const QStringList &queuedAgain);
    void ensureGroups(const QString &agentType, std::function<void()> then);
    void readBlocking(const QString &agentType,
                      const QString &consumer,
                      int blockMs,
                      std::function<void(std::optional<QueueEntry>)> done);
    static std::optional<QueueEntry> entryFromReadReply(const RedisReply &reply);

    QString m_url;
    RedisClient *m_cmd = nullptr;
    RedisClient *m_sub = nullptr;
    RedisClient *m_blocking = nullptr;
    QSet<QString> m_groupsMade;
};

} // namespace Hive
