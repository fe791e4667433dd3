// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/search/search.h"

#include "services/core/async.h"
#include "services/core/logging.h"
#include "services/search/embedder.h"
#include "services/search/logcopy.h"
#include "services/store/store.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

Search::Search(const Options &options, Store *store, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_store(store)
{
    m_thread.setObjectName(u"search"_s);
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    Embedder::Options e;
    e.url = options.embeddingsUrl;
    e.model = options.embeddingsModel;
    e.apiKey = options.embeddingsKey;
    e.intervalMs = options.embedMs;
    m_embedder = new Embedder(e, store);
    m_embedder->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_embedder, &QObject::deleteLater);
}

Search::~Search()
{
    stop();
    if (!m_thread.isFinished() && !m_thread.isRunning()) {
        // Never started: nothing runs in the thread, delete its objects here.
        delete m_embedder;
        delete m_context;
    }
}

void Search::start()
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_embedder->start();
            auto *timer = new QTimer(m_context);
            connect(timer, &QTimer::timeout, m_context, [this] { copyLogs(); });
            timer->start(m_options.logCopyMs);
        },
        Qt::QueuedConnection);
}

void Search::stop()
{
    if (!m_thread.isRunning())
        return;
    m_thread.quit();
    m_thread.wait();
}

bool Search::semanticEnabled() const
{
    return m_embedder->enabled();
}

void Search::copyLogs()
{
    if (m_copying)
        return; // the last copy is still running (a slow store): skip this round
    m_copying = true;
    copyLogsNow().then(m_context, [this](const Result<int> &r) {
        m_copying = false;
        if (!r && r.error().kind != Error::Kind::Unavailable)
            Logging::get("search")->warn("copying the agents' logs: {}", r.error().message);
    });
}

QFuture<Result<int>> Search::copyLogsNow()
{
    return m_store->run(
        [dir = m_options.logsDir](Database &db) { return Hive::copyLogs(db, dir); });
}

QFuture<Result<QList<SearchHit>>> Search::search(const QString &query, Kind kind, int limit)
{
    if (kind == Kind::Text)
        return m_store->run([query, limit](Database &db) { return db.search(query, limit); });
    const QString model = m_embedder->model();
    return then(
        m_context, m_embedder->embed(query), [this, model, limit](const Result<QList<float>> &v) {
            if (!v)
                return readyFuture(Result<QList<SearchHit>>(failure(v.error())));
            return m_store->run(
                [v = *v, model, limit](Database &db) { return db.nearestTasks(v, model, limit); });
        });
}

QFuture<Result<LogText>> Search::logText(qint64 id)
{
    return m_store->run([id](Database &db) { return db.logText(id); });
}

} // namespace Hive
