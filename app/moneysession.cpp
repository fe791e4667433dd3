// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/moneysession.h"

#include "models/agentmodel.h"
#include "models/event.h"
#include "services/agents/resources.h"
#include "services/engine.h"

#include <QLocale>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

MoneySession::MoneySession(AgentModel *agents, QObject *parent)
    : QObject(parent)
    , m_agents(agents)
    , m_debounce(new QTimer(this))
    , m_periodic(new QTimer(this))
    , m_expiry(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(400);
    connect(m_debounce, &QTimer::timeout, this, &MoneySession::refresh);
    m_periodic->setInterval(30000);
    connect(m_periodic, &QTimer::timeout, this, &MoneySession::refresh);
    m_expiry->setSingleShot(true);
    connect(m_expiry, &QTimer::timeout, this, &MoneySession::refresh);
}

void MoneySession::setEngine(Engine *engine)
{
    m_engine = engine;
    if (!engine)
        return;
    connect(engine, &Engine::eventReceived, this, &MoneySession::onEvent, Qt::QueuedConnection);
    connect(engine, &Engine::resourcesSampled, this, &MoneySession::onUsage, Qt::QueuedConnection);
    m_periodic->start();
    refresh();
}

void MoneySession::setDays(int days)
{
    m_days = days;
    refresh();
}

void MoneySession::onEvent(const Event &event)
{
    if (event.type.startsWith(u"budget."_s) || event.type.startsWith(u"profile."_s)
        || event.type == u"task.succeeded"_s || event.type == u"task.failed"_s)
        scheduleRefresh();
}

void MoneySession::scheduleRefresh()
{
    if (!m_debounce->isActive())
        m_debounce->start();
}

void MoneySession::onUsage()
{
    if (!m_engine)
        return;
    // A copy under a mutex, no I/O: fine on the GUI thread.
    const QHash<QString, AgentUsage> usage = m_engine->usage();
    QHash<QString, AgentModel::Usage> bySession;
    for (auto it = usage.cbegin(); it != usage.cend(); ++it)
        bySession.insert(it.key(), {it->cpuPercent, it->rssBytes});
    m_agents->setUsage(bySession);
}

void MoneySession::setBudget(std::optional<double> usd)
{
    if (!m_engine)
        return;
    m_engine->setDailyBudget(usd).then(this, [this](Result<CostReport> r) {
        if (!r) {
            Q_EMIT failed(r.error().message);
            return;
        }
        refresh();
    });
}

void MoneySession::refresh()
{
    if (!m_engine)
        return;
    const quint64 generation = ++m_generation;
    m_engine->costs(m_days).then(this, [this, generation](Result<CostReport> r) {
        if (generation != m_generation)
            return; // an older answer
        if (!r) {
            Q_EMIT failed(r.error().message);
            return;
        }
        m_report = *r;
        Q_EMIT reportReady(m_report);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        qint64 next = -1;
        for (const ProfileLimit &l : std::as_const(m_report.limits))
            if (const qint64 ms = now.msecsTo(l.until); ms > 0 && (next < 0 || ms < next))
                next = ms;
        if (next >= 0)
            m_expiry->start(int(std::min<qint64>(next + 200, 24 * 3600 * 1000)));
        const QString status = statusText(m_report, now);
        if (status != m_status) {
            m_status = status;
            Q_EMIT statusChanged(m_status);
        }
    });
}

QString MoneySession::statusText() const
{
    return m_status;
}

QString MoneySession::statusText(const CostReport &r, const QDateTime &now)
{
    QStringList parts;
    if (r.dailyBudget) {
        const QString state = r.budgetState();
        if (state == u"exhausted"_s)
            parts << tr("Daily budget spent ($%1 of $%2): no task is handed out until 00:00 UTC")
                         .arg(r.today, 0, 'f', 2)
                         .arg(*r.dailyBudget, 0, 'f', 2);
        else if (state == u"warning"_s)
            parts << tr("Budget: $%1 of $%2 spent today (%3 %)")
                         .arg(r.today, 0, 'f', 2)
                         .arg(*r.dailyBudget, 0, 'f', 2)
                         .arg(*r.dailyBudget > 0 ? r.today / *r.dailyBudget * 100 : 100, 0, 'f', 0);
    }
    for (const ProfileLimit &l : r.limits)
        if (l.until > now)
            parts << tr("%1 rate-limited until %2: its agents wait")
                         .arg(l.profile,
                              QLocale().toString(l.until.toLocalTime().time(),
                                                 QLocale::ShortFormat));
    return parts.join(u" · "_s);
}

} // namespace Hive
