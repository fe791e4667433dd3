// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The agents' rows: spawned, their status, ended (stopped or lost, with their tasks handed back).
#include "services/store/database.h"

#include "models/validation.h"
#include "services/store/agentcache.h"
#include "services/store/rows.h"
#include "services/store/taskstates.h"

using namespace Qt::StringLiterals;

namespace Hive {

using Validation::isUuid;

Result<Change> Database::insertAgent(const Agent &a)
{
    return transaction([&]() -> Result<Change> {
        auto agent
            = updateAgent(u"INSERT INTO agents (id, name, type, profile, interactive, status, "
                          "tmux_session, workdir, permission_mode, session_id, team_id, team) "
                          "VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::uuid, ?)"_s,
                          {a.id,
                           a.name,
                           a.type,
                           a.profile,
                           a.interactive,
                           Agent::statusName(a.status),
                           a.tmuxSession,
                           a.workdir,
                           nullableText(a.permissionMode),
                           nullableText(a.sessionId),
                           nullableText(a.teamId),
                           nullableText(a.team)});
        if (!agent) {
            Error e = agent.error();
            if (e.kind == Error::Kind::Conflict)
                e.message = u"an agent named '%1' is already running"_s.arg(a.name);
            return std::unexpected(e);
        }
        auto ev = record(u"agent.spawned"_s, *agent, std::nullopt);
        if (!ev)
            return failure(ev.error());
        Change c;
        c.events << *ev;
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::reviveAgent(const Agent &a)
{
    return transaction([&]() -> Result<Change> {
        // Only an ended agent starts again; its name must not belong to a live agent meanwhile
        // (agents_live_name).
        auto agent = updateAgent(
            u"UPDATE agents SET status = ?, tmux_session = ?, workdir = ?, permission_mode = ?, "
            "session_id = ?, need = '', current_task_id = NULL, last_heartbeat = NULL, "
            "ended_at = NULL, created_at = now() "
            "WHERE id = ?::uuid AND status IN ('stopped', 'lost')"_s,
            {Agent::statusName(a.status),
             a.tmuxSession,
             a.workdir,
             nullableText(a.permissionMode),
             nullableText(a.sessionId),
             a.id});
        if (!agent) {
            Error e = agent.error();
            if (e.kind == Error::Kind::Conflict)
                e.message = u"an agent named '%1' is already running"_s.arg(a.name);
            else if (e.kind == Error::Kind::NotFound)
                e = Error::conflict(
                    u"agent %1 is not stopped: only a stopped agent starts"_s.arg(a.name));
            return std::unexpected(e);
        }
        auto ev = record(u"agent.started"_s, *agent, std::nullopt);
        if (!ev)
            return failure(ev.error());
        Change c;
        c.events << *ev;
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::setAgentPaused(const QString &agentId, bool paused)
{
    return transaction([&]() -> Result<Change> {
        auto agent = updateAgent(u"UPDATE agents SET paused = ? WHERE id = ?::uuid "
                                 "AND status NOT IN ('stopped', 'lost')"_s,
                                 {paused, agentId});
        if (!agent) {
            if (agent.error().kind == Error::Kind::NotFound) {
                auto a = this->agent(agentId);
                if (!a)
                    return failure(a.error());
                return failure(Error::conflict(
                    u"agent %1 is %2"_s.arg(a->name, Agent::statusName(a->status))));
            }
            return failure(agent.error());
        }
        Change c;
        if (auto r
            = recordInto(c, paused ? u"agent.paused"_s : u"agent.resumed"_s, *agent, std::nullopt);
            !r)
            return failure(r.error());
        c.agent = *agent;
        return c;
    });
}

Result<QList<Agent>> Database::teamAgents(const QString &teamId)
{
    if (!isUuid(teamId))
        return failure(notFound(u"team"_s, teamId));
    auto q = exec(u"SELECT "_s + kAgentColumns
                      + u" FROM agents WHERE team_id = ?::uuid ORDER BY created_at, name"_s,
                  {teamId});
    if (!q)
        return failure(q.error());
    QList<Agent> out;
    while (q->next())
        out << agentFromRow(*q);
    if (out.isEmpty())
        return failure(notFound(u"team"_s, teamId));
    return out;
}

Result<Change>
Database::setAgentStatus(const QString &agentId, Agent::Status status, const QString &need)
{
    // What it waits for is only kept while it waits.
    // Never NULL (a null QString binds as NULL): the column is NOT NULL.
    const QString text = status == Agent::Status::WaitingInput && !need.isNull() ? need : u""_s;
    return transaction([&]() -> Result<Change> {
        auto agent = updateAgent(
            u"UPDATE agents SET status = ?, need = ? WHERE id = ?::uuid AND (status <> ? OR need "
            u"<> ?) "
            "AND status NOT IN ('stopped', 'lost')"_s,
            {Agent::statusName(status), text, agentId, Agent::statusName(status), text});
        Change c;
        if (!agent) {
            if (agent.error().kind == Error::Kind::NotFound)
                return c; // unchanged, or ended
            return failure(agent.error());
        }
        if (auto r = recordInto(c, u"agent.status"_s, *agent, std::nullopt); !r)
            return failure(r.error());
        c.agent = *agent;
        return c;
    });
}

Result<> Database::setAgentSession(const QString &agentId, const QString &sessionId)
{
    auto r = exec(u"UPDATE agents SET session_id = ? WHERE id = ?::uuid"_s, {sessionId, agentId});
    if (!r)
        return failure(r.error());
    if (m_agentCache)
        m_agentCache->setSessionId(agentId, sessionId);
    return {};
}

Result<Change>
Database::endAgent(const QString &agentId, Agent::Status status, const QString &reason)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto agent
            = updateAgent(u"UPDATE agents SET status = ?, current_task_id = NULL, ended_at = now() "
                          "WHERE id = ?::uuid AND status NOT IN ('stopped', 'lost')"_s,
                          {Agent::statusName(status), agentId});
        if (!agent) {
            if (agent.error().kind == Error::Kind::NotFound)
                return c;
            return failure(agent.error());
        }
        // Its unfinished tasks: back to the queue, or failed when their attempts are used up.
        auto running = exec(
            u"SELECT "_s + kTaskColumns
                + u" FROM tasks WHERE agent_id = ?::uuid AND status IN ('assigned', 'running') FOR UPDATE"_s,
            {agentId});
        if (!running)
            return failure(running.error());
        QList<Task> tasks;
        while (running->next())
            tasks << taskFromRow(*running);
        for (const Task &t : tasks) {
            // A kill hands the task back without counting the attempt; a lost agent counts it.
            const TaskStates::AgentEnded next = TaskStates::afterAgentEnded(t, status);
            const bool handBack = !next.attemptCounted;
            const bool usedUp = next.status == Task::Status::Failed;
            const QString why
                = u"agent %1 %2: %3"_s.arg(agent->name, Agent::statusName(status), reason);
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, "
                              u"started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'lost', ?, ?)"_s,
                              {t.id, t.attempts, agentId, t.startedAt, why});
                !r)
                return failure(r.error());
            if (usedUp) {
                const QString err = u"%1; no attempts left (%2 of %3 used)"_s.arg(
                    why, QString::number(t.attempts), QString::number(t.maxAttempts));
                auto failed = updateTask(
                    u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
                    "WHERE id = ?::uuid"_s,
                    {err, t.id});
                if (!failed)
                    return failure(failed.error());
                if (auto r = recordInto(c, u"task.failed"_s, std::nullopt, *failed); !r)
                    return failure(r.error());
                QStringList visited;
                auto dep = failDependents(*failed, visited);
                if (!dep)
                    return failure(dep.error());
                c.merge(*dep);
            } else {
                auto queued = updateTask(
                    u"UPDATE tasks SET status = 'queued', agent_id = NULL, started_at = NULL, "
                    "error = ?, attempts = CASE WHEN ? THEN greatest(attempts - 1, 0) ELSE "
                    "attempts END "
                    "WHERE id = ?::uuid"_s,
                    {why, handBack, t.id});
                if (!queued)
                    return failure(queued.error());
                if (auto r = recordInto(c, u"task.queued"_s, std::nullopt, *queued); !r)
                    return failure(r.error());
                c.enqueue << *queued;
            }
        }
        if (auto r
            = recordInto(c,
                         status == Agent::Status::Stopped ? u"agent.killed"_s : u"agent.status"_s,
                         *agent,
                         std::nullopt);
            !r)
            return failure(r.error());
        c.agent = *agent;
        return c;
    });
}

Result<> Database::touchHeartbeat(const QString &agentId)
{
    auto r = exec(
        u"UPDATE agents SET last_heartbeat = now() WHERE id = ?::uuid RETURNING last_heartbeat"_s,
        {agentId});
    if (!r)
        return failure(r.error());
    if (m_agentCache && r->next())
        m_agentCache->setHeartbeat(agentId, r->value(u"last_heartbeat"_s).toDateTime());
    return {};
}

Result<QList<Agent>> Database::agents(std::optional<Agent::Status> status)
{
    auto q = status ? exec(u"SELECT "_s + kAgentColumns
                               + u" FROM agents WHERE status = ? ORDER BY created_at"_s,
                           {Agent::statusName(*status)})
                    : exec(u"SELECT "_s + kAgentColumns + u" FROM agents ORDER BY created_at"_s);
    if (!q)
        return failure(q.error());
    QList<Agent> out;
    while (q->next())
        out << agentFromRow(*q);
    return out;
}

Result<std::pair<QList<Agent>, qint64>> Database::agentsAsOfSeq()
{
    // One statement, one snapshot: the rows hold the effects of exactly the events up to upto
    // (events.id follows commit order, see events()).
    auto q = exec(u"SELECT s.upto, "_s + kAgentColumns
                  + u" FROM (SELECT coalesce(max(id), 0) AS upto FROM events) s "
                    "LEFT JOIN agents ON true ORDER BY created_at"_s);
    if (!q)
        return failure(q.error());
    std::pair<QList<Agent>, qint64> out{{}, 0};
    while (q->next()) {
        out.second = q->value(u"upto"_s).toLongLong();
        if (!q->isNull(u"id"_s))
            out.first << agentFromRow(*q);
    }
    return out;
}

Result<QList<Agent>> Database::liveAgents()
{
    auto q = exec(u"SELECT "_s + kAgentColumns
                  + u" FROM agents WHERE status NOT IN ('stopped', 'lost') ORDER BY created_at"_s);
    if (!q)
        return failure(q.error());
    QList<Agent> out;
    while (q->next())
        out << agentFromRow(*q);
    return out;
}

Result<Agent> Database::agent(const QString &id)
{
    if (!isUuid(id))
        return failure(notFound(u"agent"_s, id));
    auto q = exec(u"SELECT "_s + kAgentColumns + u" FROM agents WHERE id = ?::uuid"_s, {id});
    if (!q)
        return failure(q.error());
    if (!q->next())
        return failure(notFound(u"agent"_s, id));
    return agentFromRow(*q);
}

} // namespace Hive
