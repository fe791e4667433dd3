// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/event.h"
#include "services/api/apicontroller.h"
#include "services/api/apierror.h"
#include "services/api/apiserver.h"

#include <QFuture>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerResponse>
#include <QObject>

#include <optional>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;

namespace Hive {

class ApiToken;
class ConnectionBudget;
class Engine;
class EventHub;
class SystemController;
struct ApiResource;

// The worker behind ApiServer: lives in the API thread and owns everything network there (the
// QHttpServer, its QTcpServer and QLocalServer, the EventHub of WebSocket clients). It listens,
// checks who is asking (ApiAuth) and hands each request to the controller of its operation.
class ApiService : public QObject
{
    Q_OBJECT

public:
    ApiService(const ApiServer::Options &options, Engine *engine);
    ~ApiService() override;

    Result<QString> listen(); // in the API thread: token, listeners, port file; the base URL
    void shutdown();          // in the API thread: closes listeners and clients

    quint16 port() const { return m_port; }
    QString token() const; // any thread

    void broadcast(const Hive::Event &event); // as Redis delivered it: to the hub, which orders it

private:
    Result<> listenOnTcp();
    Result<> listenOnUnixSocket();
    void addRoutes();
    QFuture<QHttpServerResponse>
    dispatch(const ApiResource &resource, const QString &id, const QHttpServerRequest &request);
    void missing(const QHttpServerRequest &request, QHttpServerResponder &responder);
    std::optional<ApiError> webSocketRefusal(const QHttpServerRequest &request) const;

    ApiServer::Options m_options;
    Engine *m_engine;
    ApiToken *m_token;
    EventHub *m_hub;
    SystemController *m_system;
    QList<ApiController *> m_controllers;
    QHash<QString, ApiController::Handler> m_handlers; // operation id → handler
    QHttpServer *m_http = nullptr;
    ConnectionBudget *m_tcpBudget = nullptr;
    ConnectionBudget *m_localBudget = nullptr;
    QHostAddress m_address;
    quint16 m_port = 0;
};

} // namespace Hive
