// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiserver.h"

#include "services/api/apiservice.h"
#include "services/api/apitoken.h"
#include "services/core/logging.h"
#include "services/engine.h"

#include <QDir>
#include <QMutex>
#include <QPromise>

#include <atomic>

using namespace Qt::StringLiterals;

namespace Hive {

class ApiServer::Private
{
public:
    Options options;
    Engine *engine = nullptr;
    QThread thread;
    ApiService *service = nullptr;
    std::atomic<int> port = 0;
    mutable QMutex mutex;
    QString token;
};

ApiServer::ApiServer(const Options &options, Engine *engine, QObject *parent)
    : QObject(parent)
    , d(new Private)
{
    d->options = options;
    d->engine = engine;
    d->thread.setObjectName(u"api"_s);
}

ApiServer::~ApiServer()
{
    stop();
    delete d;
}

QFuture<Result<QString>> ApiServer::start()
{
    if (d->service)
        return QtFuture::makeReadyValueFuture(
            Result<QString>(failure(u"the API is already started"_s)));
    if (!d->engine)
        return QtFuture::makeReadyValueFuture(Result<QString>(failure(u"the API has no engine"_s)));
    d->service = new ApiService(d->options, d->engine);
    d->service->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, d->service, &QObject::deleteLater);
    // Emitted in the engine's thread; queued into the API thread, in order.
    connect(d->engine,
            &Engine::eventReceived,
            d->service,
            &ApiService::broadcast,
            Qt::QueuedConnection);
    d->thread.start();

    auto promise = std::make_shared<QPromise<Result<QString>>>();
    promise->start();
    QFuture<Result<QString>> future = promise->future();
    QMetaObject::invokeMethod(
        d->service,
        [d = d, promise] {
            Result<QString> url = d->service->listen();
            if (url) {
                d->port = d->service->port();
                QMutexLocker lock(&d->mutex);
                d->token = d->service->token();
            } else {
                Logging::get("api")->error("the API could not start: {}", url.error());
            }
            promise->addResult(url);
            promise->finish();
        },
        Qt::QueuedConnection);
    return future;
}

void ApiServer::stop()
{
    if (!d->service)
        return;
    if (d->thread.isRunning()) {
        QMetaObject::invokeMethod(d->service, &ApiService::shutdown, Qt::BlockingQueuedConnection);
        d->thread.quit();
        d->thread.wait();
    }
    d->service = nullptr; // deleted in its thread when that finished
    d->port = 0;
}

int ApiServer::port() const
{
    return d->port;
}

QString ApiServer::token() const
{
    if (d->service) {
        // The service may have reloaded it (regenerateToken); it is thread-safe.
        return d->service->token();
    }
    QMutexLocker lock(&d->mutex);
    return d->token;
}

QString ApiServer::tokenFile() const
{
    return ApiToken::path(d->options.dataDir);
}

QString ApiServer::socketPath() const
{
    return QDir(d->options.dataDir).filePath(u"api.sock"_s);
}

Result<QString> ApiServer::loadOrCreateToken(const QString &dataDir)
{
    return ApiToken::loadOrCreate(dataDir);
}

Result<QString> ApiServer::regenerateToken(const QString &dataDir)
{
    return ApiToken::regenerate(dataDir);
}

} // namespace Hive
