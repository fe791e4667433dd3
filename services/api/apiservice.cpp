// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiservice.h"

#include "services/api/agentcontroller.h"
#include "services/api/apiauth.h"
#include "services/api/apiroutes.h"
#include "services/api/apitoken.h"
#include "services/api/connectionguard.h"
#include "services/api/costcontroller.h"
#include "services/api/eventhub.h"
#include "services/api/reviewcontroller.h"
#include "services/api/runnercontroller.h"
#include "services/api/searchcontroller.h"
#include "services/api/systemcontroller.h"
#include "services/api/taskcontroller.h"
#include "services/api/teamcontroller.h"
#include "services/engine.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QLocalSocket>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// Written whole or not at all (a reader never sees half a port number).
Result<> writeSmallFile(const QString &path, const QByteArray &content)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    f.write(content);
    if (!f.commit())
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    return {};
}

// 405 with the methods the path has, in the table's order.
QHttpServerResponse methodNotAllowed(const ApiResource &resource, const QString &what)
{
    return withHeader(
        ApiError{405, u"method_not_allowed"_s, u"%1: allowed: %2"_s.arg(what, resource.allowed)}
            .toResponse(),
        QHttpHeaders::WellKnownHeader::Allow,
        resource.allowed.toLatin1());
}

} // namespace

ApiService::ApiService(const ApiServer::Options &options, Engine *engine)
    : m_options(options)
    , m_engine(engine)
    , m_token(new ApiToken(options.dataDir, this))
    , m_hub(
          new EventHub(engine, options.maxWebSocketClients, options.maxWebSocketBacklogBytes, this))
    , m_system(new SystemController(engine, this))
{
    m_controllers = {m_system,
                     new AgentController(engine, this),
                     new TaskController(engine, this),
                     new SearchController(engine, this),
                     new ReviewController(engine, this),
                     new RunnerController(engine, this),
                     new CostController(engine, this),
                     new TeamController(engine, this),
                     new AgentOpsController(engine, this)};
}

ApiService::~ApiService() = default;

QString ApiService::token() const
{
    return QString::fromLatin1(m_token->value());
}

void ApiService::broadcast(const Hive::Event &event)
{
    m_hub->offer(event);
}

Result<QString> ApiService::listen()
{
    const QString dataDir = m_options.dataDir;
    if (dataDir.isEmpty())
        return failure(u"no data directory"_s);
    QDir().mkpath(dataDir);
    if (auto r = m_token->load(); !r)
        return failure(r.error());

    m_hub->start();
    ConnectionBudget::Limits tcp;
    tcp.maxConnections = m_options.maxConnections;
    tcp.maxUnvetted = qMin(m_options.maxUnauthenticatedConnections, m_options.maxConnections);
    tcp.maxBodyBytes = m_options.maxBodyBytes;
    tcp.requestTimeoutMs = m_options.requestTimeoutMs;
    tcp.idleTimeoutMs = m_options.idleTimeoutMs;
    tcp.token = [token = m_token] {
        return token->value();
    };
    m_tcpBudget = new ConnectionBudget(tcp, u"TCP"_s, this);
    ConnectionBudget::Limits local = tcp;
    local.maxConnections = m_options.maxLocalConnections;
    local.maxUnvetted = m_options.maxLocalConnections;
    local.token = nullptr; // the socket's mode (0600) is the check
    m_localBudget = new ConnectionBudget(local, u"api.sock"_s, this);
    m_http = new QHttpServer(this);
    addRoutes();
    m_http->setMissingHandler(
        this, [this](const QHttpServerRequest &request, QHttpServerResponder &responder) {
            missing(request, responder);
        });
    // Refused upgrades go on to the missing handler, which answers with the JSON error.
    m_http->addWebSocketUpgradeVerifier(this, [this](const QHttpServerRequest &request) {
        if (webSocketRefusal(request))
            return QHttpServerWebSocketUpgradeResponse::passToNext();
        // The connection leaves QHttpServer: no request or idle timeouts any more.
        m_tcpBudget->upgrading(request.remoteAddress(), request.remotePort());
        return QHttpServerWebSocketUpgradeResponse::accept();
    });
    connect(
        m_http, &QHttpServer::newWebSocketConnection, this, [this] { m_hub->acceptFrom(m_http); });

    if (auto r = listenOnTcp(); !r)
        return failure(r.error());
    if (auto r
        = writeSmallFile(QDir(dataDir).filePath(u"api-port"_s), QByteArray::number(m_port) + '\n');
        !r)
        return failure(r.error());
    if (auto r = listenOnUnixSocket(); !r)
        return failure(r.error());

    // regenerateToken() (or the user) may replace the token file: the new token counts at once.
    m_token->watch();

    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"[%1]"_s.arg(m_address.toString())
                             : m_address.toString();
    const QString url = u"http://%1:%2"_s.arg(host).arg(m_port);
    m_system->setServer(url, m_port);
    return url;
}

// Loopback, unless the user chose otherwise.
Result<> ApiService::listenOnTcp()
{
    m_address = m_options.host == u"localhost"_s ? QHostAddress(QHostAddress::LocalHost)
                                                 : QHostAddress(m_options.host);
    if (m_address.isNull())
        return failure(u"--api-host: '%1' is not an IP address"_s.arg(m_options.host));
    auto *tcp = new ApiTcpServer(m_tcpBudget);
    if (!tcp->listen(m_address, quint16(m_options.port))) {
        const QString why = tcp->errorString();
        delete tcp;
        return failure(u"cannot listen on %1 port %2: %3"_s.arg(m_address.toString())
                           .arg(m_options.port)
                           .arg(why));
    }
    if (!m_http->bind(tcp)) {
        delete tcp;
        return failure(u"the HTTP server could not take the TCP listener"_s);
    }
    m_port = tcp->serverPort();
    return {};
}

// Only this user may connect (mode 0600).
Result<> ApiService::listenOnUnixSocket()
{
    const QString socketPath = QDir(m_options.dataDir).filePath(u"api.sock"_s);
    if (QFileInfo(socketPath).exists() || QFileInfo(socketPath).isSymLink()) {
        QLocalSocket probe;
        probe.connectToServer(socketPath);
        if (probe.waitForConnected(500))
            return failure(u"another process serves %1"_s.arg(socketPath));
        QLocalServer::removeServer(socketPath); // stale, from a process that died
        QFile::remove(socketPath);
    }
    auto *local = new ApiLocalServer(m_localBudget);
    local->setSocketOptions(QLocalServer::UserAccessOption);
    if (!local->listen(socketPath)) {
        const QString why = local->errorString();
        delete local;
        return failure(u"cannot listen on %1: %2"_s.arg(socketPath, why));
    }
    QFile::setPermissions(socketPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!m_http->bind(local)) {
        delete local;
        return failure(u"the HTTP server could not take the Unix-socket listener"_s);
    }
    return {};
}

void ApiService::shutdown()
{
    m_hub->closeAll();
    m_token->stopWatching();
    if (m_http) {
        delete m_http; // and with it the listeners (the socket file goes) and the connections
        m_http = nullptr;
        if (m_port)
            QFile::remove(QDir(m_options.dataDir).filePath(u"api-port"_s));
    }
}

// The controllers' handlers against the route table: every operation has exactly one handler and
// every handler an operation (so that openapi.json describes exactly what is served).
void ApiService::addRoutes()
{
    for (ApiController *controller : std::as_const(m_controllers)) {
        const auto handlers = controller->handlers();
        for (auto it = handlers.cbegin(); it != handlers.cend(); ++it) {
            if (m_handlers.contains(it.key()))
                qFatal("API operation %s has two handlers", qPrintable(it.key()));
            m_handlers.insert(it.key(), it.value());
        }
    }
    QStringList described;
    for (const ApiOperation &op : ApiRoutes::operations()) {
        if (!m_handlers.contains(op.id))
            qFatal("API operation %s has no handler", qPrintable(op.id));
        described << op.id;
    }
    for (auto it = m_handlers.cbegin(); it != m_handlers.cend(); ++it) {
        if (!described.contains(it.key()))
            qFatal("API handler %s is not in the route table (and so not in openapi.json)",
                   qPrintable(it.key()));
    }
    for (const ApiResource &resource : ApiRoutes::resources()) {
        const ApiResource *r = &resource; // the table is built once and never changes
        const QString pattern = ApiRoutes::routerPattern(r->path);
        if (r->path.contains(u"{id}"_s)) {
            m_http->route(
                pattern, this, [this, r](const QString &id, const QHttpServerRequest &request) {
                    return dispatch(*r, id, request);
                });
        } else {
            m_http->route(pattern, this, [this, r](const QHttpServerRequest &request) {
                return dispatch(*r, {}, request);
            });
        }
    }
}

QFuture<QHttpServerResponse> ApiService::dispatch(const ApiResource &resource,
                                                  const QString &id,
                                                  const QHttpServerRequest &request)
{
    const ApiOperation *op = resource.byMethod.value(int(request.method()));
    const bool needsToken = (!op || op->needsToken) && !ApiAuth::overUnixSocket(request);
    if (auto e = ApiAuth::refusal(request.headers(), needsToken, m_token->value()))
        return ApiController::ready(*e);
    if (!op)
        return ApiController::ready(methodNotAllowed(
            resource, u"%1 %2"_s.arg(ApiRoutes::methodName(request.method()), resource.path)));
    if (request.body().size() > m_options.maxBodyBytes)
        return ApiController::ready(ApiError::tooLarge(m_options.maxBodyBytes));
    return m_handlers.value(op->id)({id, request.query(), request.body()});
}

void ApiService::missing(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const QString path = request.url().path();
    if (ApiAuth::isWebSocketUpgrade(request.headers())) {
        const ApiError e
            = webSocketRefusal(request).value_or(ApiError::notFound(u"no WebSocket here"_s));
        responder.sendResponse(e.toResponse());
        // QHttpServer closes and deletes the connection as soon as this returns.
        m_tcpBudget->flushPeer(request.remoteAddress(), request.remotePort());
        return;
    }
    if (auto e = ApiAuth::refusal(
            request.headers(), !ApiAuth::overUnixSocket(request), m_token->value())) {
        responder.sendResponse(e->toResponse());
        return;
    }
    // A known path with a method QHttpServer does not even know (e.g. "FOO"): 405 too.
    if (const ApiResource *resource = ApiRoutes::resourceOf(path)) {
        responder.sendResponse(methodNotAllowed(*resource, resource->path));
        return;
    }
    responder.sendResponse(
        ApiError::notFound(u"no such path: %1 (see /api/v1/openapi.json)"_s.arg(path.left(200)))
            .toResponse());
}

std::optional<ApiError> ApiService::webSocketRefusal(const QHttpServerRequest &request) const
{
    if (request.url().path() != u"/api/v1/events"_s)
        return ApiError::notFound(
            u"no WebSocket at %1 (the event stream is /api/v1/events)"_s.arg(request.url().path()));
    if (auto e = ApiAuth::webSocketRefusal(request.headers(), request.query(), m_token->value()))
        return e;
    return m_hub->admission(request.query());
}

} // namespace Hive
