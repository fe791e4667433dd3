// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/eventhub.h"

#include "services/core/logging.h"

#include <QHttpServer>
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

EventHub::EventHub(int maxClients, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent)
    , m_maxClients(maxClients)
    , m_maxBacklogBytes(maxBacklogBytes)
{}

std::optional<ApiError> EventHub::admission() const
{
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
            m_clients.removeOne(client);
            client->deleteLater();
        });
        m_clients << client;
        log()->info("WebSocket client {}:{} connected ({} now)",
                    client->peerAddress().toString(),
                    client->peerPort(),
                    m_clients.size());
    }
}

void EventHub::broadcast(const Hive::Event &event)
{
    if (m_clients.isEmpty())
        return;
    const QString message = QString::fromUtf8(event.toJsonBytes());
    const auto clients = m_clients;
    for (QWebSocket *c : clients) {
        if (c->bytesToWrite() > m_maxBacklogBytes) {
            drop(c, u"too slow: more than %1 bytes of events waiting"_s.arg(m_maxBacklogBytes));
            continue;
        }
        c->sendTextMessage(message);
    }
}

void EventHub::closeAll()
{
    const auto clients = m_clients;
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
    m_clients.removeOne(client);
    client->close(QWebSocketProtocol::CloseCodePolicyViolated, why);
    // It does not read, so it will not answer the close either.
    QTimer::singleShot(1000, client, [client] {
        client->abort();
        client->deleteLater();
    });
}

} // namespace Hive
