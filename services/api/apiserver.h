// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QFuture>
#include <QObject>
#include <QString>
#include <QThread>

namespace Hive {

class Engine;

// The local REST and WebSocket API (/api/v1, ../shared/API.md): QHttpServer bound to a QTcpServer
// (loopback, --api-port) and a QLocalServer (<data-dir>/api.sock, mode 0600), all created in the
// API's own thread. Handlers that need the engine return QFuture<QHttpServerResponse>, so the API
// thread never waits on SQL or tmux.
class ApiServer : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString host = QStringLiteral("127.0.0.1");
        int port = 8000; // 0: any free port
        QString dataDir; // api-token, api-port, api.sock live here
        // TCP connections open at once; of them, at most maxUnauthenticatedConnections that have
        // not yet sent a request with the token (the oldest of those is closed to make room for a
        // newcomer). The Unix socket has a budget of its own (maxLocalConnections), so that a
        // flood on the TCP port never locks it out; room for a hive of 200 runners saying they
        // are ready at once, beside the window and scripts.
        int maxConnections = 256;
        int maxUnauthenticatedConnections = 128;
        int maxLocalConnections = 256;
        int maxWebSocketClients = 64;
        qint64 maxBodyBytes = 1024 * 1024;
        // A request (head and body) must be complete this long after its first byte (after the
        // accept, for a connection's first request): else 408 and closed (slowloris). 0: never.
        int requestTimeoutMs = 10000;
        // A kept-alive connection without a request for this long is closed. 0: never.
        int idleTimeoutMs = 60000;
        // A WebSocket client that lets more than this wait unsent is too slow: it is dropped
        // (close code 1008) rather than letting the API's memory grow.
        qint64 maxWebSocketBacklogBytes = 8 * 1024 * 1024;
    };

    ApiServer(const Options &options, Engine *engine, QObject *parent = nullptr);
    ~ApiServer() override;

    // Starts the API thread and listens. The result is the base URL (http://127.0.0.1:PORT).
    QFuture<Result<QString>> start();
    void stop(); // closes the listeners and the clients, joins the thread

    int port() const;      // the port actually bound (valid after start)
    QString token() const; // the bearer token
    QString tokenFile() const;
    QString socketPath() const;

    // The token of <dataDir>/api-token, made (128+ random bits, mode 0600) when missing.
    static Result<QString> loadOrCreateToken(const QString &dataDir);
    static Result<QString> regenerateToken(const QString &dataDir);

private:
    class Private;
    Private *d;
};

} // namespace Hive
