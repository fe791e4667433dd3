// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/agentactions.h"

#include "app/externalterminal.h"
#include "app/sessioncontroller.h"
#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "services/agents/profiles.h"
#include "services/agents/tmuxcontroller.h"
#include "services/engine.h"

#include <QtConcurrent>

using namespace Qt::StringLiterals;

namespace Hive {

AgentActions::AgentActions(SessionController *sessions, QObject *parent)
    : QObject(parent)
    , m_sessions(sessions)
{}

void AgentActions::findProfiles(const QString &dataDir)
{
    struct Found
    {
        QList<SpawnDialog::ProfileChoice> profiles;
        QString tmuxBinary;
    };
    QtConcurrent::run([dataDir] {
        Found found;
        for (const Profile &p : Profiles::all(dataDir))
            found.profiles << SpawnDialog::ProfileChoice{
                p.name,
                p.description,
                p.interactive,
                p.builtin,
                p.command.join(u' ').contains(u"{prompt}"_s),
                p.permissionMode};
        found.tmuxBinary = TmuxController::tmuxBinary();
        return found;
    }).then(this, [this](const Found &found) {
        m_profiles = found.profiles;
        m_tmuxBinary = found.tmuxBinary;
        Q_EMIT profilesFound();
    });
}

QStringList AgentActions::profileNames() const
{
    QStringList names;
    for (const SpawnDialog::ProfileChoice &p : m_profiles)
        names << p.name;
    return names;
}

SpawnDialog::Request AgentActions::quickRequest(const QString &profile) const
{
    SpawnDialog::Request r;
    r.type = u"dev"_s;
    r.profile = profile;
    for (const SpawnDialog::ProfileChoice &p : m_profiles)
        if (p.name == profile)
            r.interactive = p.interactive;
    return r;
}

void AgentActions::spawn(const SpawnDialog::Request &request, bool openTerminals)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const QString &name : request.names()) {
        SpawnRequest r;
        r.type = request.type;
        r.name = name;
        r.profile = request.profile;
        if (request.workplace == SpawnDialog::Workplace::ExistingFolder)
            r.workdir = request.path;
        else if (request.workplace == SpawnDialog::Workplace::Repository)
            r.repository = request.path;
        r.interactive = request.interactive;
        r.permissionMode = request.permissionMode;
        engine->spawn(r).then(this, [this, openTerminals, name](Result<Agent> a) {
            if (!a) {
                Q_EMIT errorOccurred(
                    tr("Cannot Spawn %1").arg(name.isEmpty() ? tr("the Agent") : name),
                    a.error().message);
                return;
            }
            Q_EMIT spawned(m_sessions->adopt(*a), openTerminals);
            Q_EMIT finished(tr("Spawned %1").arg(a->name));
        });
    }
}

void AgentActions::kill(const QList<Agent> &agents)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const Agent &agent : agents) {
        engine->kill(agent.id).then(this, [this, agent](Result<> r) {
            if (!r) {
                Q_EMIT errorOccurred(tr("Cannot Kill %1").arg(agent.name), r.error().message);
                return;
            }
            if (!agent.isAlive())
                m_sessions->dismiss(agent.id);
            Q_EMIT killed(agent);
            Q_EMIT finished(tr("Killed %1").arg(agent.name));
        });
    }
}

void AgentActions::restart(const QList<Agent> &agents)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    // The engine's restart, as the API's: the same name, folder and profile, and an interactive
    // agent's conversation resumed.
    for (const Agent &agent : agents) {
        m_restarting.insert(agent.name, agent.id);
        engine->restart(agent.id).then(this, [this, engine, agent](Result<Agent> a) {
            const QString oldId = m_restarting.take(agent.name);
            if (!a) {
                Q_EMIT errorOccurred(tr("Cannot Restart %1").arg(agent.name), a.error().message);
                // Stopped and not back (the spawn failed): its terminal has nothing to show.
                engine->agent(agent.id).then(this, [this](Result<Agent> now) {
                    if (now && !now->isAlive())
                        Q_EMIT killed(*now);
                });
                return;
            }
            // A lost agent is spawned again beside its old record: that one leaves the list.
            if (!agent.isAlive())
                m_sessions->dismiss(agent.id);
            Q_EMIT restarted(oldId, m_sessions->adopt(*a));
            Q_EMIT finished(tr("Restarted %1").arg(agent.name));
        });
    }
}

void AgentActions::attachExternal(const Agent &agent,
                                  const QString &tmuxSocket,
                                  const QString &command)
{
    const QString session = agent.tmuxSession.isEmpty() ? agent.name : agent.tmuxSession;
    if (auto r = ExternalTerminal::open(m_tmuxBinary, tmuxSocket, session, command); !r)
        Q_EMIT errorOccurred(tr("Cannot Open a Terminal"), r.error().message);
    else
        Q_EMIT finished(tr("Opened %1 in an external terminal").arg(agent.name));
}

void AgentActions::queue(const Task &task)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    engine->createTask(task).then(this, [this](Result<Task> created) {
        if (!created) {
            Q_EMIT errorOccurred(tr("Cannot Queue the Task"), created.error().message);
            return;
        }
        m_sessions->adopt(*created);
        Q_EMIT queued(*created);
        Q_EMIT finished(tr("Queued %1").arg(TaskModel::displayTitle(*created)));
    });
}

void AgentActions::cancel(const QStringList &taskIds)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const QString &id : taskIds)
        engine->cancelTask(id).then(this, [this](Result<Task> t) {
            if (!t)
                Q_EMIT errorOccurred(tr("Cannot Cancel the Task"), t.error().message);
        });
}

void AgentActions::retry(const QStringList &taskIds)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const QString &id : taskIds)
        engine->retryTask(id).then(this, [this](Result<Task> t) {
            if (!t)
                Q_EMIT errorOccurred(tr("Cannot Retry the Task"), t.error().message);
        });
}

} // namespace Hive
