// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/queue/redisclient.h"

#include "services/core/logging.h"
#include "services/core/redisurl.h"

#include <QFile>
#include <QMetaObject>
#include <QPromise>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

// Lifetime rules this file relies on (hiredis 1.2, async.c):
// - A context is freed by hiredis itself after an I/O error, a timeout, a failed connect or a
//   finished redisAsyncDisconnect(); __redisAsyncFree() then runs every pending callback with a
//   NULL reply, the event-library cleanup hook, the disconnect callback and last `dataCleanup`.
//   `dataCleanup` is the one hook called on every path, so it is where the client learns that its
//   context is gone (RedisClientPrivate::onContextFreed).
// - Our own code never runs user code from inside that free path: NULL replies and the signals are
//   queued to the event loop. User code runs synchronously only from reply callbacks (inside
//   redisProcessCallbacks, REDIS_IN_CALLBACK set), where redisAsyncFree() merely sets
//   REDIS_FREEING and hiredis frees the context once the callback returned. That is what makes
//   `delete client` inside a callback safe.
// - The event adapter belongs to the context, not to the client: it is deleted by the context's
//   cleanup hook (deleteLater() when that runs inside one of its own notifications).

namespace Hive {

namespace {

auto log()
{
    return Logging::get("redis");
}

constexpr int InitialBackoffMs = 100;
constexpr int MaxBackoffMs = 2000;

timeval toTimeval(int ms)
{
    return timeval{ms / 1000, (ms % 1000) * 1000};
}

QByteArray bytes(const redisReply *r)
{
    return r->str ? QByteArray(r->str, static_cast<qsizetype>(r->len)) : QByteArray();
}

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_VERB:   // RESP3 verbatim string: the text without its "txt:" prefix
    case REDIS_REPLY_BIGNUM: // RESP3 big number, as its decimal text
        out.type = RedisReply::Type::String;
        out.str = bytes(r);
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.str = bytes(r);
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.str = bytes(r);
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_DOUBLE:
        out.type = RedisReply::Type::Double;
        out.str = bytes(r);
        break;
    case REDIS_REPLY_BOOL:
        out.type = RedisReply::Type::Bool;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
    case REDIS_REPLY_SET:
    case REDIS_REPLY_PUSH:
    case REDIS_REPLY_MAP:
    case REDIS_REPLY_ATTR:
        out.type = (r->type == REDIS_REPLY_MAP || r->type == REDIS_REPLY_ATTR)
                       ? RedisReply::Type::Map
                       : RedisReply::Type::Array;
        out.elements.reserve(static_cast<qsizetype>(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    case REDIS_REPLY_NIL:
    default:
        break;
    }
    return out;
}

// Commands whose replies hiredis routes through its pub/sub or monitor machinery, calling one
// callback several times: only subscribe() may send them.
bool isSubscriptionCommand(const QByteArray &name)
{
    static const QByteArray names[] = {"subscribe",
                                       "psubscribe",
                                       "ssubscribe",
                                       "unsubscribe",
                                       "punsubscribe",
                                       "sunsubscribe",
                                       "monitor"};
    const QByteArray lower = name.toLower();
    return std::ranges::find(names, lower) != std::end(names);
}

// hiredis' event hooks on two QSocketNotifiers and a QTimer, in the thread that made the context.
// Not hiredis' own adapters/qt.h (1.2): it connects the Qt 5 signal "activated(int)" by string,
// which Qt 6's QSocketNotifier no longer has (the connection fails at run time and nothing is
// ever read); it has no scheduleTimer, so hiredis' connect and command timeouts never fire; it
// makes and deletes a notifier at every read/write toggle; and it needs moc run over a system
// header. This one enables and disables two notifiers and drives the timer.
class EventAdapter : public QObject
{
public:
    explicit EventAdapter(redisAsyncContext *ac)
        : m_ac(ac)
        , m_read(ac->c.fd, QSocketNotifier::Read, this)
        , m_write(ac->c.fd, QSocketNotifier::Write, this)
        , m_timer(this)
    {
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        m_timer.setSingleShot(true);
        connect(
            &m_read, &QSocketNotifier::activated, this, [this] { dispatch(redisAsyncHandleRead); });
        connect(&m_write, &QSocketNotifier::activated, this, [this] {
            dispatch(redisAsyncHandleWrite);
        });
        connect(&m_timer, &QTimer::timeout, this, [this] { dispatch(redisAsyncHandleTimeout); });

        ac->ev.data = this;
        ac->ev.addRead = [](void *p) {
            self(p)->m_read.setEnabled(true);
        };
        ac->ev.delRead = [](void *p) {
            self(p)->m_read.setEnabled(false);
        };
        ac->ev.addWrite = [](void *p) {
            self(p)->m_write.setEnabled(true);
        };
        ac->ev.delWrite = [](void *p) {
            self(p)->m_write.setEnabled(false);
        };
        ac->ev.cleanup = [](void *p) {
            self(p)->detach();
        };
        // A one-shot timer, re-armed by hiredis on each read/write scheduling (connect timeout
        // until connected, the command timeout after).
        ac->ev.scheduleTimer = [](void *p, timeval tv) {
            const qint64 ms = qint64(tv.tv_sec) * 1000 + (tv.tv_usec + 999) / 1000;
            self(p)->m_timer.start(static_cast<int>(std::clamp<qint64>(ms, 1, 24 * 3600 * 1000)));
        };
    }

private:
    static EventAdapter *self(void *p) { return static_cast<EventAdapter *>(p); }

    void dispatch(void (*handle)(redisAsyncContext *))
    {
        // hiredis asserts that it is not re-entered from one of its callbacks (a callback that runs
        // a nested event loop); the notifier fires again once the callback returned.
        if (!m_ac || (m_ac->c.flags & REDIS_IN_CALLBACK))
            return;
        ++m_depth;
        handle(m_ac); // may free the context, and call detach()
        --m_depth;
    }

    void detach()
    {
        if (m_ac) {
            m_ac->ev.data = nullptr;
            m_ac->ev.addRead = nullptr;
            m_ac->ev.delRead = nullptr;
            m_ac->ev.addWrite = nullptr;
            m_ac->ev.delWrite = nullptr;
            m_ac->ev.scheduleTimer = nullptr;
            m_ac = nullptr;
        }
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        m_timer.stop();
        if (m_depth > 0)
            deleteLater(); // we are inside one of our notifications
        else
            delete this;
    }

    redisAsyncContext *m_ac;
    QSocketNotifier m_read;
    QSocketNotifier m_write;
    QTimer m_timer;
    int m_depth = 0;
};

// What a context's `data` points to; deleted with the context. client is cleared when the client
// is destroyed before its context.
struct Link
{
    RedisClient *client;
    const redisAsyncContext *ac;
};

enum class HandshakeStep : quintptr { Auth = 1, Select, SetName };

} // namespace

// The hiredis callbacks (plain functions with access to the client's internals).
struct RedisClientPrivate
{
    static RedisClient *clientOf(const redisAsyncContext *ac)
    {
        const auto *link = static_cast<const Link *>(ac->data);
        return link ? link->client : nullptr;
    }

    static void onConnect(const redisAsyncContext *ac, int status)
    {
        // A failed connect is reported by onContextFreed, which follows at once.
        if (RedisClient *c = clientOf(ac); c && status == REDIS_OK)
            c->linkUp();
    }

    static void onContextFreed(void *data)
    {
        std::unique_ptr<Link> link(static_cast<Link *>(data));
        if (!link || !link->client)
            return;
        RedisClient *c = link->client;
        const redisAsyncContext *ac = link->ac;
        const QString detail
            = ac->err && ac->errstr ? QString::fromLocal8Bit(ac->errstr) : u"unknown error"_s;
        QString reason;
        if (!c->m_handshakeError.isEmpty())
            reason = c->m_handshakeError;
        else if (!ac->err)
            reason = u"connection to Redis at %1 closed"_s.arg(c->m_display);
        else if (ac->c.flags & REDIS_CONNECTED)
            reason = u"connection to Redis at %1 lost: %2"_s.arg(c->m_display, detail);
        else
            reason = u"cannot connect to Redis at %1: %2"_s.arg(c->m_display, detail);
        c->m_ctx = nullptr;
        c->handleDisconnect(reason);
    }

    static void onReply(redisAsyncContext *ac, void *r, void *privdata)
    {
        std::unique_ptr<RedisClient::Callback> cb(static_cast<RedisClient::Callback *>(privdata));
        RedisClient *c = clientOf(ac);
        if (!c || !cb || !*cb)
            return; // the client is gone: its callbacks are dropped
        if (!r) {
            // The context is being freed (link broken, timeout): never call user code from here.
            c->replyLater(std::move(*cb), RedisReply::error("connection lost"));
            return;
        }
        (*cb)(convert(static_cast<const redisReply *>(r))); // may delete the client
    }

    static void onHandshakeReply(redisAsyncContext *ac, void *r, void *privdata)
    {
        RedisClient *c = clientOf(ac);
        if (!c || !r)
            return;
        const auto *reply = static_cast<const redisReply *>(r);
        const auto step = static_cast<HandshakeStep>(reinterpret_cast<quintptr>(privdata));
        if (reply->type == REDIS_REPLY_ERROR) {
            const QString what = QString::fromUtf8(bytes(reply));
            if (step == HandshakeStep::SetName) {
                if (c->m_handshakeError.isEmpty()) // else refused for the same reason
                    log()->warn("Redis at {} refused CLIENT SETNAME: {}", c->m_display, what);
            } else if (c->m_handshakeError.isEmpty()) {
                c->m_handshakeError = u"Redis at %1 refused %2: %3"_s.arg(
                    c->m_display, step == HandshakeStep::Auth ? u"AUTH"_s : u"SELECT"_s, what);
                redisAsyncDisconnect(ac); // inside a reply callback: done once it returned
            }
        }
        if (--c->m_handshakePending == 0 && c->m_handshakeError.isEmpty())
            c->handshakeDone();
    }

    static void onSubscribeReply(redisAsyncContext *ac, void *r, void *)
    {
        RedisClient *c = clientOf(ac);
        if (!c || !r)
            return; // connection lost: the client re-subscribes when it is back
        const auto *reply = static_cast<const redisReply *>(r);
        if ((reply->type == REDIS_REPLY_ARRAY || reply->type == REDIS_REPLY_PUSH)
            && reply->elements == 3 && reply->element[0]->type == REDIS_REPLY_STRING
            && bytes(reply->element[0]) == "message") {
            Q_EMIT c->message(bytes(reply->element[1]), bytes(reply->element[2])); // may delete c
        } else if (reply->type == REDIS_REPLY_ERROR) {
            log()->warn("Redis at {} refused SUBSCRIBE: {}", c->m_display, bytes(reply));
        }
    }
};

RedisClient::RedisClient(const QString &url, const QString &name, QObject *parent)
    : QObject(parent)
    , m_url(url)
    , m_name(name)
    , m_reconnectTimer(new QTimer(this))
{
    const auto target = RedisUrl::parse(url);
    m_display = target ? target->display() : u"<invalid URL>"_s;
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &RedisClient::tryConnect);
}

RedisClient::~RedisClient()
{
    m_open = false;
    if (redisAsyncContext *ac = std::exchange(m_ctx, nullptr)) {
        if (auto *link = static_cast<Link *>(ac->data))
            link->client = nullptr; // pending callbacks are dropped, not called
        // Frees at once, or, when we are inside one of this context's reply callbacks, once that
        // returned (REDIS_FREEING); the adapter goes with the context.
        redisAsyncFree(ac);
    }
}

bool RedisClient::inOwnThread() const
{
    return QThread::currentThread() == thread();
}

void RedisClient::setCommandTimeout(int ms)
{
    m_commandTimeoutMs = std::max(0, ms);
    if (m_ctx) // {0, 0} switches hiredis' command timeout off
        redisAsyncSetTimeout(m_ctx, toTimeval(m_commandTimeoutMs));
}

void RedisClient::open()
{
    if (!inOwnThread()) {
        QMetaObject::invokeMethod(this, &RedisClient::open, Qt::QueuedConnection);
        return;
    }
    if (m_open)
        return;
    m_open = true;
    m_backoffMs = InitialBackoffMs;
    m_failedAttempts = 0;
    if (!m_ctx) // else still closing: handleDisconnect() schedules the reconnect
        tryConnect();
}

void RedisClient::close()
{
    if (!inOwnThread()) {
        QMetaObject::invokeMethod(this, &RedisClient::close, Qt::QueuedConnection);
        return;
    }
    m_open = false;
    m_reconnectTimer->stop();
    if (m_ctx && !(m_ctx->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING))) {
        m_connected = false;
        redisAsyncDisconnect(m_ctx); // may free it at once (onContextFreed)
    }
}

void RedisClient::tryConnect()
{
    if (!m_open || m_ctx)
        return;
    const auto target = RedisUrl::parse(m_url);
    if (!target) {
        m_open = false; // retrying cannot help
        const QString reason = u"invalid Redis URL (expected redis://[:password@]host[:port][/db] "
                               "or unix://[:password@]/path/to/socket[?db=N])"_s;
        log()->error("{}", reason);
        QMetaObject::invokeMethod(
            this, [this, reason] { Q_EMIT disconnected(reason); }, Qt::QueuedConnection);
        return;
    }
    ++m_generation;
    m_handshakeError.clear();
    m_handshakePending = 0;

    redisOptions options{};
    const QByteArray host = target->host.toUtf8();
    const QByteArray socketPath = QFile::encodeName(target->socketPath);
    if (target->isUnix()) {
        options.type = REDIS_CONN_UNIX;
        options.endpoint.unix_socket = socketPath.constData();
    } else {
        options.type = REDIS_CONN_TCP;
        options.endpoint.tcp.ip = host.constData();
        options.endpoint.tcp.port = target->port;
    }
    const timeval connectTimeout = toTimeval(m_connectTimeoutMs);
    if (m_connectTimeoutMs > 0)
        options.connect_timeout = &connectTimeout;

    redisAsyncContext *ac = redisAsyncConnectWithOptions(&options);
    if (!ac) {
        handleDisconnect(u"cannot connect to Redis at %1: out of memory"_s.arg(m_display));
        return;
    }
    if (ac->err) { // a Unix socket fails at once (no such file, refused)
        const QString reason = u"cannot connect to Redis at %1: %2"_s.arg(
            m_display, QString::fromLocal8Bit(ac->errstr));
        redisAsyncFree(ac); // no callbacks set yet
        handleDisconnect(reason);
        return;
    }
    ac->data = new Link{this, ac};
    ac->dataCleanup = &RedisClientPrivate::onContextFreed;
    new EventAdapter(ac); // owned by the context
    m_ctx = ac;
    if (m_commandTimeoutMs > 0)
        redisAsyncSetTimeout(ac, toTimeval(m_commandTimeoutMs));
    // Arms the write notifier: the connect completes (or fails) when the socket is writable.
    redisAsyncSetConnectCallback(ac, &RedisClientPrivate::onConnect);
}

void RedisClient::linkUp()
{
    const auto target = RedisUrl::parse(m_url);
    auto send = [this](HandshakeStep step, const QList<QByteArray> &argv) {
        std::vector<const char *> args;
        std::vector<size_t> lens;
        for (const QByteArray &a : argv) {
            args.push_back(a.constData());
            lens.push_back(static_cast<size_t>(a.size()));
        }
        if (redisAsyncCommandArgv(m_ctx,
                                  &RedisClientPrivate::onHandshakeReply,
                                  reinterpret_cast<void *>(static_cast<quintptr>(step)),
                                  static_cast<int>(args.size()),
                                  args.data(),
                                  lens.data())
            == REDIS_OK)
            ++m_handshakePending;
    };
    if (target && !target->password.isEmpty())
        send(HandshakeStep::Auth, {"AUTH", target->password.toUtf8()});
    if (target && target->db != 0)
        send(HandshakeStep::Select, {"SELECT", QByteArray::number(target->db)});
    if (!m_name.isEmpty()) {
        QByteArray name = m_name.toUtf8();
        std::ranges::replace_if(name, [](char ch) { return static_cast<uchar>(ch) <= ' '; }, '-');
        send(HandshakeStep::SetName, {"CLIENT", "SETNAME", name});
    }
    if (!m_channels.isEmpty())
        sendSubscribe(m_channels); // after the handshake in the pipeline
    if (m_handshakePending == 0)
        handshakeDone();
}

void RedisClient::handshakeDone()
{
    m_connected = true;
    m_backoffMs = InitialBackoffMs;
    m_failedAttempts = 0;
    log()->info("connected to Redis at {}{}",
                m_display,
                m_name.isEmpty() ? QString() : u" as %1"_s.arg(m_name));
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation] {
            if (generation == m_generation && m_connected)
                Q_EMIT connected();
        },
        Qt::QueuedConnection);
}

void RedisClient::handleDisconnect(const QString &reason)
{
    const bool wasConnected = m_connected;
    m_connected = false;
    m_handshakePending = 0;
    ++m_generation;
    if (!m_open)
        log()->info("{}", reason);
    else if (wasConnected || m_failedAttempts++ == 0)
        log()->warn("{}; retrying", reason);
    else
        log()->debug("{}; retrying", reason);
    QMetaObject::invokeMethod(
        this, [this, reason] { Q_EMIT disconnected(reason); }, Qt::QueuedConnection);
    if (m_open)
        scheduleReconnect();
}

void RedisClient::scheduleReconnect()
{
    m_reconnectTimer->start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, MaxBackoffMs);
}

void RedisClient::replyLater(Callback cb, const RedisReply &reply)
{
    if (cb)
        QMetaObject::invokeMethod(
            this, [cb = std::move(cb), reply] { cb(reply); }, Qt::QueuedConnection);
}

void RedisClient::command(const QList<QByteArray> &argv, Callback cb)
{
    if (!inOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, argv, cb = std::move(cb)] { command(argv, cb); }, Qt::QueuedConnection);
        return;
    }
    if (argv.isEmpty()) {
        replyLater(std::move(cb), RedisReply::error("ERR empty command"));
        return;
    }
    if (isSubscriptionCommand(argv.first())) {
        replyLater(
            std::move(cb),
            RedisReply::error("ERR use RedisClient::subscribe() for " + argv.first().toUpper()));
        return;
    }
    if (!m_connected || !m_ctx) {
        replyLater(std::move(cb),
                   RedisReply::error("ERR not connected to Redis at " + m_display.toUtf8()));
        return;
    }
    std::vector<const char *> args;
    std::vector<size_t> lens;
    args.reserve(static_cast<size_t>(argv.size()));
    lens.reserve(static_cast<size_t>(argv.size()));
    for (const QByteArray &a : argv) {
        args.push_back(a.constData());
        lens.push_back(static_cast<size_t>(a.size()));
    }
    auto *heap = cb ? new Callback(std::move(cb)) : nullptr;
    if (redisAsyncCommandArgv(m_ctx,
                              heap ? &RedisClientPrivate::onReply : nullptr,
                              heap,
                              static_cast<int>(args.size()),
                              args.data(),
                              lens.data())
        != REDIS_OK) {
        std::unique_ptr<Callback> owned(heap);
        if (owned)
            replyLater(
                std::move(*owned),
                RedisReply::error("ERR cannot send the command to Redis at " + m_display.toUtf8()));
    }
}

QFuture<RedisReply> RedisClient::commandFuture(const QList<QByteArray> &argv)
{
    // Dropped with the client: the promise's destructor then cancels the future.
    auto promise = std::make_shared<QPromise<RedisReply>>();
    QFuture<RedisReply> future = promise->future();
    promise->start();
    command(argv, [promise](const RedisReply &reply) {
        promise->addResult(reply);
        promise->finish();
    });
    return future;
}

void RedisClient::subscribe(const QList<QByteArray> &channels)
{
    if (!inOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, channels] { subscribe(channels); }, Qt::QueuedConnection);
        return;
    }
    QList<QByteArray> fresh;
    for (const QByteArray &ch : channels) {
        if (!m_channels.contains(ch) && !fresh.contains(ch))
            fresh.append(ch);
    }
    if (fresh.isEmpty())
        return;
    m_channels += fresh;
    // Before the link is up, linkUp() subscribes to all of m_channels.
    if (m_ctx && (m_ctx->c.flags & REDIS_CONNECTED)
        && !(m_ctx->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING)))
        sendSubscribe(fresh);
}

void RedisClient::sendSubscribe(const QList<QByteArray> &channels)
{
    std::vector<const char *> args{"SUBSCRIBE"};
    std::vector<size_t> lens{9};
    for (const QByteArray &ch : channels) {
        args.push_back(ch.constData());
        lens.push_back(static_cast<size_t>(ch.size()));
    }
    // One persistent callback, kept by hiredis per channel; no privdata to own.
    if (redisAsyncCommandArgv(m_ctx,
                              &RedisClientPrivate::onSubscribeReply,
                              nullptr,
                              static_cast<int>(args.size()),
                              args.data(),
                              lens.data())
        != REDIS_OK)
        log()->warn("cannot send SUBSCRIBE to Redis at {}", m_display);
}

} // namespace Hive
