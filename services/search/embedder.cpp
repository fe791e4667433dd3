// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/search/embedder.h"

#include "services/core/async.h"
#include "services/core/logging.h"
#include "services/store/store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("search");
}

} // namespace

Embedder::Embedder(const Options &options, Store *store, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_store(store)
{
    m_options.url = endpoint(options.url);
}

QUrl Embedder::endpoint(const QUrl &url)
{
    if (url.isEmpty() || url.path().endsWith(u"/embeddings"_s))
        return url;
    QUrl u = url;
    QString path = u.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    u.setPath(path + u"/embeddings"_s);
    return u;
}

void Embedder::start()
{
    if (!enabled())
        return;
    m_network = new QNetworkAccessManager(this);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Embedder::tick);
    m_timer->start(0);
    log()->info("semantic search: embeddings from {} (model {})",
                m_options.url.toDisplayString(),
                m_options.model);
}

void Embedder::scheduleNext(bool failed)
{
    m_failures = failed ? qMin(m_failures + 1, 5) : 0;
    // 2 s, then 4, 8, 16, 32 s after failures in a row.
    m_timer->start(m_options.intervalMs << m_failures);
}

void Embedder::tick()
{
    const QString model = m_options.model;
    const int batch = m_options.batch;
    m_store->run([model, batch](Database &db) { return db.tasksToEmbed(model, batch); })
        .then(this, [this, model](const Result<QList<EmbeddingJob>> &jobs) {
            if (!jobs || jobs->isEmpty()) {
                scheduleNext(!jobs);
                return;
            }
            QStringList inputs;
            for (const EmbeddingJob &j : *jobs)
                inputs << j.text;
            request(inputs, [this, jobs = *jobs, model](Result<QList<QList<float>>> vectors) {
                if (!vectors) {
                    if (vectors.error().message != m_lastError)
                        log()->warn("embeddings: {}", vectors.error().message);
                    m_lastError = vectors.error().message;
                    scheduleNext(true);
                    return;
                }
                m_lastError.clear();
                m_store
                    ->run([jobs, model, vectors = *vectors](Database &db) -> Result<> {
                        for (qsizetype i = 0; i < jobs.size(); ++i)
                            if (auto r = db.storeEmbedding(jobs[i].taskId, model, vectors[i]); !r)
                                return r;
                        return {};
                    })
                    .then(this, [this](const Result<> &stored) {
                        if (!stored)
                            log()->warn("embeddings: {}", stored.error().message);
                        // More may be waiting: go on at once while there is work and no error.
                        if (stored)
                            m_timer->start(0);
                        else
                            scheduleNext(true);
                    });
            });
        });
}

QFuture<Result<QList<float>>> Embedder::embed(const QString &text)
{
    if (!enabled())
        return readyFuture(Result<QList<float>>(failure(
            Error::conflict(tr("semantic search is off: no embeddings endpoint is configured "
                               "(--embeddings-url)")))));
    auto promise = std::make_shared<QPromise<Result<QList<float>>>>();
    promise->start();
    QMetaObject::invokeMethod(
        this,
        [this, promise, text] {
            request({text}, [promise](Result<QList<QList<float>>> vectors) {
                if (vectors)
                    promise->addResult(vectors->constFirst());
                else
                    promise->addResult(failure(vectors.error()));
                promise->finish();
            });
        },
        Qt::QueuedConnection);
    return promise->future();
}

void Embedder::request(const QStringList &inputs, Done done)
{
    QNetworkRequest req(m_options.url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    req.setTransferTimeout(30000);
    if (!m_options.apiKey.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + m_options.apiKey.toUtf8());
    const QJsonObject body{{u"model"_s, m_options.model},
                           {u"input"_s, QJsonArray::fromStringList(inputs)}};
    QNetworkReply *reply = m_network->post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    const qsizetype expected = inputs.size();
    connect(reply, &QNetworkReply::finished, this, [reply, expected, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        if (reply->error() != QNetworkReply::NoError && status == 0) {
            done(failure(Error::unavailable(
                tr("the embeddings endpoint is unreachable: %1").arg(reply->errorString()))));
            return;
        }
        if (status != 200) {
            done(failure(Error::unavailable(tr("the embeddings endpoint answered HTTP %1: %2")
                                                .arg(status)
                                                .arg(QString::fromUtf8(bytes.left(200))))));
            return;
        }
        const QJsonArray data = QJsonDocument::fromJson(bytes).object().value(u"data"_s).toArray();
        if (data.size() != expected) {
            done(failure(
                Error::unavailable(tr("the embeddings endpoint gave %1 embeddings for %2 texts")
                                       .arg(data.size())
                                       .arg(expected))));
            return;
        }
        QList<QList<float>> vectors(expected);
        for (qsizetype i = 0; i < data.size(); ++i) {
            const QJsonObject item = data[i].toObject();
            const qsizetype index = item.value(u"index"_s).toInteger(i);
            const QJsonArray values = item.value(u"embedding"_s).toArray();
            if (index < 0 || index >= expected || values.isEmpty()) {
                done(failure(Error::unavailable(
                    tr("the embeddings endpoint's answer has no embedding for text %1").arg(i))));
                return;
            }
            QList<float> v;
            v.reserve(values.size());
            for (const QJsonValue &x : values)
                v << float(x.toDouble());
            vectors[index] = v;
        }
        done(vectors);
    });
}

} // namespace Hive
