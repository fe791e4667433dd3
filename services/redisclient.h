// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

struct redisAsyncContext;

namespace Hive {

// A Redis reply as a plain value (copied out of hiredis' reply tree).
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array, Double, Bool, Map };
    Type type = Type::Nil;
    QByteArray str;    // Status, Error, String, Double (textual)
    qint64 integer = 0; // Integer, Bool
    QList<RedisReply> elements; // Array, Map (flattened key, value, …)

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
    static RedisReply error(const QByteArray &message)
    {
        RedisReply r;
        r.type = Type::Error;
        r.str = message;
        return r;
    }
};

// One asynchronous hiredis connection (TCP or Unix socket, from a redis:// or unix:// URL) driven by
// the Qt event loop of the thread it lives in. Reconnects by itself with a backoff (100 ms doubling
// to 2 s) after the server went away, and emits connected() again; commands sent while
// disconnected, and those in flight when the link broke, get an error reply at once (never lost
// silently, never hanging). A client that subscribed becomes a subscriber connection and
// re-subscribes after each reconnect.
class RedisClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const RedisReply &)>;

    explicit RedisClient(const QString &url, const QString &name = {}, QObject *parent = nullptr);
    ~RedisClient() override;

    void open();  // starts connecting (and reconnecting for ever, until close())
    void close();
    bool isConnected() const { return m_connected; }
    QString url() const { return m_url; }

    // argv is sent as binary-safe arguments (redisAsyncCommandArgv). The callback runs in this
    // object's thread; it may be empty.
    void command(const QList<QByteArray> &argv, Callback cb = {});
    QFuture<RedisReply> commandFuture(const QList<QByteArray> &argv);

    // SUBSCRIBE on this connection; message() is emitted for each message.
    void subscribe(const QList<QByteArray> &channels);

Q_SIGNALS:
    void connected();
    void disconnected(const QString &reason);
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    friend struct RedisClientPrivate;
    void tryConnect();
    void scheduleReconnect();
    void handleDisconnect(const QString &reason);

    QString m_url;
    QString m_name;
    redisAsyncContext *m_ctx = nullptr;
    void *m_adapter = nullptr; // our QSocketNotifier-based event adapter
    bool m_connected = false;
    bool m_open = false;
    int m_backoffMs = 100;
    QList<QByteArray> m_channels;
    quint64 m_generation = 0;
};

} // namespace Hive
