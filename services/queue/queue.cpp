// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/queue/queue.h"

#include "services/core/logging.h"

#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("queue");
}

// Takes one entry in one round trip (XREADGROUP without BLOCK in a script never blocks): first one
// this consumer holds already (a claim that failed or whose answer was lost left it pending: it
// is looked at again rather than forgotten), then a new one, highest priority first. An entry
// deleted while pending has nothing to take: acknowledged.
const QByteArray kFetchScript = R"lua(
for i = 1, #KEYS do
  while true do
    local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[i], '0')
    local e = r and r[1] and r[1][2] and r[1][2][1]
    if not e then break end
    if e[2] then
      return {KEYS[i], e[1], e[2]}
    end
    redis.call('XACK', KEYS[i], ARGV[1], e[1])
  end
end
for i = 1, #KEYS do
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[i], '>')
  if r then
    return {KEYS[i], r[1][2][1][1], r[1][2][1][2]}
  end
end
return false
)lua"_ba;

// Gives an entry back: a copy at the end of the stream, the consumer's own acknowledged and
// deleted, all at once (never the one without the other).
// KEYS[1] stream; ARGV[1] group, ARGV[2] entry id, ARGV[3] task id.
const QByteArray kHandBackScript = R"lua(
redis.call('XADD', KEYS[1], '*', 'task', ARGV[3])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"_ba;

// Releases a consumer that is gone: each entry it held is added again (its task may still be
// queued: it read the entry but never claimed it) unless its task is among ARGV[3..] (queued again
// with a new entry already), then acknowledged and deleted; the consumer is removed. Returns how
// many it added again. KEYS[1] stream; ARGV[1] group, ARGV[2] consumer.
const QByteArray kReleaseScript = R"lua(
local pending = redis.pcall('XPENDING', KEYS[1], ARGV[1], '-', '+', 100000, ARGV[2])
if type(pending) ~= 'table' or pending.err then
  return 0
end
local skip = {}
for i = 3, #ARGV do
  skip[ARGV[i]] = true
end
local added = 0
for _, p in ipairs(pending) do
  local id = p[1]
  local e = redis.call('XRANGE', KEYS[1], id, id)
  if e[1] then
    local f = e[1][2]
    for j = 1, #f - 1, 2 do
      if f[j] == 'task' and not skip[f[j + 1]] then
        redis.call('XADD', KEYS[1], '*', 'task', f[j + 1])
        skip[f[j + 1]] = true
        added = added + 1
      end
    end
  end
  redis.call('XACK', KEYS[1], ARGV[1], id)
  redis.call('XDEL', KEYS[1], id)
end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return added
)lua"_ba;

// The most entries of one stream rebuild() reads; a longer stream is not checked for missing tasks
// (adding them blindly could only grow it).
constexpr int kRangeLimit = 100000;

QByteArray fieldValue(const RedisReply &fields, const QByteArray &name)
{
    for (qsizetype i = 0; i + 1 < fields.elements.size(); i += 2)
        if (fields.elements[i].str == name)
            return fields.elements[i + 1].str;
    return {};
}
} // namespace

Queue::Queue(const QString &redisUrl, QObject *parent)
    : QObject(parent)
    , m_url(redisUrl)
{}

Queue::~Queue()
{
    close();
}

void Queue::open(int options)
{
    m_cmd = new RedisClient(m_url, u"cmd"_s, this);
    connect(m_cmd, &RedisClient::connected, this, [this] {
        m_groupsMade.clear(); // a restarted Redis may have lost them
        Q_EMIT connected();
    });
    connect(m_cmd, &RedisClient::disconnected, this, &Queue::disconnected);
    m_cmd->open();
    if (options & Events) {
        m_sub = new RedisClient(m_url, u"sub"_s, this);
        connect(m_sub,
                &RedisClient::message,
                this,
                [this](const QByteArray &channel, const QByteArray &payload) {
                    if (channel == kEventsChannel) {
                        if (auto e = Event::fromJson(payload))
                            Q_EMIT eventReceived(*e);
                    } else {
                        Q_EMIT controlReceived(payload);
                    }
                });
        connect(m_sub, &RedisClient::connected, this, &Queue::eventsConnected);
        m_sub->subscribe({QByteArray(kEventsChannel)});
        m_sub->open();
    }
    if (options & Blocking) {
        m_blocking = new RedisClient(m_url, u"blocking"_s, this);
        m_blocking->setCommandTimeout(0);
        m_blocking->open();
    }
}

void Queue::subscribeControl(const QString &agentId)
{
    if (!m_sub) {
        m_sub = new RedisClient(m_url, u"sub"_s, this);
        connect(m_sub,
                &RedisClient::message,
                this,
                [this](const QByteArray &, const QByteArray &payload) {
                    Q_EMIT controlReceived(payload);
                });
        m_sub->open();
    }
    m_sub->subscribe({controlChannel(agentId)});
}

void Queue::close()
{
    for (RedisClient *c : {m_cmd, m_sub, m_blocking})
        if (c)
            c->close();
}

bool Queue::isConnected() const
{
    return m_cmd && m_cmd->isConnected();
}

QByteArray Queue::streamKey(const QString &agentType, int priority)
{
    return "hive:q:" + agentType.toUtf8() + ':' + QByteArray::number(qBound(0, priority, 9));
}

QList<QByteArray> Queue::streamKeys(const QString &agentType)
{
    QList<QByteArray> keys;
    for (int p = 9; p >= 0; --p)
        keys << streamKey(agentType, p);
    return keys;
}

QByteArray Queue::heartbeatKey(const QString &agentId)
{
    return "hive:hb:" + agentId.toUtf8();
}

QByteArray Queue::controlChannel(const QString &agentId)
{
    return "hive:control:" + agentId.toUtf8();
}

void Queue::apply(const Change &change)
{
    publish(change.events);
    for (const Task &t : change.enqueue)
        enqueue(t);
    if (!change.stopAgentId.isEmpty() && change.task)
        requestStop(change.stopAgentId, change.task->id);
}

void Queue::publish(const QList<Event> &events)
{
    for (const Event &e : events)
        m_cmd->command({"PUBLISH", kEventsChannel, e.toJsonBytes()});
}

void Queue::enqueue(const Task &task)
{
    // Lost when Redis is down: rebuild() adds it again from PostgreSQL on reconnect.
    m_cmd->command(
        {"XADD", streamKey(task.agentType, task.priority), "*", "task", task.id.toUtf8()},
        [id = task.id](const RedisReply &r) {
            if (r.isError())
                log()->warn("could not enqueue task {} ({}); it is queued again when Redis is back",
                            id,
                            r.str);
        });
}

void Queue::requestStop(const QString &agentId, const QString &taskId)
{
    m_cmd->command({"PUBLISH", controlChannel(agentId), "cancel " + taskId.toUtf8()});
}

void Queue::heartbeat(const QString &agentId, int ttlMs)
{
    m_cmd->command({"SET", heartbeatKey(agentId), "1", "PX", QByteArray::number(ttlMs)});
}

void Queue::liveHeartbeats(const QStringList &agentIds,
                           std::function<void(std::optional<QSet<QString>>)> done)
{
    if (agentIds.isEmpty()) {
        done(QSet<QString>());
        return;
    }
    QList<QByteArray> argv{"MGET"};
    for (const QString &id : agentIds)
        argv << heartbeatKey(id);
    m_cmd->command(argv, [agentIds, done = std::move(done)](const RedisReply &r) {
        if (r.type != RedisReply::Type::Array) {
            done(std::nullopt);
            return;
        }
        QSet<QString> alive;
        for (qsizetype i = 0; i < r.elements.size() && i < agentIds.size(); ++i)
            if (!r.elements[i].isNil())
                alive.insert(agentIds[i]);
        done(alive);
    });
}

void Queue::ensureGroups(const QString &agentType, std::function<void()> then)
{
    if (m_groupsMade.contains(agentType)) {
        then();
        return;
    }
    const QList<QByteArray> keys = streamKeys(agentType);
    auto remaining = std::make_shared<int>(keys.size());
    for (const QByteArray &key : keys) {
        m_cmd->command({"XGROUP", "CREATE", key, kGroup, "0", "MKSTREAM"},
                       [this, agentType, remaining, then](const RedisReply &r) {
                           const bool ok = !r.isError() || r.str.startsWith("BUSYGROUP");
                           if (--*remaining == 0) {
                               if (ok)
                                   m_groupsMade.insert(agentType);
                               then();
                           }
                       });
    }
}

std::optional<QueueEntry> Queue::entryFromReadReply(const RedisReply &reply)
{
    // XREADGROUP: [[stream, [[id, [field, value, …]], …]], …]
    if (reply.type != RedisReply::Type::Array)
        return std::nullopt;
    for (const RedisReply &stream : reply.elements) {
        if (stream.elements.size() < 2 || stream.elements[1].elements.isEmpty())
            continue;
        const RedisReply &entry = stream.elements[1].elements[0];
        if (entry.elements.size() < 2)
            continue;
        return QueueEntry{stream.elements[0].str,
                          entry.elements[0].str,
                          QString::fromUtf8(fieldValue(entry.elements[1], "task"))};
    }
    return std::nullopt;
}

void Queue::fetchNext(const QString &agentType,
                      const QString &consumer,
                      int blockMs,
                      std::function<void(std::optional<QueueEntry>)> done)
{
    ensureGroups(agentType, [this, agentType, consumer, blockMs, done = std::move(done)]() mutable {
        QList<QByteArray> argv{"EVAL", kFetchScript, "10"};
        argv += streamKeys(agentType);
        argv << kGroup << consumer.toUtf8();
        m_cmd->command(
            argv,
            [this, agentType, consumer, blockMs, done = std::move(done)](
                const RedisReply &r) mutable {
                if (r.isError()) {
                    if (r.str.contains("NOGROUP"))
                        m_groupsMade.remove(agentType);
                    log()->debug("fetch failed: {}", r.str);
                    done(std::nullopt);
                    return;
                }
                if (r.type == RedisReply::Type::Array && r.elements.size() == 3) {
                    done(QueueEntry{r.elements[0].str,
                                    r.elements[1].str,
                                    QString::fromUtf8(fieldValue(r.elements[2], "task"))});
                    return;
                }
                readBlocking(agentType, consumer, blockMs, std::move(done));
            });
    });
}

void Queue::readBlocking(const QString &agentType,
                         const QString &consumer,
                         int blockMs,
                         std::function<void(std::optional<QueueEntry>)> done)
{
    if (!m_blocking || blockMs <= 0) {
        done(std::nullopt);
        return;
    }
    QList<QByteArray> argv{"XREADGROUP",
                           "GROUP",
                           kGroup,
                           consumer.toUtf8(),
                           "COUNT",
                           "1",
                           "BLOCK",
                           QByteArray::number(blockMs),
                           "STREAMS"};
    const QList<QByteArray> keys = streamKeys(agentType);
    argv += keys;
    for (qsizetype i = 0; i < keys.size(); ++i)
        argv << ">";
    m_blocking->command(argv, [this, agentType, done = std::move(done)](const RedisReply &r) {
        if (r.isError() && r.str.contains("NOGROUP"))
            m_groupsMade.remove(agentType);
        // Entries of several streams can come back at once; the first is the highest priority, the
        // others stay pending for us and are released by ack() after we ran them... so take them
        // one by one: the caller acks each, and entries beyond the first are handed back now.
        if (r.type == RedisReply::Type::Array) {
            std::optional<QueueEntry> first;
            for (const RedisReply &stream : r.elements) {
                if (stream.elements.size() < 2)
                    continue;
                for (const RedisReply &entry : stream.elements[1].elements) {
                    if (entry.elements.size() < 2)
                        continue;
                    QueueEntry e{stream.elements[0].str,
                                 entry.elements[0].str,
                                 QString::fromUtf8(fieldValue(entry.elements[1], "task"))};
                    if (!first) {
                        first = e;
                    } else {
                        handBack(e); // one at a time
                    }
                }
            }
            done(first);
            return;
        }
        done(std::nullopt);
    });
}

void Queue::ack(const QueueEntry &entry)
{
    m_cmd->command({"XACK", entry.stream, kGroup, entry.id});
    m_cmd->command({"XDEL", entry.stream, entry.id});
}

void Queue::handBack(const QueueEntry &entry)
{
    m_cmd->command(
        {"EVAL", kHandBackScript, "1", entry.stream, kGroup, entry.id, entry.taskId.toUtf8()},
        [entry](const RedisReply &r) {
            if (r.isError())
                log()->warn("could not hand back the entry of task {} ({}); it stays pending and "
                            "is read again",
                            entry.taskId,
                            r.str);
        });
}

void Queue::rebuild(const QList<Task> &queued,
                    const QSet<QString> &liveConsumers,
                    std::function<void(int)> done)
{
    // Which agent types to look at: those with queued tasks, plus every stream that exists.
    m_cmd->command(
        {"SCAN", "0", "MATCH", "hive:q:*", "COUNT", "10000"}, [=, this](const RedisReply &scan) {
            if (scan.isError() || scan.elements.size() < 2) {
                if (done)
                    done(-1);
                return;
            }
            QSet<QByteArray> streams;
            for (const RedisReply &k : scan.elements[1].elements)
                streams.insert(k.str);
            for (const Task &t : queued)
                streams.insert(streamKey(t.agentType, t.priority));
            auto present = std::make_shared<QSet<QString>>();
            auto unchecked = std::make_shared<QSet<QByteArray>>(); // too long to read whole
            auto remaining = std::make_shared<int>(streams.size());
            auto finish = [=, this] {
                int added = 0;
                for (const Task &t : queued) {
                    if (!present->contains(t.id)
                        && !unchecked->contains(streamKey(t.agentType, t.priority))) {
                        enqueue(t);
                        ++added;
                    }
                }
                if (added)
                    log()->info("re-queued {} task(s) that Redis did not have", added);
                if (done)
                    done(added);
            };
            if (streams.isEmpty()) {
                finish();
                return;
            }
            for (const QByteArray &stream : streams) {
                m_cmd->command({"XGROUP", "CREATE", stream, kGroup, "0", "MKSTREAM"});
                // Release what gone consumers hold (their entries added again), then see which
                // tasks the stream has. Replies come in order: the releases run before XRANGE.
                m_cmd->command(
                    {"XINFO", "CONSUMERS", stream, kGroup}, [=, this](const RedisReply &consumers) {
                        for (const RedisReply &c : consumers.elements) {
                            const QString name = QString::fromUtf8(fieldValue(c, "name"));
                            if (!name.isEmpty() && !liveConsumers.contains(name))
                                releaseConsumerOn(stream, name, {});
                        }
                        m_cmd->command(
                            {"XRANGE", stream, "-", "+", "COUNT", QByteArray::number(kRangeLimit)},
                            [=](const RedisReply &range) {
                                if (range.isError() || range.elements.size() >= kRangeLimit)
                                    unchecked->insert(stream);
                                for (const RedisReply &entry : range.elements)
                                    if (entry.elements.size() >= 2)
                                        present->insert(QString::fromUtf8(
                                            fieldValue(entry.elements[1], "task")));
                                if (--*remaining == 0)
                                    finish();
                            });
                    });
            }
        });
}

void Queue::releaseConsumer(const QString &agentType,
                            const QString &consumer,
                            const QStringList &queuedAgain)
{
    for (const QByteArray &stream : streamKeys(agentType))
        releaseConsumerOn(stream, consumer, queuedAgain);
}

void Queue::releaseConsumerOn(const QByteArray &stream,
                              const QString &consumer,
                              const QStringList &queuedAgain)
{
    QList<QByteArray> argv{"EVAL", kReleaseScript, "1", stream, kGroup, consumer.toUtf8()};
    for (const QString &id : queuedAgain)
        argv << id.toUtf8();
    m_cmd->command(argv, [stream, consumer](const RedisReply &r) {
        if (r.isError())
            log()->warn("could not release consumer {} of {}: {}", consumer, stream, r.str);
        else if (r.integer > 0)
            log()->info("consumer {} of {} was gone: {} entry(ies) added again",
                        consumer,
                        stream,
                        r.integer);
    });
}

} // namespace Hive
