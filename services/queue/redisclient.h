// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

class QTimer;
struct redisAsyncContext;

namespace Hive {

// A Redis reply as a plain value (copied out of hiredis' reply tree).
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array, Double, Bool, Map };
    Type type = Type::Nil;
    QByteArray str;             // Status, Error, String, Double (textual)
    qint64 integer = 0;         // Integer, Bool
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

// One asynchronous hiredis connection (TCP or Unix socket, from a redis:// or unix:// URL) driven
// by the Qt event loop of the thread it lives in (move it there before open()). Reconnects by
// itself with a backoff (100 ms doubling to 2 s) after the server went away, and emits connected()
// again; commands sent while disconnected, and those in flight when the link broke, get an error
// reply at once (never lost silently, never hanging). A client that subscribed becomes a subscriber
// connection and re-subscribes after each reconnect. Connecting sends AUTH (password in the URL),
// SELECT (db other than 0) and CLIENT SETNAME (name, blanks turned into '-') first; connected() is
// emitted once they succeeded.
//
// Replies ("ERR not connected to Redis at …" while disconnected, "connection lost" for commands in
// flight when the link broke or timed out) and the signals connected()/disconnected() are always
// delivered from the event loop, never from inside the call that caused them. The destructor drops
// the callbacks of commands still in flight without calling them (their futures are cancelled);
// deleting the client inside one of its own callbacks is allowed.
class RedisClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const RedisReply &)>;

    static constexpr int DefaultCommandTimeoutMs = 10000;
    static constexpr int DefaultConnectTimeoutMs = 3000;

    explicit RedisClient(const QString &url, const QString &name = {}, QObject *parent = nullptr);
    ~RedisClient() override;

    // A command without a reply for this long (no traffic at all while commands are pending)
    // breaks the connection: every command in flight gets "connection lost" and the client
    // reconnects. 0 = no command timeout, which a connection used for blocking commands (BLPOP,
    // XREADGROUP BLOCK, …) needs, or one above the longest block. Applies at once and to every
    // reconnect. Default DefaultCommandTimeoutMs.
    void setCommandTimeout(int ms);
    int commandTimeout() const { return m_commandTimeoutMs; }
    // Time allowed for a TCP connect (a Unix socket connects or fails at once); 0 = the system's.
    void setConnectTimeout(int ms) { m_connectTimeoutMs = ms; }
    int connectTimeout() const { return m_connectTimeoutMs; }

    // The methods below may be called from any thread: they are forwarded to this object's.
    void open(); // starts connecting (and reconnecting for ever, until close())
    // Stops reconnecting and disconnects once the replies in flight arrived (those callbacks still
    // run); commands sent after close() get the "not connected" error.
    void close();
    bool isConnected() const { return m_connected; } // this object's thread only
    QString url() const { return m_url; }

    // argv is sent as binary-safe arguments (redisAsyncCommandArgv). The callback runs in this
    // object's thread; it may be empty. (P|S)SUBSCRIBE, their UNSUBSCRIBEs and MONITOR are refused
    // with an error reply: use subscribe().
    void command(const QList<QByteArray> &argv, Callback cb = {});
    QFuture<RedisReply> commandFuture(const QList<QByteArray> &argv);

    // SUBSCRIBE on this connection; message() is emitted for each message. May be called before
    // the connection is up; the channels are (re)subscribed on every connect.
    void subscribe(const QList<QByteArray> &channels);

Q_SIGNALS:
    void connected();
    // The connection was lost or closed, or an attempt to connect failed (emitted for every failed
    // attempt while retrying). reason is meant for a person.
    void disconnected(const QString &reason);
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    friend struct RedisClientPrivate;
    void tryConnect();
    void scheduleReconnect();
    void handleDisconnect(const QString &reason);
    void linkUp();
    void handshakeDone();
    void sendSubscribe(const QList<QByteArray> &channels);
    void replyLater(Callback cb, const RedisReply &reply);
    bool inOwnThread() const;

    QString m_url;
    QString m_name;
    QString m_display; // the URL without password, for messages
    redisAsyncContext *m_ctx = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    bool m_connected = false;
    bool m_open = false;
    int m_backoffMs = 100;
    int m_failedAttempts = 0;
    int m_handshakePending = 0;
    QString m_handshakeError;
    int m_commandTimeoutMs = DefaultCommandTimeoutMs;
    int m_connectTimeoutMs = DefaultConnectTimeoutMs;
    QList<QByteArray> m_channels;
    quint64 m_generation = 0;
};

} // namespace Hive
