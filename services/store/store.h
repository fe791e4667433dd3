// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/store/database.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <memory>

namespace Hive {

// Owns the thread that owns the app's PostgreSQL connection: all SQL of the app runs there.
// run() posts a function of Database& to that thread and returns a QFuture of its result, so
// that no other thread (the GUI's, the API's) ever waits on SQL.
class Store : public QObject
{
    Q_OBJECT

public:
    explicit Store(const QString &databaseUrl, QObject *parent = nullptr);
    ~Store() override;

    // Starts the thread, connects and applies the migrations; the future tells how it went.
    QFuture<Result<QStringList>> start();
    void stop(); // closes the connection and joins the thread

    template<typename F>
    auto run(F &&f) -> QFuture<std::invoke_result_t<F, Database &>>
    {
        using R = std::invoke_result_t<F, Database &>;
        auto promise = std::make_shared<QPromise<R>>();
        QFuture<R> future = promise->future();
        promise->start();
        QMetaObject::invokeMethod(
            m_context,
            [this, promise, f = std::forward<F>(f)]() mutable {
                promise->addResult(f(*m_db));
                promise->finish();
            },
            Qt::QueuedConnection);
        return future;
    }

    QObject *context() const { return m_context; } // lives in the store's thread

private:
    QString m_url;
    QThread m_thread;
    QObject *m_context = nullptr;
    std::unique_ptr<Database> m_db;
};

} // namespace Hive
