// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/eventhub.h"

#include "services/core/logging.h"
#include "services/engine.h"
#include "services/eventsequencer.h"

#include <QHttpServer>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("api");
}

constexpr quint64 kMaxWebSocketMessage = 64 * 1024; // clients have nothing to say

} // namespace

EventHub::EventHub(Engine *engine, int maxClients, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_sequencer(new EventSequencer(engine, this))
    , m_maxClients(maxClients)
    , m_maxBacklogBytes(maxBacklogBytes)
{
    connect(m_sequencer, &EventSequencer::delivered, this, &EventHub::broadcast);
    // Redis is back: what was published while it was away is only in PostgreSQL.
    connect(m_engine, &Engine::eventsConnected, m_sequencer, &EventSequencer::catchUp);
    // Clients that caught up before the live stream had its start go on reading.
    connect(m_sequencer, &EventSequencer::started, this, [this] {
        const auto clients = m_clients.keys();
        for (QWebSocket *c : clients)
            replay(c);
    });
}

EventHub::~EventHub() = default;

void EventHub::start()
{
    m_sequencer->startAtNewest();
}

Result<std::optional<qint64>> EventHub::since(const QUrlQuery &query)
{
    if (!query.hasQueryItem(u"since"_s))
        return std::optional<qint64>();
    const QString v = query.queryItemValue(u"since"_s, QUrl::FullyDecoded);
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    if (!ok || n < 0)
        return failure(Error::badRequest(
            u"since: expected the seq of an event (an integer from 0), got '%1'"_s.arg(v.left(40)),
            u"invalid_parameter"_s));
    return std::optional<qint64>(n);
}

std::optional<ApiError> EventHub::admission(const QUrlQuery &query) const
{
    if (const auto s = since(query); !s)
        return ApiError::from(s.error());
    if (m_clients.size() >= m_maxClients)
        return ApiError{503,
                        u"too_many_connections"_s,
                        u"too many WebSocket clients (at most %1)"_s.arg(m_maxClients)};
    return std::nullopt;
}

void EventHub::acceptFrom(QHttpServer *http)
{
    while (http && http->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = http->nextPendingWebSocketConnection();
        if (!socket)
            break;
        QWebSocket *client = socket.release();
        client->setParent(this);
        if (m_clients.size() >= m_maxClients) {
            client->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          u"too many WebSocket clients"_s);
            QTimer::singleShot(1000, client, [client] { client->deleteLater(); });
            continue;
        }
        client->setMaxAllowedIncomingFrameSize(kMaxWebSocketMessage);
        client->setMaxAllowedIncomingMessageSize(kMaxWebSocketMessage);
        connect(client, &QWebSocket::disconnected, this, [this, client] {
            m_clients.remove(client);
            client->deleteLater();
        });
        // A replay waits for the client to read what it was sent before it reads on.
        connect(client, &QWebSocket::bytesWritten, this, [this, client] { replay(client); });
        Client state;
        // Checked by admission(); a bad value cannot come this far.
        const std::optional<qint64> since
            = EventHub::since(QUrlQuery(client->requestUrl())).value_or(std::nullopt);
        if (since) {
            state.seq = *since;
            state.replaying = true;
        } else {
            state.seq = m_sequencer->lastSeq();
        }
        m_clients.insert(client, state);
        log()->info("WebSocket client {}:{} connected ({} now){}",
                    client->peerAddress().toString(),
                    client->peerPort(),
                    m_clients.size(),
                    since ? u", replaying the events after %1"_s.arg(*since) : QString());
        if (since)
            replay(client);
    }
}

void EventHub::offer(const Hive::Event &event)
{
    m_sequencer->offer(event);
}

void EventHub::broadcast(const Hive::Event &event)
{
    if (m_clients.isEmpty())
        return;
    const QString message = QString::fromUtf8(event.toJsonBytes());
    const auto clients = m_clients.keys();
    for (QWebSocket *c : clients) {
        const auto it = m_clients.find(c);
        if (it == m_clients.end() || it->replaying || event.seq <= it->seq)
            continue; // a replay sends it from PostgreSQL; or it was sent already
        it->seq = event.seq;
        send(c, message);
    }
}

bool EventHub::send(QWebSocket *client, const QString &message)
{
    if (client->bytesToWrite() > m_maxBacklogBytes) {
        drop(client, u"too slow: more than %1 bytes of events waiting"_s.arg(m_maxBacklogBytes));
        return false;
    }
    client->sendTextMessage(message);
    return true;
}

// The next page of a client's replay, unless one is on its way or most of the last one still
// waits to be sent; then live, once it has everything the live stream has sent.
void EventHub::replay(QWebSocket *client)
{
    const auto it = m_clients.find(client);
    if (it == m_clients.end() || !it->replaying || it->reading
        || client->bytesToWrite() > m_maxBacklogBytes / 2)
        return;
    it->reading = true;
    QPointer<QWebSocket> guard(client);
    const qint64 liveWhenAsked = m_sequencer->lastSeq();
    m_engine->events(it->seq, kReplayPage)
        .then(this, [this, guard, liveWhenAsked](Result<QList<Event>> page) {
            if (!guard)
                return;
            QWebSocket *client = guard.data();
            auto it = m_clients.find(client);
            if (it == m_clients.end())
                return; // dropped meanwhile
            it->reading = false;
            if (!page) {
                log()->warn("cannot replay events to a WebSocket client ({}); trying again",
                            page.error());
                QTimer::singleShot(1000, client, [this, client] { replay(client); });
                return;
            }
            for (const Event &e : std::as_const(*page)) {
                it = m_clients.find(client);
                if (it == m_clients.end())
                    return; // dropped: too slow
                if (e.seq <= it->seq)
                    continue;
                it->seq = e.seq;
                send(client, QString::fromUtf8(e.toJsonBytes()));
            }
            it = m_clients.find(client);
            if (it == m_clients.end())
                return;
            // Everything up to it->seq is sent, and the live stream sends only what follows it:
            // live, unless the live stream went further meanwhile. (When it did not, what it has
            // beyond the page is not in PostgreSQL: no event, nothing to wait for.)
            const qint64 live = m_sequencer->lastSeq();
            if (page->size() < kReplayPage && m_sequencer->isStarted()
                && (it->seq >= live || live == liveWhenAsked)) {
                it->replaying = false;
                return;
            }
            // More stored, or the live stream went on meanwhile; or it has not started yet
            // (started() comes back here).
            if (m_sequencer->isStarted() || page->size() >= kReplayPage)
                replay(client);
        });
}

void EventHub::closeAll()
{
    const auto clients = m_clients.keys();
    m_clients.clear();
    for (QWebSocket *c : clients) {
        c->close(QWebSocketProtocol::CloseCodeGoingAway, u"Agent Hive is shutting down"_s);
        c->flush();
        delete c;
    }
}

void EventHub::drop(QWebSocket *client, const QString &why)
{
    log()->warn("dropping WebSocket client {}:{}: {}",
                client->peerAddress().toString(),
                client->peerPort(),
                why);
    m_clients.remove(client);
    client->close(QWebSocketProtocol::CloseCodePolicyViolated, why);
    // It does not read, so it will not answer the close either.
    QTimer::singleShot(1000, client, [client] {
        client->abort();
        client->deleteLater();
    });
}

} // namespace Hive
