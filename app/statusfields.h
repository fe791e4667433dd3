// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "app/application.h"

#include <QObject>

class QLabel;
class QStatusBar;

namespace Hive {

class AgentModel;
class HealthIndicator;
class TaskModel;

// The status bar's lasting fields: a summary of the agents and the work (hidden while a passing
// message shows), the health of PostgreSQL, Redis, tmux and the API, and the API's address. Fed by
// the application's health checks and the models' counts. GUI thread.
class StatusFields : public QObject
{
    Q_OBJECT

public:
    StatusFields(QStatusBar *bar,
                 Application *app,
                 const AgentModel *agents,
                 const TaskModel *tasks);

private:
    void updateSummary();
    void showHealth(const Application::Health &health);
    void showApi(const QString &url);

    Application *m_app;
    const AgentModel *m_agents;
    const TaskModel *m_tasks;
    QLabel *m_summary;
    HealthIndicator *m_pgHealth;
    HealthIndicator *m_redisHealth;
    HealthIndicator *m_tmuxHealth;
    HealthIndicator *m_apiHealth;
    QLabel *m_apiUrl;
};

} // namespace Hive
