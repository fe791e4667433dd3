// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/config.h"
#include "services/core/result.h"
#include "services/engine.h"
#include "services/infra/datadirlock.h"

#include <QObject>

#include <memory>

class QTimer;

namespace Hive {

class ApiServer;
class Engine;
class Infrastructure;
class MainWindow;

// The composition root: makes the infrastructure, the engine (store, queue, orchestrator in their
// threads) and the API, wires widgets' requests to the engine and its events to the models, and
// shuts everything down in order.
class Application : public QObject
{
    Q_OBJECT

public:
    using Health = Engine::Health;

    Application(const Config &config, bool headless, QObject *parent = nullptr);
    ~Application() override;

    Result<> lockDataDir();
    // hive-runner, when it is not beside the executable (tests); before start().
    void setRunnerPath(const QString &path) { m_runnerPath = path; }
    void start();    // asynchronous: ready() or failed()
    void shutdown(); // ordered and blocking; safe to call twice

    Engine *engine() const { return m_engine.get(); }
    ApiServer *api() const { return m_api.get(); }
    QString apiUrl() const { return m_apiUrl; }
    // The API's bearer token (read or made off the GUI thread while the API is not up yet), and a
    // new one in its place.
    QFuture<Result<QString>> apiToken() const;
    QFuture<Result<QString>> regenerateApiToken() const;
    const Config &config() const { return m_config; }
    Health health() const { return m_health; }
    MainWindow *window() const { return m_window; }

Q_SIGNALS:
    // The engine answers (PostgreSQL, Redis, tmux are up): the window loads agents and tasks.
    void engineStarted();
    void ready();
    void apiStarted(const QString &url);
    void failed(const QString &message);
    void healthChanged(const Hive::Application::Health &health);

private:
    void startEngine();
    void startApi();
    void checkHealth();
    static void installTranslations();

    Config m_config;
    QString m_runnerPath;
    bool m_headless;
    DataDirLock m_lock;
    std::unique_ptr<Infrastructure> m_infra;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api;
    QString m_apiUrl;
    MainWindow *m_window = nullptr;
    QTimer *m_healthTimer = nullptr;
    Health m_health;
    bool m_shutDown = false;
    bool m_healthBusy = false;
};

} // namespace Hive
