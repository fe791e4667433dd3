// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "config.h"
#include "datadirlock.h"
#include "result.h"

#include <QObject>
#include <QThread>

#include <memory>

class QTimer;

namespace Hive {

class Infrastructure;
class MainWindow;
class Orchestrator;
class Queue;
class Store;

// The composition root: makes the services, moves each to its thread, wires widgets' requests to
// services and services' signals to models, and shuts everything down in order.
class Application : public QObject
{
    Q_OBJECT

public:
    struct Health
    {
        bool postgres = false;
        bool redis = false;
        bool tmux = false;
    };

    Application(const Config &config, bool headless, QObject *parent = nullptr);
    ~Application() override;

    Result<> lockDataDir();
    void start();    // asynchronous: ready() or failed()
    void shutdown(); // ordered and blocking; safe to call twice

    Store *store() const { return m_store.get(); }
    Queue *queue() const { return m_queue; }
    Orchestrator *orchestrator() const { return m_orchestrator; }
    const Config &config() const { return m_config; }
    Health health() const { return m_health; }

Q_SIGNALS:
    void ready();
    void failed(const QString &message);
    void healthChanged(const Hive::Application::Health &health);

private:
    void startStore();
    void startEngine();
    void checkHealth();

    Config m_config;
    bool m_headless;
    DataDirLock m_lock;
    std::unique_ptr<Infrastructure> m_infra;
    std::unique_ptr<Store> m_store;
    QThread m_queueThread;
    QThread m_orchestratorThread;
    Queue *m_queue = nullptr;
    Orchestrator *m_orchestrator = nullptr;
    MainWindow *m_window = nullptr;
    QTimer *m_healthTimer = nullptr;
    Health m_health;
    bool m_shutDown = false;
    bool m_healthBusy = false;
};

} // namespace Hive
