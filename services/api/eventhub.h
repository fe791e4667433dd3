// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/event.h"
#include "services/api/apierror.h"
#include "services/core/result.h"

#include <QHash>
#include <QObject>
#include <QUrlQuery>

#include <optional>

class QHttpServer;
class QWebSocket;

namespace Hive {

class Engine;
class EventSequencer;

// The WebSocket clients of /api/v1/events: takes the upgraded connections and sends each of them
// every event once, in seq order, and drops a client that lets too much wait unsent rather than
// letting the API's memory grow. The events come from Redis through an EventSequencer, which holds
// an event back behind a gap in seq until the gap is read from PostgreSQL, and reads what was
// published while Redis was away as soon as it is back: live clients miss nothing either.
//
// A client that connects with ?since=SEQ first gets the events after SEQ from PostgreSQL, page by
// page (the next page asked for only once the last one is mostly sent), then the live ones: the
// last seq it was sent decides, so that nothing at the seam is missed or sent twice. Without
// since it gets the events from now on. Lives in the API thread.
class EventHub : public QObject
{
    Q_OBJECT

public:
    EventHub(Engine *engine, int maxClients, qint64 maxBacklogBytes, QObject *parent = nullptr);
    ~EventHub() override;

    void start(); // in the API thread: the live events after the newest one stored now

    // The 400 for a bad ?since=, the 503 for an upgrade while every place is taken, or nothing.
    std::optional<ApiError> admission(const QUrlQuery &query) const;
    void acceptFrom(QHttpServer *http);   // the upgrades QHttpServer has waiting
    void offer(const Hive::Event &event); // an event as Redis delivered it (Engine::eventReceived)
    void closeAll();                      // shutting down

    // ?since=SEQ: nullopt when absent; an error naming the parameter when it is no seq.
    static Result<std::optional<qint64>> since(const QUrlQuery &query);
    static constexpr int kReplayPage = 200;

private:
    struct Client
    {
        qint64 seq = -1;        // the last event sent; -1: none yet (live from the next one)
        bool replaying = false; // catching up from PostgreSQL; live events wait for it
        bool reading = false;   // a page is on its way
    };

    void broadcast(const Hive::Event &event); // the sequencer's
    bool send(QWebSocket *client, const QString &message);
    void replay(QWebSocket *client);
    void drop(QWebSocket *client, const QString &why);

    Engine *m_engine;
    EventSequencer *m_sequencer;
    int m_maxClients;
    qint64 m_maxBacklogBytes;
    QHash<QWebSocket *, Client> m_clients;
};

} // namespace Hive
