// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/systemcontroller.h"

#include "services/api/apiroutes.h"
#include "services/engine.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Hive {

SystemController::SystemController(Engine *engine, QObject *parent)
    : ApiController(engine, parent)
{}

QHash<QString, ApiController::Handler> SystemController::handlers()
{
    return {
        {u"getHealth"_s, bind(&SystemController::health)},
        {u"getOpenApi"_s, bind(&SystemController::openApi)},
        {u"events"_s, bind(&SystemController::events)},
    };
}

void SystemController::setServer(const QString &url, quint16 port)
{
    m_port = port;
    m_openApi = QJsonDocument(ApiRoutes::openApi(QStringLiteral(HIVE_VERSION), url))
                    .toJson(QJsonDocument::Compact);
}

QFuture<QHttpServerResponse> SystemController::health(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->health(), [](const Engine::Health &h) {
        const bool ok = h.postgres && h.redis && h.tmux;
        return jsonResponse(QJsonObject{{u"status"_s, ok ? u"ok"_s : u"degraded"_s},
                                        {u"postgres"_s, h.postgres},
                                        {u"redis"_s, h.redis},
                                        {u"tmux"_s, h.tmux},
                                        {u"version"_s, QStringLiteral(HIVE_VERSION)}});
    });
}

QFuture<QHttpServerResponse> SystemController::openApi(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return ready(jsonResponse(QJsonDocument::fromJson(m_openApi).object()));
}

QFuture<QHttpServerResponse> SystemController::events(const Call &)
{
    // Upgrades never come here (they are accepted, or refused by the missing handler).
    const ApiError e{
        426,
        u"upgrade_required"_s,
        u"/api/v1/events is a WebSocket, served over TCP: ws://127.0.0.1:%1/api/v1/events"_s.arg(
            m_port)};
    return ready(withHeader(e.toResponse(), QHttpHeaders::WellKnownHeader::Upgrade, "websocket"));
}

} // namespace Hive
