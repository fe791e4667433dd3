// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/event.h"
#include "services/api/apierror.h"

#include <QList>
#include <QObject>

#include <optional>

class QHttpServer;
class QWebSocket;

namespace Hive {

// The WebSocket clients of /api/v1/events: takes the upgraded connections, sends every event to
// each of them in order, and drops a client that lets too much wait unsent rather than letting
// the API's memory grow. Lives in the API thread.
class EventHub : public QObject
{
    Q_OBJECT

public:
    EventHub(int maxClients, qint64 maxBacklogBytes, QObject *parent = nullptr);

    // The 503 for an upgrade while every place is taken, or nothing.
    std::optional<ApiError> admission() const;
    void acceptFrom(QHttpServer *http); // the upgrades QHttpServer has waiting
    void broadcast(const Hive::Event &event);
    void closeAll(); // shutting down

private:
    void drop(QWebSocket *client, const QString &why);

    int m_maxClients;
    qint64 m_maxBacklogBytes;
    QList<QWebSocket *> m_clients;
};

} // namespace Hive
