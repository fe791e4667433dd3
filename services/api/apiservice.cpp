// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiservice.h"
#include "models/validation.h"

#include "services/api/apiroutes.h"
#include "services/api/connectionguard.h"
#include "services/engine.h"
#include "services/core/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHttpHeaders>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("api");
}

constexpr quint64 kMaxWebSocketMessage = 64 * 1024; // clients have nothing to say

QFuture<QHttpServerResponse> ready(QHttpServerResponse &&response)
{
    return QtFuture::makeReadyValueFuture(std::move(response));
}

QFuture<QHttpServerResponse> ready(const ApiError &error)
{
    return ready(error.toResponse());
}

// Turns an engine future into the answer, in the API thread (the store's thread only runs the SQL
// and goes on with the next query while this one is turned into JSON). If the engine stops before
// it answers, the client still gets an answer.
template<typename T, typename F>
QFuture<QHttpServerResponse> respond(QObject *context, QFuture<T> future, F &&toResponse)
{
    return future.then(context, std::forward<F>(toResponse)).onCanceled(context, [] {
        return ApiError::unavailable(u"the engine stopped before answering"_s).toResponse();
    });
}

// The same for lists, whose JSON (a hundred agents, a thousand tasks) costs more than the rest of
// the request: built on the thread pool, so that the API thread goes on serving meanwhile and
// several lists are built on several cores.
template<typename T, typename F>
QFuture<QHttpServerResponse> respondInPool(QObject *context, QFuture<T> future, F &&toResponse)
{
    return future.then(QtFuture::Launch::Async, std::forward<F>(toResponse))
        .onCanceled(context, [] {
            return ApiError::unavailable(u"the engine stopped before answering"_s).toResponse();
        });
}

QHttpServerResponse withHeader(QHttpServerResponse &&response,
                               QHttpHeaders::WellKnownHeader name,
                               const QByteArray &value)
{
    QHttpHeaders h = response.headers();
    h.append(name, value);
    response.setHeaders(std::move(h));
    return std::move(response);
}

// Host: localhost, 127.0.0.1 or [::1], with or without a port (DNS rebinding: a page of
// evil.example that resolves to 127.0.0.1 sends Host: evil.example).
bool allowedHost(QByteArrayView value)
{
    const QByteArray h = value.trimmed().toByteArray().toLower();
    QByteArray host = h;
    QByteArray port;
    if (h.startsWith('[')) {
        const qsizetype close = h.indexOf(']');
        if (close < 0)
            return false;
        host = h.first(close + 1);
        const QByteArray rest = h.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(':'))
                return false;
            port = rest.sliced(1);
        }
    } else if (const qsizetype colon = h.indexOf(':'); colon >= 0) {
        host = h.first(colon);
        port = h.sliced(colon + 1);
    }
    if (!port.isNull()) {
        bool ok = false;
        const int n = port.toInt(&ok);
        if (!ok || port.isEmpty() || port.size() > 5 || n < 0 || n > 65535 || port.startsWith('+'))
            return false;
    }
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

bool overUnixSocket(const QHttpServerRequest &request)
{
    // QHttpServer gives requests of a QLocalSocket no ports; a TCP connection always has both.
    return request.localPort() == 0 && request.remotePort() == 0;
}

bool isWebSocketUpgrade(const QHttpServerRequest &request)
{
    return request.headers()
               .value(QHttpHeaders::WellKnownHeader::Upgrade)
               .compare("websocket", Qt::CaseInsensitive)
           == 0;
}

std::optional<QByteArray> bearerToken(const QHttpServerRequest &request)
{
    const auto values = request.headers().values(QHttpHeaders::WellKnownHeader::Authorization);
    if (values.size() != 1)
        return std::nullopt;
    const QByteArrayView v = QByteArrayView(values.first()).trimmed();
    constexpr QByteArrayView scheme = "bearer ";
    if (v.size() <= scheme.size()
        || v.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return v.sliced(scheme.size()).trimmed().toByteArray();
}

// Same time whatever the presented token: no early exit on the first different byte.
bool constantTimeEquals(QByteArrayView presented, QByteArrayView secret)
{
    unsigned char diff = presented.size() == secret.size() ? 0 : 1;
    for (qsizetype i = 0; i < secret.size(); ++i) {
        const char p = i < presented.size() ? presented[i] : '\0';
        diff |= static_cast<unsigned char>(p ^ secret[i]);
    }
    return diff == 0;
}

// Query parameters: each known at most once, unknown ones refused (a typo must not silently
// widen a filter).
std::optional<ApiError> checkQuery(const QUrlQuery &query, const QStringList &known)
{
    QStringList seen;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        Q_UNUSED(value);
        if (!known.contains(key))
            return ApiError::invalidParameter(
                known.isEmpty()
                    ? u"%1: unknown query parameter (this path takes none)"_s.arg(key)
                    : u"%1: unknown query parameter (known: %2)"_s.arg(key, known.join(u", "_s)));
        if (seen.contains(key))
            return ApiError::invalidParameter(u"%1: given more than once"_s.arg(key));
        seen << key;
    }
    return std::nullopt;
}

std::optional<QString> queryValue(const QUrlQuery &query, const QString &name)
{
    if (!query.hasQueryItem(name))
        return std::nullopt;
    return query.queryItemValue(name, QUrl::FullyDecoded);
}

Result<int> queryInt(const QUrlQuery &query, const QString &name, int min, int max, int fallback)
{
    const auto v = queryValue(query, name);
    if (!v)
        return fallback;
    bool ok = false;
    const int n = v->toInt(&ok);
    if (!ok || n < min || n > max)
        return failure(Error::badRequest(
            u"%1: expected an integer from %2 to %3, got '%4'"_s.arg(name).arg(min).arg(max).arg(*v),
            u"invalid_parameter"_s));
    return n;
}

QHttpServerResponse created(const QJsonObject &body, const QString &location)
{
    return withHeader(
        jsonResponse(body, 201), QHttpHeaders::WellKnownHeader::Location, location.toUtf8());
}

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

} // namespace

ApiService::ApiService(const ApiServer::Options &options, Engine *engine)
    : m_options(options)
    , m_engine(engine)
{}

ApiService::~ApiService() = default;

QString ApiService::token() const
{
    QMutexLocker lock(&m_tokenMutex);
    return QString::fromLatin1(m_token);
}

Result<QString> ApiService::listen()
{
    const QString dataDir = m_options.dataDir;
    if (dataDir.isEmpty())
        return failure(u"no data directory"_s);
    QDir().mkpath(dataDir);
    auto token = ApiServer::loadOrCreateToken(dataDir);
    if (!token)
        return failure(token.error());
    {
        QMutexLocker lock(&m_tokenMutex);
        m_token = token->toLatin1();
    }
    m_redisConnected = m_engine->redisConnected();

    m_budget = new ConnectionBudget(m_options.maxConnections, m_options.maxBodyBytes, this);
    m_http = new QHttpServer(this);
    addRoutes();
    m_http->setMissingHandler(
        this, [this](const QHttpServerRequest &request, QHttpServerResponder &responder) {
            missing(request, responder);
        });
    // Refused upgrades go on to the missing handler, which answers with the JSON error.
    m_http->addWebSocketUpgradeVerifier(this, [this](const QHttpServerRequest &request) {
        return webSocketRefusal(request) ? QHttpServerWebSocketUpgradeResponse::passToNext()
                                         : QHttpServerWebSocketUpgradeResponse::accept();
    });
    connect(m_http, &QHttpServer::newWebSocketConnection, this, &ApiService::acceptWebSockets);

    // TCP, loopback unless the user chose otherwise.
    const QHostAddress address = m_options.host == u"localhost"_s
                                     ? QHostAddress(QHostAddress::LocalHost)
                                     : QHostAddress(m_options.host);
    if (address.isNull())
        return failure(u"--api-host: '%1' is not an IP address"_s.arg(m_options.host));
    auto *tcp = new ApiTcpServer(m_budget);
    if (!tcp->listen(address, quint16(m_options.port))) {
        const QString why = tcp->errorString();
        delete tcp;
        return failure(u"cannot listen on %1 port %2: %3"_s.arg(address.toString())
                           .arg(m_options.port)
                           .arg(why));
    }
    if (!m_http->bind(tcp)) {
        delete tcp;
        return failure(u"the HTTP server could not take the TCP listener"_s);
    }
    m_port = tcp->serverPort();
    if (auto r
        = writeSmallFile(QDir(dataDir).filePath(u"api-port"_s), QByteArray::number(m_port) + '\n');
        !r)
        return failure(r.error());

    // The Unix socket: only this user may connect (mode 0600).
    const QString socketPath = QDir(dataDir).filePath(u"api.sock"_s);
    if (QFileInfo(socketPath).exists() || QFileInfo(socketPath).isSymLink()) {
        QLocalSocket probe;
        probe.connectToServer(socketPath);
        if (probe.waitForConnected(500))
            return failure(u"another process serves %1"_s.arg(socketPath));
        QLocalServer::removeServer(socketPath); // stale, from a process that died
        QFile::remove(socketPath);
    }
    auto *local = new ApiLocalServer(m_budget);
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

    // regenerateToken() (or the user) may replace the token file: the new token counts at once.
    m_tokenWatcher = new QFileSystemWatcher(this);
    m_tokenWatcher->addPath(QDir(dataDir).filePath(u"api-token"_s));
    m_tokenWatcher->addPath(dataDir);
    connect(m_tokenWatcher, &QFileSystemWatcher::fileChanged, this, &ApiService::reloadToken);
    connect(m_tokenWatcher, &QFileSystemWatcher::directoryChanged, this, &ApiService::reloadToken);

    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"[%1]"_s.arg(address.toString())
                             : address.toString();
    const QString url = u"http://%1:%2"_s.arg(host).arg(m_port);
    m_openApi = QJsonDocument(ApiRoutes::openApi(QStringLiteral(HIVE_VERSION), url))
                    .toJson(QJsonDocument::Compact);
    return url;
}

void ApiService::shutdown()
{
    const auto clients = m_clients;
    m_clients.clear();
    for (QWebSocket *c : clients) {
        c->close(QWebSocketProtocol::CloseCodeGoingAway, u"Agent Hive is shutting down"_s);
        c->flush();
        delete c;
    }
    delete m_tokenWatcher;
    m_tokenWatcher = nullptr;
    if (m_http) {
        delete m_http; // and with it the listeners (the socket file goes) and the connections
        m_http = nullptr;
        if (m_port)
            QFile::remove(QDir(m_options.dataDir).filePath(u"api-port"_s));
    }
}

void ApiService::reloadToken()
{
    const QString path = QDir(m_options.dataDir).filePath(u"api-token"_s);
    if (m_tokenWatcher && QFileInfo::exists(path) && !m_tokenWatcher->files().contains(path))
        m_tokenWatcher->addPath(path); // a renamed-over file is a new file to watch
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return; // gone for a moment (being replaced): keep the one we have
    const QByteArray t = f.readAll().trimmed();
    if (t.size() < 32)
        return;
    QMutexLocker lock(&m_tokenMutex);
    if (t != m_token) {
        m_token = t;
        log()->info("the API token was replaced ({})", path);
    }
}

bool ApiService::tokenMatches(QByteArrayView presented) const
{
    QMutexLocker lock(&m_tokenMutex);
    return !m_token.isEmpty() && constantTimeEquals(presented, m_token);
}

void ApiService::addRoutes()
{
    m_handlers = {
        {u"getHealth"_s,
         [this](const Call &c) {
             return health(c);
         }},
        {u"listAgents"_s,
         [this](const Call &c) {
             return listAgents(c);
         }},
        {u"spawnAgent"_s,
         [this](const Call &c) {
             return spawnAgent(c);
         }},
        {u"getAgent"_s,
         [this](const Call &c) {
             return getAgent(c);
         }},
        {u"killAgent"_s,
         [this](const Call &c) {
             return killAgent(c);
         }},
        {u"typeInput"_s,
         [this](const Call &c) {
             return typeInput(c);
         }},
        {u"readOutput"_s,
         [this](const Call &c) {
             return readOutput(c);
         }},
        {u"listTasks"_s,
         [this](const Call &c) {
             return listTasks(c);
         }},
        {u"createTask"_s,
         [this](const Call &c) {
             return createTask(c);
         }},
        {u"getTask"_s,
         [this](const Call &c) {
             return getTask(c);
         }},
        {u"cancelTask"_s,
         [this](const Call &c) {
             return cancelTask(c);
         }},
        {u"retryTask"_s,
         [this](const Call &c) {
             return retryTask(c);
         }},
        {u"events"_s,
         [this](const Call &c) {
             return events(c);
         }},
        {u"getOpenApi"_s,
         [this](const Call &c) {
             return openApi(c);
         }},
    };
    QStringList described;
    for (const ApiOperation &op : ApiRoutes::operations()) {
        if (!m_handlers.contains(op.id))
            qFatal("API operation %s has no handler", qPrintable(op.id));
        described << op.id;
        m_methodsByPath[op.path].insert(int(op.method), op.id);
    }
    for (auto it = m_handlers.cbegin(); it != m_handlers.cend(); ++it) {
        if (!described.contains(it.key()))
            qFatal("API handler %s is not in the route table (and so not in openapi.json)",
                   qPrintable(it.key()));
    }
    for (auto it = m_methodsByPath.cbegin(); it != m_methodsByPath.cend(); ++it) {
        const QString path = it.key();
        const QString pattern = ApiRoutes::routerPattern(path);
        if (path.contains(u"{id}"_s)) {
            m_http->route(
                pattern, this, [this, path](const QString &id, const QHttpServerRequest &request) {
                    return dispatch(path, id, request);
                });
        } else {
            m_http->route(pattern, this, [this, path](const QHttpServerRequest &request) {
                return dispatch(path, {}, request);
            });
        }
    }
}

std::optional<ApiError> ApiService::refusal(const QHttpServerRequest &request,
                                            bool needsToken) const
{
    const QHttpHeaders &headers = request.headers();
    // A browser sends Origin with every cross-origin and every POST request: no web page may drive
    // the API, whatever it is.
    if (headers.contains(QHttpHeaders::WellKnownHeader::Origin))
        return ApiError::forbidden(u"Origin: requests from web pages are refused"_s);
    const auto hosts = headers.values(QHttpHeaders::WellKnownHeader::Host);
    if (hosts.size() != 1)
        return ApiError::forbidden(
            u"Host: expected exactly one Host header (localhost, 127.0.0.1 or [::1])"_s);
    if (!allowedHost(hosts.first()))
        return ApiError::forbidden(u"Host: '%1' is not localhost, 127.0.0.1 or [::1]"_s.arg(
            QString::fromLatin1(hosts.first().left(100))));
    if (!needsToken || overUnixSocket(request))
        return std::nullopt; // the Unix socket's mode (0600) is its protection
    const auto token = bearerToken(request);
    if (!token)
        return ApiError::unauthorized(
            u"missing bearer token: send 'Authorization: Bearer <token>' (the token is in <data-dir>/api-token)"_s);
    if (!tokenMatches(*token))
        return ApiError::unauthorized(u"wrong bearer token"_s);
    return std::nullopt;
}

std::optional<ApiError> ApiService::webSocketRefusal(const QHttpServerRequest &request) const
{
    if (request.url().path() != u"/api/v1/events"_s)
        return ApiError::notFound(
            u"no WebSocket at %1 (the event stream is /api/v1/events)"_s.arg(request.url().path()));
    if (auto e = refusal(request, false))
        return e;
    const auto bearer = bearerToken(request);
    const auto queryToken = queryValue(request.query(), u"token"_s);
    if (!bearer && !queryToken)
        return ApiError::unauthorized(
            u"missing token: send 'Authorization: Bearer <token>' or ?token=<token>"_s);
    if (!tokenMatches(bearer ? QByteArrayView(*bearer) : QByteArrayView(queryToken->toUtf8())))
        return ApiError::unauthorized(u"wrong token"_s);
    if (m_clients.size() >= m_options.maxWebSocketClients)
        return ApiError{
            503,
            u"too_many_connections"_s,
            u"too many WebSocket clients (at most %1)"_s.arg(m_options.maxWebSocketClients)};
    return std::nullopt;
}

QFuture<QHttpServerResponse>
ApiService::dispatch(const QString &path, const QString &id, const QHttpServerRequest &request)
{
    const QHash<int, QString> &methods = m_methodsByPath[path];
    const QString op = methods.value(int(request.method()));
    const bool needsToken = !(op == u"getHealth"_s);
    if (auto e = refusal(request, needsToken))
        return ready(*e);
    if (op.isEmpty()) {
        QStringList allowed;
        for (const ApiOperation &o : ApiRoutes::operations())
            if (o.path == path)
                allowed << ApiRoutes::methodName(o.method);
        return ready(withHeader(
            ApiError{405,
                     u"method_not_allowed"_s,
                     u"%1 %2: allowed: %3"_s.arg(
                         ApiRoutes::methodName(request.method()), path, allowed.join(u", "_s))}
                .toResponse(),
            QHttpHeaders::WellKnownHeader::Allow,
            allowed.join(u", "_s).toLatin1()));
    }
    if (request.body().size() > m_options.maxBodyBytes)
        return ready(ApiError::tooLarge(m_options.maxBodyBytes));
    return m_handlers.value(op)(Call{id, request.query(), request.body()});
}

void ApiService::missing(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const QString path = request.url().path();
    if (isWebSocketUpgrade(request)) {
        const ApiError e
            = webSocketRefusal(request).value_or(ApiError::notFound(u"no WebSocket here"_s));
        responder.sendResponse(e.toResponse());
        // QHttpServer closes and deletes the connection as soon as this returns.
        m_budget->flushPeer(request.remoteAddress(), request.remotePort());
        return;
    }
    if (auto e = refusal(request, true)) {
        responder.sendResponse(e->toResponse());
        return;
    }
    // A known path with a method QHttpServer does not even know (e.g. "FOO"): 405 too.
    for (auto it = m_methodsByPath.cbegin(); it != m_methodsByPath.cend(); ++it) {
        QString re = QRegularExpression::escape(it.key());
        re.replace(QRegularExpression::escape(u"{id}"_s), u"[^/]+"_s);
        if (QRegularExpression(QRegularExpression::anchoredPattern(re)).match(path).hasMatch()) {
            QStringList allowed;
            for (const ApiOperation &o : ApiRoutes::operations())
                if (o.path == it.key())
                    allowed << ApiRoutes::methodName(o.method);
            responder.sendResponse(
                withHeader(ApiError{405,
                                    u"method_not_allowed"_s,
                                    u"%1: allowed: %2"_s.arg(it.key(), allowed.join(u", "_s))}
                               .toResponse(),
                           QHttpHeaders::WellKnownHeader::Allow,
                           allowed.join(u", "_s).toLatin1()));
            return;
        }
    }
    responder.sendResponse(
        ApiError::notFound(u"no such path: %1 (see /api/v1/openapi.json)"_s.arg(path.left(200)))
            .toResponse());
}

std::optional<ApiError> ApiService::needsRedis() const
{
    // Every state change is published on Redis (the queue, the events of WebSocket clients and the
    // GUI): while Redis is away, changes are refused rather than made half-way.
    if (!m_redisConnected)
        return ApiError::unavailable(
            u"Redis unreachable: state changes are refused until it is back"_s);
    return std::nullopt;
}

// ---- handlers
// ------------------------------------------------------------------------------------

QFuture<QHttpServerResponse> ApiService::health(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(this, m_engine->health(), [](const Engine::Health &h) {
        return jsonResponse(QJsonObject{{u"status"_s, h.postgres && h.redis && h.tmux ? u"ok"_s : u"degraded"_s},
                                        {u"postgres"_s, h.postgres},
                                        {u"redis"_s, h.redis},
                                        {u"tmux"_s, h.tmux},
                                        {u"version"_s, QStringLiteral(HIVE_VERSION)}});
    });
}

QFuture<QHttpServerResponse> ApiService::listAgents(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"status"_s}))
        return ready(*e);
    std::optional<Agent::Status> status;
    if (const auto v = queryValue(call.query, u"status"_s)) {
        status = Agent::statusFromName(*v);
        if (!status)
            return ready(ApiError::unknownValue(
                u"status: '%1' is not one of %2"_s.arg(*v, Agent::statusNames().join(u", "_s))));
    }
    return respondInPool(this, m_engine->agents(status), [](Result<QList<Agent>> agents) {
        if (!agents)
            return ApiError::from(agents.error()).toResponse();
        QJsonArray out;
        for (const Agent &a : std::as_const(*agents))
            out.append(a.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> ApiService::spawnAgent(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(
        call.body,
        {u"type"_s, u"name"_s, u"profile"_s, u"workdir"_s, u"repository"_s, u"interactive"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    SpawnRequest r;
    const auto type = body->string(u"type"_s);
    const auto name = body->string(u"name"_s);
    const auto profile = body->string(u"profile"_s);
    const auto workdir = body->string(u"workdir"_s);
    const auto repository = body->string(u"repository"_s);
    const auto interactive = body->boolean(u"interactive"_s);
    for (const auto *field : {&type, &name, &profile, &workdir, &repository})
        if (!*field)
            return ready(ApiError::from(field->error()));
    if (!interactive)
        return ready(ApiError::from(interactive.error()));
    if (!*type)
        return ready(ApiError::missingField(u"type: required, the agent type (e.g. \"dev\")"_s));
    r.type = **type;
    r.name = name->value_or(QString());
    r.profile = profile->value_or(QString());
    r.workdir = workdir->value_or(QString());
    r.repository = repository->value_or(QString());
    r.interactive = *interactive;
    if (auto e = needsRedis())
        return ready(*e);
    return respond(this, m_engine->spawn(r), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return created(agent->toJson(), u"/api/v1/agents/"_s + agent->id);
    });
}

QFuture<QHttpServerResponse> ApiService::getAgent(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(this, m_engine->agent(call.id), [](Result<Agent> agent) {
        if (!agent)
            return ApiError::from(agent.error()).toResponse();
        return jsonResponse(agent->toJson());
    });
}

QFuture<QHttpServerResponse> ApiService::killAgent(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(this, m_engine->kill(call.id), [](Result<> killed) {
        if (!killed)
            return ApiError::from(killed.error()).toResponse();
        return emptyResponse(204);
    });
}

QFuture<QHttpServerResponse> ApiService::typeInput(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body, {u"text"_s, u"enter"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto text = body->string(u"text"_s);
    if (!text)
        return ready(ApiError::from(text.error()));
    const auto enter = body->boolean(u"enter"_s);
    if (!enter)
        return ready(ApiError::from(enter.error()));
    if (!*text)
        return ready(ApiError::missingField(u"text: required, the text to type"_s));
    if ((*text)->isEmpty() && !enter->value_or(false))
        return ready(
            ApiError::invalidValue(u"text: empty, and enter is not true: nothing to type"_s));
    return respond(this,
                   m_engine->input(call.id, **text, enter->value_or(false)),
                   [](Result<> typed) {
                       if (!typed)
                           return ApiError::from(typed.error()).toResponse();
                       return jsonResponse(QJsonObject{{u"accepted"_s, true}}, 202);
                   });
}

QFuture<QHttpServerResponse> ApiService::readOutput(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"lines"_s}))
        return ready(*e);
    const auto lines = queryInt(call.query, u"lines"_s, 1, 10000, 200);
    if (!lines)
        return ready(ApiError::from(lines.error()));
    return respond(
        this, m_engine->output(call.id, *lines), [](Result<QString> text) {
            if (!text)
                return ApiError::from(text.error()).toResponse();
            return jsonResponse(QJsonObject{{u"text"_s, *text}});
        });
}

QFuture<QHttpServerResponse> ApiService::listTasks(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"status"_s, u"agent_type"_s, u"limit"_s}))
        return ready(*e);
    TaskFilter filter;
    if (const auto v = queryValue(call.query, u"status"_s)) {
        filter.status = Task::statusFromName(*v);
        if (!filter.status)
            return ready(ApiError::unknownValue(
                u"status: '%1' is not one of %2"_s.arg(*v, Task::statusNames().join(u", "_s))));
    }
    if (const auto v = queryValue(call.query, u"agent_type"_s)) {
        if (!Validation::isAgentType(*v))
            return ready(ApiError::invalidParameter(
                u"agent_type: '%1' is not an agent type (lower-case letters, digits, '_' and '-', at most 32)"_s
                    .arg(*v)));
        filter.agentType = *v;
    }
    const auto limit = queryInt(call.query, u"limit"_s, 1, 1000, 100);
    if (!limit)
        return ready(ApiError::from(limit.error()));
    filter.limit = *limit;
    return respondInPool(this, m_engine->tasks(filter), [](Result<QList<Task>> tasks) {
        if (!tasks)
            return ApiError::from(tasks.error()).toResponse();
        QJsonArray out;
        for (const Task &t : std::as_const(*tasks))
            out.append(t.toJson());
        return jsonResponse(out);
    });
}

QFuture<QHttpServerResponse> ApiService::createTask(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    const auto body = JsonBody::parse(call.body,
                                      {u"prompt"_s,
                                       u"title"_s,
                                       u"agent_type"_s,
                                       u"priority"_s,
                                       u"depends_on"_s,
                                       u"max_attempts"_s});
    if (!body)
        return ready(ApiError::from(body.error()));
    const auto prompt = body->string(u"prompt"_s);
    const auto title = body->string(u"title"_s);
    const auto agentType = body->string(u"agent_type"_s);
    for (const auto *field : {&prompt, &title, &agentType})
        if (!*field)
            return ready(ApiError::from(field->error()));
    const auto priority = body->integer(u"priority"_s);
    const auto maxAttempts = body->integer(u"max_attempts"_s);
    for (const auto *field : {&priority, &maxAttempts})
        if (!*field)
            return ready(ApiError::from(field->error()));
    const auto dependsOn = body->stringList(u"depends_on"_s);
    if (!dependsOn)
        return ready(ApiError::from(dependsOn.error()));

    Task t;
    if (!*prompt)
        return ready(ApiError::missingField(u"prompt: required, what the agent should do"_s));
    if ((*prompt)->trimmed().isEmpty())
        return ready(ApiError::invalidValue(u"prompt: must not be empty"_s));
    t.prompt = **prompt;
    t.title = title->value_or(QString());
    t.agentType = agentType->value_or(u"dev"_s);
    if (!Validation::isAgentType(t.agentType))
        return ready(ApiError::invalidValue(
            u"agent_type: unknown agent type '%1' (lower-case letters, digits, "
            "'_' and '-', at most 32)"_s.arg(t.agentType)));
    const qint64 p = priority->value_or(0);
    if (p < 0 || p > 9)
        return ready(ApiError::invalidValue(u"priority: must be from 0 to 9, got %1"_s.arg(p)));
    t.priority = int(p);
    const qint64 m = maxAttempts->value_or(3);
    if (m < 1 || m > 100)
        return ready(
            ApiError::invalidValue(u"max_attempts: must be from 1 to 100, got %1"_s.arg(m)));
    t.maxAttempts = int(m);
    for (const QString &dep : dependsOn->value_or(QStringList()))
        if (!t.dependsOn.contains(dep))
            t.dependsOn << dep;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.status = Task::Status::Queued;
    if (auto e = needsRedis())
        return ready(*e);
    return respond(this, m_engine->createTask(t), [](Result<Task> task) {
        if (!task)
            return ApiError::from(task.error()).toResponse();
        return created(task->toJson(), u"/api/v1/tasks/"_s + task->id);
    });
}

QFuture<QHttpServerResponse> ApiService::getTask(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(this, m_engine->task(call.id), [](Result<Task> task) {
        if (!task)
            return ApiError::from(task.error()).toResponse();
        return jsonResponse(task->toJson());
    });
}

QFuture<QHttpServerResponse> ApiService::cancelTask(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(this, m_engine->cancelTask(call.id), [](Result<Task> task) {
        if (!task)
            return ApiError::from(task.error()).toResponse();
        return jsonResponse(task->toJson());
    });
}

QFuture<QHttpServerResponse> ApiService::retryTask(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (auto e = needsRedis())
        return ready(*e);
    return respond(this, m_engine->retryTask(call.id), [](Result<Task> task) {
        if (!task)
            return ApiError::from(task.error()).toResponse();
        return jsonResponse(task->toJson());
    });
}

QFuture<QHttpServerResponse> ApiService::events(const Call &)
{
    // Upgrades never come here (they are accepted, or refused by the missing handler).
    const ApiError e{
        426,
        u"upgrade_required"_s,
        u"/api/v1/events is a WebSocket, served over TCP: ws://127.0.0.1:%1/api/v1/events"_s.arg(
            m_port)};
    return ready(withHeader(e.toResponse(), QHttpHeaders::WellKnownHeader::Upgrade, "websocket"));
}

QFuture<QHttpServerResponse> ApiService::openApi(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return ready(jsonResponse(QJsonDocument::fromJson(m_openApi).object()));
}

// ---- WebSocket clients
// ----------------------------------------------------------------------------

void ApiService::acceptWebSockets()
{
    while (m_http && m_http->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = m_http->nextPendingWebSocketConnection();
        if (!socket)
            break;
        QWebSocket *client = socket.release();
        client->setParent(this);
        if (m_clients.size() >= m_options.maxWebSocketClients) {
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

void ApiService::broadcast(const Hive::Event &event)
{
    if (m_clients.isEmpty())
        return;
    const QString message = QString::fromUtf8(event.toJsonBytes());
    const auto clients = m_clients;
    for (QWebSocket *c : clients) {
        if (c->bytesToWrite() > m_options.maxWebSocketBacklogBytes) {
            dropClient(c,
                       u"too slow: more than %1 bytes of events waiting"_s.arg(
                           m_options.maxWebSocketBacklogBytes));
            continue;
        }
        c->sendTextMessage(message);
    }
}

void ApiService::dropClient(QWebSocket *client, const QString &why)
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
