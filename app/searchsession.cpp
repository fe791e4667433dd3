// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/searchsession.h"

#include "services/engine.h"

namespace Hive {

SearchSession::SearchSession(QObject *parent)
    : QObject(parent)
{}

void SearchSession::setEngine(Engine *engine)
{
    m_engine = engine;
}

bool SearchSession::semanticAvailable() const
{
    return m_engine && m_engine->semanticSearchEnabled();
}

void SearchSession::search(const QString &query, bool semantic)
{
    const quint64 generation = ++m_generation;
    if (!m_engine) {
        Q_EMIT failed(tr("Search is not ready yet: the services are still starting."));
        return;
    }
    m_engine->search(query, semantic ? Search::Kind::Semantic : Search::Kind::Text, 50)
        .then(this, [this, generation](const Result<QList<SearchHit>> &hits) {
            if (generation != m_generation)
                return; // a newer search was asked for meanwhile
            if (hits)
                Q_EMIT hitsReady(*hits);
            else
                Q_EMIT failed(hits.error().message);
        });
}

void SearchSession::logText(qint64 id,
                            std::function<void(const QString &error, const LogText &text)> done)
{
    if (!m_engine)
        return;
    m_engine->logText(id).then(this, [done = std::move(done)](const Result<LogText> &text) {
        done(text ? QString() : text.error().message, text.value_or(LogText{}));
    });
}

} // namespace Hive
