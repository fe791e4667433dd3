// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/costs.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QTimer;

namespace Hive {

class AgentModel;
class Engine;
struct Event;

// The window's money and resources against the engine, off the GUI thread: the cost report
// (read again when a task ends, the budget or a limit changes, and every 30 s), the daily budget
// asked for, each agent's CPU and memory into the agent model, and the line the status bar and
// the tray show while dispatch is held (budget spent, profiles rate-limited). No widgets.
class MoneySession : public QObject
{
    Q_OBJECT

public:
    MoneySession(AgentModel *agents, QObject *parent = nullptr);

    void setEngine(Engine *engine);
    void setDays(int days);
    void setBudget(std::optional<double> usd);
    void refresh();
    const CostReport &report() const { return m_report; }
    // "" when nothing holds dispatch back or warns; else e.g. "Budget 85 % spent" or "claude
    // rate-limited until 15:04".
    QString statusText() const;
    static QString statusText(const CostReport &report, const QDateTime &now);

Q_SIGNALS:
    void reportReady(const Hive::CostReport &report);
    void failed(const QString &message);
    void statusChanged(const QString &text);

private:
    void onEvent(const Hive::Event &event);
    void onUsage();
    void scheduleRefresh();

    AgentModel *m_agents;
    QPointer<Engine> m_engine;
    QTimer *m_debounce;
    QTimer *m_periodic;
    QTimer *m_expiry; // the earliest limit's end: the line changes then
    CostReport m_report;
    QString m_status;
    int m_days = 7;
    quint64 m_generation = 0;
};

} // namespace Hive
