// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/systemcontroller.h"

#include "services/api/apiroutes.h"
#include "services/api/eventhub.h"
#include "services/engine.h"

#include <QJsonArray>
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

// The plain GET: one page of stored events (upgrades never come here: they are accepted, or
// refused by the missing handler).
QFuture<QHttpServerResponse> SystemController::events(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"since"_s, u"limit"_s, u"token"_s}))
        return ready(*e);
    const auto since = EventHub::since(call.query);
    if (!since)
        return ready(ApiError::from(since.error()));
    const auto limit = queryInt(call.query, u"limit"_s, 1, kMaxEventPage, kEventPage);
    if (!limit)
        return ready(ApiError::from(limit.error()));
    const qint64 after = since->value_or(0);
    return respondInPool(m_engine->events(after, *limit), [after](Result<QList<Event>> page) {
        if (!page)
            return ApiError::from(page.error()).toResponse();
        QJsonArray events;
        for (const Event &e : std::as_const(*page))
            events.append(e.toJson());
        // Safe to ask for the next page with: seq is in commit order, so nothing can still come
        // below it.
        const qint64 next = page->isEmpty() ? after : page->last().seq;
        return jsonResponse(QJsonObject{{u"events"_s, events}, {u"next"_s, next}});
    });
}

} // namespace Hive
