// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QFuture>
#include <QMetaObject>
#include <QObject>
#include <QPromise>
#include <QTimer>

#include <memory>
#include <type_traits>

namespace Hive {

namespace Detail {
template<typename T>
struct IsFuture : std::false_type
{
};
template<typename T>
struct IsFuture<QFuture<T>> : std::true_type
{
};
} // namespace Detail

// Runs f in the thread of `context` (queued on its event loop) and returns a future of what f
// returns; a f that returns a QFuture<R> gives a QFuture<R> that finishes with it. This is how
// the services' thread-safe entry points hand work to the thread that owns their state.
template<typename F>
auto post(QObject *context, F &&f)
{
    using R = std::invoke_result_t<F>;
    auto promise = std::make_shared<QPromise<R>>();
    QFuture<R> future = promise->future();
    promise->start();
    QMetaObject::invokeMethod(
        context,
        [promise, f = std::forward<F>(f)]() mutable {
            if constexpr (std::is_void_v<R>) {
                f();
            } else {
                promise->addResult(f());
            }
            promise->finish();
        },
        Qt::QueuedConnection);
    if constexpr (Detail::IsFuture<R>::value)
        return future.unwrap();
    else
        return future;
}

// The next step of a flow: f(result of future) in context's thread, where f itself returns a
// QFuture; the flattened future of that. Reads as "then" without a pyramid of nested lambdas.
template<typename T, typename F>
auto then(QObject *context, QFuture<T> future, F &&f)
{
    return future.then(context, std::forward<F>(f)).unwrap();
}

// A future that finishes after ms milliseconds, in the thread of context.
inline QFuture<void> delay(QObject *context, int ms)
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QTimer::singleShot(ms, context, [promise] { promise->finish(); });
    return promise->future();
}

// A future that is already finished with value.
template<typename T>
QFuture<std::decay_t<T>> readyFuture(T &&value)
{
    return QtFuture::makeReadyValueFuture(std::forward<T>(value));
}

} // namespace Hive
