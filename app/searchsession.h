// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/searchhit.h"
#include "services/store/searchstore.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace Hive {

class Engine;

// The window's searches against the engine, off the GUI thread: only the answer to the latest
// query is handed on (a slow answer to an older one is dropped). No widgets.
class SearchSession : public QObject
{
    Q_OBJECT

public:
    explicit SearchSession(QObject *parent = nullptr);

    void setEngine(Engine *engine);
    bool semanticAvailable() const;
    void search(const QString &query, bool semantic);
    void logText(qint64 id, std::function<void(const QString &error, const LogText &text)> done);

Q_SIGNALS:
    void hitsReady(const QList<Hive::SearchHit> &hits);
    void failed(const QString &message);

private:
    Engine *m_engine = nullptr;
    quint64 m_generation = 0;
};

} // namespace Hive
