// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/statusfields.h"

#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "widgets/healthindicator.h"
#include "widgets/trayicon.h"

#include <QLabel>
#include <QStatusBar>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// A URL as shown to the user: without its password.
QString safeUrl(const QString &url)
{
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(u"***"_s);
    return u.toDisplayString();
}

} // namespace

StatusFields::StatusFields(QStatusBar *bar,
                           Application *app,
                           const AgentModel *agents,
                           const TaskModel *tasks)
    : QObject(bar)
    , m_app(app)
    , m_agents(agents)
    , m_tasks(tasks)
    , m_summary(new QLabel(bar))
    , m_pgHealth(new HealthIndicator(tr("PostgreSQL"), bar))
    , m_redisHealth(new HealthIndicator(tr("Redis"), bar))
    , m_tmuxHealth(new HealthIndicator(tr("tmux"), bar))
    , m_apiHealth(new HealthIndicator(tr("API"), bar))
    , m_apiUrl(new QLabel(bar))
{
    m_summary->setObjectName(u"summary"_s);
    bar->addWidget(m_summary, 1);
    // A passing message takes the summary's place instead of being drawn over it.
    connect(bar, &QStatusBar::messageChanged, this, [this](const QString &message) {
        m_summary->setVisible(message.isEmpty());
    });
    m_pgHealth->setObjectName(u"postgresHealth"_s);
    m_redisHealth->setObjectName(u"redisHealth"_s);
    m_tmuxHealth->setObjectName(u"tmuxHealth"_s);
    m_apiHealth->setObjectName(u"apiHealth"_s);
    m_apiUrl->setObjectName(u"apiUrl"_s);
    m_apiUrl->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_apiUrl->setToolTip(tr("The REST and WebSocket API; the token is in Settings → API."));
    for (QWidget *w : std::initializer_list<QWidget *>{
             m_pgHealth, m_redisHealth, m_tmuxHealth, m_apiHealth, m_apiUrl})
        bar->addPermanentWidget(w);

    connect(agents, &AgentModel::countsChanged, this, &StatusFields::updateSummary);
    connect(tasks, &TaskModel::countsChanged, this, &StatusFields::updateSummary);
    connect(app, &Application::healthChanged, this, &StatusFields::showHealth);
    connect(app, &Application::apiStarted, this, &StatusFields::showApi);
    updateSummary();
}

void StatusFields::updateSummary()
{
    const int queued = m_tasks->count(Task::Status::Queued) + m_tasks->count(Task::Status::Blocked);
    const int running
        = m_tasks->count(Task::Status::Running) + m_tasks->count(Task::Status::Assigned);
    m_summary->setText(tr("%1 · %2 queued · %3 running")
                           .arg(TrayIcon::summary(m_agents))
                           .arg(queued)
                           .arg(running));
}

void StatusFields::showHealth(const Application::Health &h)
{
    using S = HealthIndicator::State;
    const Config &c = m_app->config();
    const QString embedded = tr("embedded, in the data directory");
    m_pgHealth->setState(h.postgres ? S::Ok : S::Down,
                         c.managedPostgres() ? embedded : safeUrl(c.databaseUrl));
    m_redisHealth->setState(h.redis ? S::Ok : S::Down,
                            c.managedRedis() ? embedded : safeUrl(c.redisUrl));
    m_tmuxHealth->setState(h.tmux ? S::Ok : S::Down, tr("socket %1").arg(c.tmuxSocket));
}

void StatusFields::showApi(const QString &url)
{
    m_apiHealth->setState(HealthIndicator::State::Ok, url);
    m_apiUrl->setText(url);
}

} // namespace Hive
