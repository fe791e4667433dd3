// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "application.h"

#include "infrastructure.h"
#include "logging.h"
#include "mainwindow.h"
#include "orchestrator.h"
#include "queue.h"
#include "store.h"
#include "tmuxcontroller.h"

#include <QCoreApplication>
#include <QDir>
#include <QTimer>
#include <QtConcurrent>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log() { return Logging::get("app"); }
} // namespace

Application::Application(const Config &config, bool headless, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_headless(headless)
    , m_lock(config.dataDir)
{
    qRegisterMetaType<Hive::Event>();
    qRegisterMetaType<Hive::Application::Health>();
    m_queueThread.setObjectName(u"queue"_s);
    m_orchestratorThread.setObjectName(u"orchestrator"_s);
}

Application::~Application()
{
    shutdown();
}

Result<> Application::lockDataDir()
{
    return m_lock.acquire();
}

void Application::start()
{
    if (!m_headless) {
        m_window = new MainWindow(this);
        m_window->show();
    }
    m_infra = std::make_unique<Infrastructure>(m_config);
    log()->info("data directory: {}", m_config.dataDir);
    if (m_infra->managesPostgres() || m_infra->managesRedis())
        log()->info("starting the managed {}", m_infra->managesPostgres() && m_infra->managesRedis()
                                                   ? "PostgreSQL and Redis"
                                                   : m_infra->managesPostgres() ? "PostgreSQL" : "Redis");
    QtConcurrent::run([infra = m_infra.get()] { return infra->start(); }).then(this, [this](Result<> r) {
        if (!r) {
            Q_EMIT failed(r.error());
            return;
        }
        startStore();
    });
}

void Application::startStore()
{
    m_store = std::make_unique<Store>(m_infra->databaseUrl());
    m_store->start().then(this, [this](DbResult<QStringList> migrated) {
        if (!migrated) {
            Q_EMIT failed(migrated.error().message);
            return;
        }
        if (!migrated->isEmpty())
            log()->info("applied migrations {}", migrated->join(u", "_s));
        startEngine();
    });
}

void Application::startEngine()
{
    m_queue = new Queue(m_infra->redisUrl());
    m_queue->moveToThread(&m_queueThread);
    connect(&m_queueThread, &QThread::finished, m_queue, &QObject::deleteLater);
    m_queueThread.start();

    Orchestrator::Options o;
    o.dataDir = m_config.dataDir;
    o.tmuxSocket = m_config.tmuxSocket;
    o.databaseUrl = m_infra->databaseUrl();
    o.redisUrl = m_infra->redisUrl();
    o.runnerPath = QDir(QCoreApplication::applicationDirPath()).filePath(u"hive-runner"_s);
    m_orchestrator = new Orchestrator(o, m_store.get(), m_queue);
    m_orchestrator->moveToThread(&m_orchestratorThread);
    connect(&m_orchestratorThread, &QThread::finished, m_orchestrator, &QObject::deleteLater);
    m_orchestratorThread.start();

    // After Redis came back (restarted, or the link broke), make its queue match PostgreSQL.
    connect(m_queue, &Queue::connected, m_orchestrator, &Orchestrator::rebuildQueue);
    QMetaObject::invokeMethod(m_queue, [q = m_queue] { q->open(Queue::Events); }, Qt::QueuedConnection);
    QMetaObject::invokeMethod(m_orchestrator, &Orchestrator::start, Qt::QueuedConnection);

    m_healthTimer = new QTimer(this);
    m_healthTimer->setInterval(3000);
    connect(m_healthTimer, &QTimer::timeout, this, &Application::checkHealth);
    m_healthTimer->start();
    checkHealth();
    log()->info("Agent Hive {} is ready{}", HIVE_VERSION, m_headless ? " (headless)" : "");
    Q_EMIT ready();
}

void Application::checkHealth()
{
    if (m_healthBusy || !m_store)
        return;
    m_healthBusy = true;
    // Managed instances that died are started again (off the GUI thread), then everything is asked.
    QtConcurrent::run([infra = m_infra.get()] { return infra->supervise(); }).then(this, [this](Result<> sup) {
        if (!sup)
            log()->error("{}", sup.error());
        m_store->run([](Database &db) { return db.ping().has_value(); }).then(this, [this](bool pg) {
            Health h;
            h.postgres = pg;
            h.redis = m_queue && m_queue->isConnected();
            m_orchestrator->tmuxAvailable().then(this, [this, h](bool tmux) mutable {
                h.tmux = tmux;
                m_healthBusy = false;
                if (h.postgres != m_health.postgres || h.redis != m_health.redis || h.tmux != m_health.tmux) {
                    m_health = h;
                    log()->info("health: PostgreSQL {}, Redis {}, tmux {}", h.postgres ? "ok" : "unreachable",
                                h.redis ? "ok" : "unreachable", h.tmux ? "ok" : "unavailable");
                    Q_EMIT healthChanged(h);
                }
            });
        });
    });
}

void Application::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    log()->info("shutting down");
    if (m_healthTimer)
        m_healthTimer->stop();
    delete m_window;
    m_window = nullptr;
    if (m_orchestrator && m_orchestratorThread.isRunning())
        QMetaObject::invokeMethod(m_orchestrator, &Orchestrator::stop, Qt::BlockingQueuedConnection);
    m_orchestratorThread.quit();
    m_orchestratorThread.wait();
    if (m_queue && m_queueThread.isRunning())
        QMetaObject::invokeMethod(m_queue, [q = m_queue] { q->close(); }, Qt::BlockingQueuedConnection);
    m_queueThread.quit();
    m_queueThread.wait();
    if (m_store)
        m_store->stop();
    QThreadPool::globalInstance()->waitForDone();
    if (m_infra)
        m_infra->stop();
    m_lock.release();
    log()->info("stopped");
    spdlog::default_logger()->flush();
}

} // namespace Hive
