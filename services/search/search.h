// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/searchhit.h"
#include "services/core/result.h"
#include "services/store/searchstore.h"

#include <QFuture>
#include <QObject>
#include <QThread>
#include <QUrl>

namespace Hive {

class Embedder;
class Store;

// The engine's search (docs/architecture.md, "Search"): full-text queries over what the store
// indexes, semantic queries through the Embedder, and the background work that feeds both
// (copying terminal logs into PostgreSQL, embedding tasks), in a thread of its own.
class Search : public QObject
{
    Q_OBJECT

public:
    enum class Kind { Text, Semantic };
    struct Options
    {
        QString logsDir;
        int logCopyMs = 3000;
        QUrl embeddingsUrl; // empty: semantic search is off
        QString embeddingsModel = QStringLiteral("text-embedding-3-small");
        QString embeddingsKey;
        int embedMs = 2000;
    };

    Search(const Options &options, Store *store, QObject *parent = nullptr);
    ~Search() override;

    void start();
    void stop();

    bool semanticEnabled() const;
    // Any thread. limit: 1..100.
    QFuture<Result<QList<SearchHit>>> search(const QString &query, Kind kind, int limit);
    QFuture<Result<LogText>> logText(qint64 id);
    // Copies the logs now (tests, and before a search that must see the latest output).
    QFuture<Result<int>> copyLogsNow();

private:
    void copyLogs();

    Options m_options;
    Store *m_store;
    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread
    Embedder *m_embedder = nullptr;
    bool m_copying = false;
};

} // namespace Hive
