// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiserver.h"

#include "services/api/apiservice.h"
#include "services/engine.h"
#include "services/core/logging.h"

#include <QDir>
#include <QFile>
#include <QMutex>
#include <QPromise>
#include <QRandomGenerator>
#include <QSaveFile>

#include <atomic>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

constexpr qsizetype kMinTokenLength = 32; // 128 bits as hex

// RFC 6750's token68 characters: what fits in "Authorization: Bearer …" unquoted.
bool isValidToken(const QByteArray &t)
{
    if (t.size() < kMinTokenLength || t.size() > 1024)
        return false;
    for (char c : t) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
                        || c == '=';
        if (!ok)
            return false;
    }
    return true;
}

QString tokenPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"api-token"_s);
}

// 256 bits from the operating system's generator, hex-encoded; written so that the file never
// exists with a mode other than 0600 (QSaveFile: a temporary file, restricted, renamed in place).
Result<QString> writeNewToken(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return failure(u"cannot create the data directory %1"_s.arg(dataDir));
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray token
        = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    const QString path = tokenPath(dataDir);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    if (!f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        f.cancelWriting();
        return failure(u"cannot make %1 private (mode 0600): %2"_s.arg(path, f.errorString()));
    }
    f.write(token + '\n');
    if (!f.commit())
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return QString::fromLatin1(token);
}

} // namespace

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
    connect(d->engine,
            &Engine::redisConnectionChanged,
            d->service,
            &ApiService::setRedisConnected,
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
    return tokenPath(d->options.dataDir);
}

QString ApiServer::socketPath() const
{
    return QDir(d->options.dataDir).filePath(u"api.sock"_s);
}

Result<QString> ApiServer::loadOrCreateToken(const QString &dataDir)
{
    const QString path = tokenPath(dataDir);
    QFile f(path);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return failure(u"cannot read %1: %2"_s.arg(path, f.errorString()));
        const QByteArray token = f.read(4096).trimmed();
        f.close();
        if (!token.isEmpty()) {
            if (!isValidToken(token))
                return failure(
                    u"%1 does not hold a usable token (at least %2 characters of A-Z, a-z, 0-9 and "
                    "-._~+/=); delete it and a new one is made"_s.arg(path)
                        .arg(kMinTokenLength));
            const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
                                | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                | QFileDevice::WriteOther | QFileDevice::ExeOther;
            if (f.permissions() & others) {
                Logging::get("api")->warn("{} could be read by others: made private (0600)", path);
                f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            }
            return QString::fromLatin1(token);
        }
        // An empty file (a crash while it was made, or the user emptied it): make a new token.
    }
    return writeNewToken(dataDir);
}

Result<QString> ApiServer::regenerateToken(const QString &dataDir)
{
    return writeNewToken(dataDir);
}

} // namespace Hive
