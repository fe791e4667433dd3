// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/interactiveagents.h"

#include "services/agents/claudehooks.h"
#include "services/agents/panewatcher.h"
#include "services/agents/tmuxcontroller.h"
#include "services/core/logging.h"
#include "services/store/store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("orch");
}

// A Claude agent's state comes from its hooks; its pane only for what precedes them.
bool hasHooks(const Agent &a)
{
    return !a.sessionId.isEmpty();
}
} // namespace

InteractiveAgents::InteractiveAgents(Store *store,
                                     TmuxController *tmux,
                                     Publish publish,
                                     QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_tmux(tmux)
    , m_publish(std::move(publish))
    , m_timer(new QTimer(this))
{
    // Twice a second: a question on the screen is seen well within the two seconds users notice
    // (only the panes that printed since their last look are captured: look()).
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &InteractiveAgents::look);
    m_timer->start();
}

InteractiveAgents::~InteractiveAgents()
{
    for (auto &list : m_waitingPrompts)
        for (auto &p : list) {
            p->addResult(false);
            p->finish();
        }
}

void InteractiveAgents::track(const QList<Agent> &agents)
{
    QSet<QString> live;
    for (const Agent &a : agents) {
        live.insert(a.id);
        auto it = m_agents.find(a.id);
        if (it == m_agents.end())
            add(a);
        else
            it->agent = a; // its session id may have changed (/clear)
    }
    for (const QString &id : m_agents.keys())
        if (!live.contains(id))
            forget(id);
}

void InteractiveAgents::add(const Agent &agent)
{
    Watched w;
    w.agent = agent;
    w.status = agent.status;
    w.need = agent.need;
    m_agents.insert(agent.id, w);
}

void InteractiveAgents::forget(const QString &agentId)
{
    m_agents.remove(agentId);
    for (auto &p : m_waitingPrompts.take(agentId)) {
        p->addResult(false);
        p->finish();
    }
}

void InteractiveAgents::look()
{
    if (m_agents.isEmpty() || m_looking)
        return;
    // One list-panes for all agents: which windows had output since their last capture. A pane
    // that printed nothing shows the same screen, so it needs no capture-pane (at 50 agents, 100
    // capture-pane a second became two list-panes and the captures of the panes that printed).
    m_looking = true;
    m_tmux->command({u"list-panes"_s, u"-a"_s, u"-F"_s, u"#{session_name}\t#{window_activity}"_s})
        .then(this, [this](const Result<QStringList> &panes) {
            m_looking = false;
            QHash<QString, qint64> activity; // session → last output, seconds since the epoch
            if (panes) {
                for (const QString &line : *panes) {
                    const qsizetype tab = line.indexOf(u'\t');
                    if (tab > 0)
                        activity.insert(line.left(tab), line.mid(tab + 1).toLongLong());
                }
            }
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            for (auto it = m_agents.begin(); it != m_agents.end(); ++it) {
                Watched &w = *it;
                const qint64 last = activity.value(w.agent.tmuxSession, -1);
                // window_activity counts whole seconds: output in the second of the last capture
                // may have come after it, so that second is looked at again. Every 30 s a capture
                // anyway (a screen that changed without output: a resize).
                if (panes && last >= 0 && w.capturedAt > 0 && last < w.capturedAt
                    && now - w.capturedAt < 30) {
                    if (!w.capturing) // else its screen, not yet read, says it
                        unchanged(w);
                    continue;
                }
                w.capturedAt = now;
                capture(w);
            }
        });
}

void InteractiveAgents::unchanged(Watched &w)
{
    // What the same screen reads when nothing changed: its question, or idle (no longer busy).
    if (hasHooks(w.agent))
        return; // the pane decides only on its known screens, which stay as they were
    apply(w.agent.id,
          w.paneNeed.isEmpty() ? Agent::Status::Idle : Agent::Status::WaitingInput,
          w.paneNeed);
}

void InteractiveAgents::capture(Watched &w)
{
    w.capturing = true;
    const Agent a = w.agent;
    m_tmux->capturePane(a.tmuxSession, 60)
        .then(this, [this, a, hooks = w.hooks](Result<QString> screen) {
            auto it = m_agents.find(a.id);
            if (it != m_agents.end())
                it->capturing = false;
            if (!screen || it == m_agents.end() || it->hooks != hooks)
                return; // a hook came meanwhile: it knows better than this older screen
            const QByteArray digest
                = QCryptographicHash::hash(screen->toUtf8(), QCryptographicHash::Md5);
            const bool changed = !it->digest.isEmpty() && it->digest != digest;
            it->digest = digest;
            const PaneWatcher::Reading r = PaneWatcher::read(*screen, changed);
            it->paneNeed = r.need;
            if (hasHooks(a)) {
                // Only the screens before the hooks, and only undone by the pane itself.
                if (PaneWatcher::isKnownScreen(r.need)) {
                    it->paneWaiting = true;
                    apply(a.id, Agent::Status::WaitingInput, r.need);
                } else if (it->paneWaiting) {
                    // Answered: Claude Code is at its prompt (its hooks say more from now on).
                    it->paneWaiting = false;
                    apply(a.id, Agent::Status::Idle, {});
                }
                return;
            }
            apply(a.id, r.status, r.need);
        });
}

void InteractiveAgents::apply(const QString &agentId, Agent::Status status, const QString &need)
{
    auto it = m_agents.find(agentId);
    if (it != m_agents.end()) {
        if (it->status == status && it->need == need)
            return;
        it->status = status;
        it->need = need;
    }
    m_store
        ->run([agentId, status, need](Database &db) {
            return db.setAgentStatus(agentId, status, need);
        })
        .then(this, [this](Result<Change> c) {
            if (c)
                m_publish(*c);
        });
}

void InteractiveAgents::onHook(const QString &agentId, const QJsonObject &payload)
{
    const ClaudeHooks::Reading r = ClaudeHooks::read(payload);
    log()->debug("hook {} from {}", payload.value(u"hook_event_name").toString(), agentId);
    auto it = m_agents.find(agentId);
    if (it != m_agents.end()) {
        ++it->hooks;
        it->paneWaiting = false;
        if (!r.sessionId.isEmpty() && r.sessionId != it->agent.sessionId) {
            it->agent.sessionId = r.sessionId; // /clear starts a new conversation
            m_store->run([agentId, id = r.sessionId](Database &db) {
                return db.setAgentSession(agentId, id);
            });
        }
        // The later, generic notification does not replace the permission request's own words.
        if (r.status == Agent::Status::WaitingInput && it->status == Agent::Status::WaitingInput
            && payload.value(u"hook_event_name").toString() == u"Notification"_s)
            return;
    }
    if (r.promptSubmitted) {
        for (auto &p : m_waitingPrompts.take(agentId)) {
            p->addResult(true);
            p->finish();
        }
    }
    if (r.status)
        apply(agentId, *r.status, r.need);
}

QFuture<std::optional<bool>> InteractiveAgents::promptAccepted(const Agent &agent, int ms)
{
    if (!hasHooks(agent))
        return QtFuture::makeReadyValueFuture(std::optional<bool>());
    auto promise = std::make_shared<QPromise<std::optional<bool>>>();
    promise->start();
    m_waitingPrompts[agent.id].append(promise);
    QTimer::singleShot(ms, this, [this, id = agent.id, promise] {
        auto &list = m_waitingPrompts[id];
        if (!list.removeOne(promise))
            return; // answered
        if (list.isEmpty())
            m_waitingPrompts.remove(id);
        promise->addResult(false);
        promise->finish();
    });
    return promise->future();
}

} // namespace Hive
