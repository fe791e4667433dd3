// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QTimer;

namespace Hive {

class Store;

// Semantic search's half that talks to an OpenAI-compatible embeddings endpoint
// (POST {"model","input":[…]} → {"data":[{"index","embedding":[…]}]}): in the background it
// embeds tasks whose embedding is missing or older than their answer (a few at a time), and it
// embeds search queries on request. Lives in its own thread (the engine's search thread); with
// no URL it does nothing and embed() says that semantic search is off.
class Embedder : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QUrl url; // the endpoint (…/v1/embeddings); a base ending in /v1 gets /embeddings added
        QString model = QStringLiteral("text-embedding-3-small");
        QString apiKey; // sent as a bearer token when set
        int intervalMs = 2000;
        int batch = 16;
    };

    Embedder(const Options &options, Store *store, QObject *parent = nullptr);

    bool enabled() const { return m_options.url.isValid() && !m_options.url.isEmpty(); }
    QString model() const { return m_options.model; }
    static QUrl endpoint(const QUrl &url);

    // Call in the embedder's thread (after moveToThread), e.g. through QThread::started.
    void start();
    // Any thread.
    QFuture<Result<QList<float>>> embed(const QString &text);

private:
    using Done = std::function<void(Result<QList<QList<float>>>)>;
    void tick();
    void request(const QStringList &inputs, Done done);
    void scheduleNext(bool failed);

    Options m_options;
    Store *m_store;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    int m_failures = 0;
    QString m_lastError;
};

} // namespace Hive
