// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apierror.h"
#include "services/api/apiserver.h"
#include "models/event.h"
#include "services/api/jsonbody.h"

#include <QFuture>
#include <QHash>
#include <QHttpServerResponse>
#include <QMutex>
#include <QObject>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QFileSystemWatcher;
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QWebSocket;

namespace Hive {

class ConnectionBudget;
class Engine;

// The worker behind ApiServer: lives in the API thread and owns everything network there (the
// QHttpServer, its QTcpServer and QLocalServer, the WebSocket clients). Every route handler
// returns at once: those that need the engine return a QFuture that the engine fulfils.
class ApiService : public QObject
{
    Q_OBJECT

public:
    ApiService(const ApiServer::Options &options, Engine *engine);
    ~ApiService() override;

    Result<QString> listen(); // in the API thread: token, listeners, port file; the base URL
    void shutdown();          // in the API thread: closes listeners and clients

    quint16 port() const { return m_port; }
    QString token() const;

    void broadcast(const Hive::Event &event); // to every WebSocket client, in order
    void setRedisConnected(bool connected) { m_redisConnected = connected; }

private:
    // What a handler needs of a request, copied out of it (the request does not outlive the call).
    struct Call
    {
        QString id;
        QUrlQuery query;
        QByteArray body;
    };
    using Handler = std::function<QFuture<QHttpServerResponse>(const Call &)>;

    void addRoutes();
    QFuture<QHttpServerResponse>
    dispatch(const QString &path, const QString &id, const QHttpServerRequest &request);
    void missing(const QHttpServerRequest &request, QHttpServerResponder &responder);
    std::optional<ApiError> refusal(const QHttpServerRequest &request, bool needsToken) const;
    std::optional<ApiError> webSocketRefusal(const QHttpServerRequest &request) const;
    bool tokenMatches(QByteArrayView presented) const;
    void acceptWebSockets();
    void dropClient(QWebSocket *client, const QString &why);
    void reloadToken();

    // The handlers, one per ApiOperation::id.
    QFuture<QHttpServerResponse> health(const Call &call);
    QFuture<QHttpServerResponse> listAgents(const Call &call);
    QFuture<QHttpServerResponse> spawnAgent(const Call &call);
    QFuture<QHttpServerResponse> getAgent(const Call &call);
    QFuture<QHttpServerResponse> killAgent(const Call &call);
    QFuture<QHttpServerResponse> typeInput(const Call &call);
    QFuture<QHttpServerResponse> readOutput(const Call &call);
    QFuture<QHttpServerResponse> listTasks(const Call &call);
    QFuture<QHttpServerResponse> createTask(const Call &call);
    QFuture<QHttpServerResponse> getTask(const Call &call);
    QFuture<QHttpServerResponse> cancelTask(const Call &call);
    QFuture<QHttpServerResponse> retryTask(const Call &call);
    QFuture<QHttpServerResponse> events(const Call &call);
    QFuture<QHttpServerResponse> openApi(const Call &call);

    std::optional<ApiError> needsRedis() const;

    ApiServer::Options m_options;
    Engine *m_engine;
    QHttpServer *m_http = nullptr;
    ConnectionBudget *m_budget = nullptr;
    QFileSystemWatcher *m_tokenWatcher = nullptr;
    QHash<QString, Handler> m_handlers;                  // operation id → handler
    QHash<QString, QHash<int, QString>> m_methodsByPath; // path → method → operation id
    QList<QWebSocket *> m_clients;
    int m_pendingClients = 0;
    quint16 m_port = 0;
    bool m_redisConnected = false;
    mutable QMutex m_tokenMutex;
    QByteArray m_token;
    QByteArray m_openApi;
};

} // namespace Hive
