// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/store/database.h"
#include "services/agents/orchestrator.h"

#include <QFuture>
#include <QObject>
#include <QThread>

#include <memory>

namespace Hive {

class Queue;
class Store;

// The engine every client (GUI, API, tests) talks to: the store, the queue and the orchestrator,
// each in its own thread. Its methods are thread-safe and return futures; every committed change
// is published (events, queue entries, stop requests) in commit order.
class Engine : public QObject
{
    Q_OBJECT

public:
    using Options = Orchestrator::Options;

    explicit Engine(const Options &options, QObject *parent = nullptr);
    ~Engine() override;

    QFuture<Result<QStringList>> start(); // connects, migrates, starts queue and orchestrator
    void stop();                            // ordered, blocking

    Store *store() const { return m_store.get(); }
    Queue *queue() const { return m_queue; }
    Orchestrator *orchestrator() const { return m_orchestrator; }
    const Options &options() const { return m_options; }

    QFuture<Result<Agent>> spawn(const SpawnRequest &request);
    QFuture<Result<>> kill(const QString &agentId);
    QFuture<Result<QList<Agent>>> agents(std::optional<Agent::Status> status = std::nullopt);
    QFuture<Result<Agent>> agent(const QString &id);
    QFuture<Result<Task>> createTask(const Task &task);
    QFuture<Result<Task>> cancelTask(const QString &id);
    QFuture<Result<Task>> retryTask(const QString &id);
    QFuture<Result<QList<Task>>> tasks(const TaskFilter &filter = {});
    QFuture<Result<Task>> task(const QString &id);
    QFuture<bool> postgresReachable();
    bool redisConnected() const;

Q_SIGNALS:
    // Every event, from this process and from the runners, as published on Redis.
    void eventReceived(const Hive::Event &event);
    void redisConnectionChanged(bool connected);

private:
    QFuture<Result<Task>> taskChange(std::function<Result<Change>(Database &)> change);

    Options m_options;
    std::unique_ptr<Store> m_store;
    QThread m_queueThread;
    QThread m_orchestratorThread;
    Queue *m_queue = nullptr;
    Orchestrator *m_orchestrator = nullptr;
    bool m_started = false;
};

} // namespace Hive
