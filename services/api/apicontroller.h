// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apierror.h"
#include "services/core/result.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QHttpServerResponse>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <functional>
#include <optional>

namespace Hive {

class Engine;

// One resource of the API (as qBittorrent's webui controllers): its handlers, keyed by the
// operationId of the route table (ApiRoutes), over what every handler shares: query checks, the
// refusal while Redis is away, and turning an engine future into the answer. Lives in the API
// thread; every handler returns at once, those that need the engine with a future it fulfils.
class ApiController : public QObject
{
    Q_OBJECT

public:
    // What a handler needs of a request, copied out of it (the request does not outlive the call).
    struct Call
    {
        QString id;
        QUrlQuery query;
        QByteArray body;
    };
    using Handler = std::function<QFuture<QHttpServerResponse>(const Call &)>;

    ApiController(Engine *engine, QObject *parent);

    // operation id → handler, for the operations of ApiRoutes::operations() this one serves.
    virtual QHash<QString, Handler> handlers() = 0;

    static QFuture<QHttpServerResponse> ready(QHttpServerResponse &&response);
    static QFuture<QHttpServerResponse> ready(const ApiError &error);

protected:
    template<typename C>
    Handler bind(QFuture<QHttpServerResponse> (C::*method)(const Call &))
    {
        C *self = static_cast<C *>(this);
        return [self, method](const Call &call) {
            return (self->*method)(call);
        };
    }

    // Turns an engine future into the answer, in the API thread (the store's thread only runs the
    // SQL and goes on with the next query while this one is turned into JSON). If the engine stops
    // before it answers, the client still gets an answer.
    template<typename T, typename F>
    QFuture<QHttpServerResponse> respond(QFuture<T> future, F &&toResponse)
    {
        return future.then(this, std::forward<F>(toResponse)).onCanceled(this, [] {
            return engineStopped();
        });
    }

    // The same for lists, whose JSON (a hundred agents, a thousand tasks) costs more than the rest
    // of the request: built on the thread pool, so that the API thread goes on serving meanwhile
    // and several lists are built on several cores.
    template<typename T, typename F>
    QFuture<QHttpServerResponse> respondInPool(QFuture<T> future, F &&toResponse)
    {
        return future.then(QtFuture::Launch::Async, std::forward<F>(toResponse))
            .onCanceled(this, [] { return engineStopped(); });
    }

    // Query parameters: each known at most once, unknown ones refused (a typo must not silently
    // widen a filter).
    static std::optional<ApiError> checkQuery(const QUrlQuery &query, const QStringList &known);
    static std::optional<QString> queryValue(const QUrlQuery &query, const QString &name);
    static Result<int>
    queryInt(const QUrlQuery &query, const QString &name, int min, int max, int fallback);
    // 201 with the new resource's Location.
    static QHttpServerResponse created(const QJsonObject &body, const QString &location);

    // Every state change is published on Redis (the queue, the events of WebSocket clients and
    // the GUI): while Redis is away, changes are refused rather than made half-way.
    std::optional<ApiError> needsRedis() const;

    Engine *m_engine;

private:
    static QHttpServerResponse engineStopped();
};

} // namespace Hive
