// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"

#include "app/mainwindow.h"
#include "services/api/apiserver.h"
#include "services/core/logging.h"
#include "services/engine.h"
#include "services/infra/infrastructure.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>
#include <QUrl>
#include <QtConcurrent>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("app");
}
} // namespace

Application::Application(const Config &config, bool headless, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_headless(headless)
    , m_lock(config.dataDir)
{
    qRegisterMetaType<Hive::Application::Health>();
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
        installTranslations();
        m_window = new MainWindow(this);
        m_window->show();
    }
    m_infra = std::make_unique<Infrastructure>(m_config);
    log()->info("data directory: {}", m_config.dataDir);
    // Starting PostgreSQL (initdb the first time) takes seconds: never on the GUI thread.
    QtConcurrent::run([infra = m_infra.get()] {
        return infra->start();
    }).then(this, [this](Result<> r) {
        if (!r) {
            Q_EMIT failed(r.error().message);
            return;
        }
        startEngine();
    });
}

void Application::startEngine()
{
    Engine::Options o;
    o.dataDir = m_config.dataDir;
    o.tmuxSocket = m_config.tmuxSocket;
    o.databaseUrl = m_infra->databaseUrl();
    o.redisUrl = m_infra->redisUrl();
    o.maxAgents = m_config.maxAgents;
    o.maxAgentsPerType = m_config.maxAgentsPerType;
    o.minFreeMemoryBytes = qint64(m_config.minFreeMemoryMb) * 1024 * 1024;
    o.setDailyBudget = m_config.setDailyBudget;
    o.dailyBudgetUsd = m_config.dailyBudgetUsd;
    o.idleStopMs = m_config.idleStopMinutes * 60 * 1000;
    o.runnerPath = m_runnerPath.isEmpty()
                       ? QDir(QCoreApplication::applicationDirPath()).filePath(u"hive-runner"_s)
                       : m_runnerPath;
    o.embeddingsUrl = QUrl(m_config.embeddingsUrl);
    o.embeddingsModel = m_config.embeddingsModel;
    o.embeddingsKey = m_config.embeddingsKey;
    m_engine = std::make_unique<Engine>(o);
    m_engine->start().then(this, [this](Result<QStringList> migrated) {
        if (!migrated) {
            Q_EMIT failed(migrated.error().message);
            return;
        }
        if (!migrated->isEmpty())
            log()->info("applied migrations {}", migrated->join(u", "_s));
        m_healthTimer = new QTimer(this);
        m_healthTimer->setInterval(3000);
        connect(m_healthTimer, &QTimer::timeout, this, &Application::checkHealth);
        m_healthTimer->start();
        checkHealth();
        Q_EMIT engineStarted();
        startApi();
    });
}

void Application::startApi()
{
    ApiServer::Options o;
    o.host = m_config.apiHost;
    o.port = m_config.apiPort;
    o.dataDir = m_config.dataDir;
    m_api = std::make_unique<ApiServer>(o, m_engine.get());
    m_api->start().then(this, [this](Result<QString> url) {
        if (!url) {
            Q_EMIT failed(tr("the API could not start: %1").arg(url.error().message));
            return;
        }
        m_apiUrl = *url;
        log()->info("API listening on {} and {} (bearer token in {})",
                    *url,
                    m_api->socketPath(),
                    m_api->tokenFile());
        Q_EMIT apiStarted(*url);
        log()->info("Agent Hive {} is ready{}", HIVE_VERSION, m_headless ? " (headless)" : "");
        Q_EMIT ready();
    });
}

QFuture<Result<QString>> Application::apiToken() const
{
    if (m_api && !m_api->token().isEmpty())
        return QtFuture::makeReadyValueFuture(Result<QString>(m_api->token()));
    return QtConcurrent::run(
        [dir = m_config.dataDir] { return ApiServer::loadOrCreateToken(dir); });
}

QFuture<Result<QString>> Application::regenerateApiToken() const
{
    return QtConcurrent::run([dir = m_config.dataDir] { return ApiServer::regenerateToken(dir); });
}

// The GUI speaks the system's language: our catalog (compiled in, ":/i18n") and Qt's own.
void Application::installTranslations()
{
    const QLocale locale = QLocale::system();
    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *own = new QTranslator(QCoreApplication::instance());
    // English (plural forms) when the system's language has no catalog.
    if (own->load(locale, u"agenthive"_s, u"_"_s, u":/i18n"_s)
        || own->load(u":/i18n/agenthive_en.qm"_s))
        QCoreApplication::installTranslator(own);
    else
        delete own;
}

void Application::checkHealth()
{
    if (m_healthBusy || !m_engine)
        return;
    m_healthBusy = true;
    // Managed instances that died are started again (off the GUI thread), then everything is asked.
    QtConcurrent::run([infra = m_infra.get()] {
        return infra->supervise();
    }).then(this, [this](Result<> sup) {
        if (!sup)
            log()->error("{}", sup.error());
        m_engine->health().then(this, [this](const Health &h) {
            m_healthBusy = false;
            if (h == m_health)
                return;
            m_health = h;
            log()->info("health: PostgreSQL {}, Redis {}, tmux {}",
                        h.postgres ? "ok" : "unreachable",
                        h.redis ? "ok" : "unreachable",
                        h.tmux ? "ok" : "unavailable");
            Q_EMIT healthChanged(h);
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
    if (m_api)
        m_api->stop();
    m_api.reset();
    if (m_engine)
        m_engine->stop();
    QThreadPool::globalInstance()->waitForDone();
    m_engine.reset();
    if (m_infra)
        m_infra->stop();
    m_lock.release();
    log()->info("stopped");
    spdlog::default_logger()->flush();
}

} // namespace Hive
