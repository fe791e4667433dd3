// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/operateactions.h"

#include "app/sessioncontroller.h"
#include "models/agentmodel.h"
#include "services/agents/profiles.h"
#include "services/engine.h"
#include "widgets/agentpanel.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/teamdialog.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QtConcurrent>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
TeamDialog::TemplateChoice choiceOf(const TeamTemplate &t)
{
    TeamDialog::TemplateChoice c;
    c.name = t.name;
    c.description = t.description;
    c.builtin = t.builtin;
    c.agents = t.agentCount();
    for (const TeamRole &r : t.roles)
        c.roles << QObject::tr("%1 × %2 — %3, %4 (type %5)")
                       .arg(r.role)
                       .arg(r.count)
                       .arg(r.interactive ? QObject::tr("interactive") : QObject::tr("workers"),
                            r.profile.isEmpty() ? Profiles::defaultName(r.interactive) : r.profile,
                            r.type);
    return c;
}
} // namespace

OperateActions::OperateActions(SessionController *sessions, AgentPanel *panel, QWidget *window)
    : QObject(window)
    , m_sessions(sessions)
    , m_panel(panel)
    , m_window(window)
    , m_newTeam(new QAction(tr("New &Team…"), this))
    , m_pause(new QAction(tr("&Pause"), this))
    , m_resume(new QAction(tr("Res&ume"), this))
    , m_stop(new QAction(tr("&Stop (Keep Conversation)"), this))
    , m_stopTeam(new QAction(tr("Stop T&eam"), this))
{
    m_stopTeam->setObjectName(u"stopTeamAction"_s);
    m_stopTeam->setStatusTip(tr("Stop every agent of the selected agent's team; a running task "
                                "goes back to the queue"));
    connect(m_stopTeam, &QAction::triggered, this, [this] {
        QStringList teams;
        for (const Agent &a : m_panel->selectedAgents())
            if (!a.teamId.isEmpty() && !teams.contains(a.teamId))
                teams << a.teamId;
        stopTeams(teams);
    });
    m_newTeam->setObjectName(u"newTeamAction"_s);
    m_newTeam->setStatusTip(tr("Start a team of agents from a template"));
    m_pause->setObjectName(u"pauseAction"_s);
    m_pause->setStatusTip(tr("The worker finishes its task and takes no new one"));
    m_resume->setObjectName(u"resumeAction"_s);
    m_resume->setStatusTip(tr("The paused worker takes tasks again"));
    m_stop->setObjectName(u"stopAction"_s);
    m_stop->setStatusTip(
        tr("End the agent's session to free its memory; its folder and conversation are kept"));
    connect(m_newTeam, &QAction::triggered, this, &OperateActions::showTeamDialog);
    connect(m_pause, &QAction::triggered, this, [this] {
        apply(u"pause"_s, m_panel->selectedAgents());
    });
    connect(m_resume, &QAction::triggered, this, [this] {
        apply(u"resume"_s, m_panel->selectedAgents());
    });
    connect(
        m_stop, &QAction::triggered, this, [this] { apply(u"stop"_s, m_panel->selectedAgents()); });
    if (auto *selection = m_panel->view()->selectionModel())
        connect(selection,
                &QItemSelectionModel::selectionChanged,
                this,
                &OperateActions::updateActions);
    connect(m_sessions->agentModel(),
            &QAbstractItemModel::dataChanged,
            this,
            &OperateActions::updateActions);
    updateActions();
}

void OperateActions::updateActions()
{
    bool pause = false, resume = false, stop = false, team = false;
    for (const Agent &a : m_panel->selectedAgents()) {
        if (!a.isAlive())
            continue;
        team |= !a.teamId.isEmpty();
        pause |= !a.interactive && !a.paused;
        resume |= a.paused;
        stop |= a.status != Agent::Status::Busy && a.currentTaskId.isEmpty();
    }
    m_pause->setEnabled(pause);
    m_resume->setEnabled(resume);
    m_stop->setEnabled(stop);
    m_stopTeam->setEnabled(team);
}

void OperateActions::stopTeams(const QStringList &teamIds)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const QString &id : teamIds)
        engine->stopTeam(id).then(this, [this](const Result<Team> &team) {
            if (!team) {
                Q_EMIT errorOccurred(tr("Cannot Stop the Team"), team.error().message);
                return;
            }
            for (const Agent &a : team->agents)
                m_sessions->adopt(a);
            Q_EMIT finished(tr("Stopped team %1").arg(team->name));
        });
}

void OperateActions::apply(const QString &verb, const QList<Agent> &agents)
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    for (const Agent &agent : agents) {
        QFuture<Result<Agent>> done;
        if (verb == u"pause"_s && !agent.interactive && !agent.paused)
            done = engine->setPaused(agent.id, true);
        else if (verb == u"resume"_s && agent.paused)
            done = engine->setPaused(agent.id, false);
        else if (verb == u"stop"_s && agent.isAlive())
            done = engine->stopAgent(agent.id);
        else
            continue;
        done.then(this, [this, verb, name = agent.name](const Result<Agent> &a) {
            if (!a) {
                Q_EMIT errorOccurred(tr("Cannot %1 %2").arg(verb, name), a.error().message);
                return;
            }
            m_sessions->adopt(*a);
            updateActions();
            Q_EMIT finished(verb == u"pause"_s    ? tr("Paused %1").arg(name)
                            : verb == u"resume"_s ? tr("Resumed %1").arg(name)
                                                  : tr("Stopped %1").arg(name));
        });
    }
}

void OperateActions::showTeamDialog()
{
    Engine *engine = m_sessions->engine();
    if (!engine)
        return;
    if (auto *open = m_window->findChild<TeamDialog *>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return;
    }
    // The templates are small files, read on the thread pool all the same.
    QtConcurrent::run([engine] {
        return engine->teamTemplates();
    }).then(this, [this, engine](const QList<TeamTemplate> &templates) {
        QList<TeamDialog::TemplateChoice> choices;
        for (const TeamTemplate &t : templates)
            choices << choiceOf(t);
        auto *dialog = new TeamDialog(choices, m_window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, engine, dialog] {
            const TeamDialog::Request r = dialog->request();
            TeamRequest request;
            request.templateName = r.templateName;
            request.repository = r.repository;
            request.name = r.name;
            Q_EMIT finished(
                tr("Starting team %1…").arg(r.name.isEmpty() ? r.templateName : r.name));
            engine->spawnTeam(request).then(this, [this](const Result<Team> &team) {
                if (!team) {
                    Q_EMIT errorOccurred(tr("Cannot Start the Team"), team.error().message);
                    return;
                }
                for (const Agent &a : team->agents)
                    m_sessions->adopt(a);
                Q_EMIT finished(
                    tr("Started team %1: %n agent(s)", nullptr, int(team->agents.size()))
                        .arg(team->name));
            });
        });
        dialog->open();
    });
}

} // namespace Hive
