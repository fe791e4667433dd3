// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The tasks' rows and their state machine: created (blocked or queued), claimed, started,
// finished (succeeded, retried or failed), released, cancelled, retried; dependents settled.
#include "services/store/database.h"

#include "models/validation.h"
#include "services/core/logging.h"
#include "services/store/rows.h"
#include "services/store/taskstates.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Hive {

using Validation::isUuid;

namespace {
auto log()
{
    return Logging::get("store");
}

// PostgreSQL's text and jsonb cannot hold U+0000, and QPSQL, which sends values inside the
// statement's text, cuts the statement at one (a syntax error, SQLSTATE 42601): what agents print
// is stored with each NUL replaced by U+FFFD. Each returns how many it replaced.
qsizetype replaceNul(QString &s)
{
    const qsizetype n = s.count(QChar(0));
    if (n)
        s.replace(QChar(0), QChar(0xFFFD));
    return n;
}

qsizetype replaceNul(QJsonValue &v)
{
    qsizetype n = 0;
    if (v.isString()) {
        QString s = v.toString();
        if ((n = replaceNul(s)))
            v = s;
    } else if (v.isArray()) {
        QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue e = a.at(i);
            if (const qsizetype m = replaceNul(e)) {
                a.replace(i, e);
                n += m;
            }
        }
        if (n)
            v = a;
    } else if (v.isObject()) {
        QJsonObject o = v.toObject();
        QJsonObject clean;
        for (auto it = o.begin(); it != o.end(); ++it) {
            QString key = it.key();
            QJsonValue e = it.value();
            n += replaceNul(key) + replaceNul(e);
            clean.insert(key, e);
        }
        if (n)
            v = clean;
    }
    return n;
}

// The output, error and report of an attempt made storable; a note in front of the output says
// what was replaced.
qsizetype makeStorable(TaskResult &result, QString &error)
{
    const qsizetype inOutput = replaceNul(result.output);
    qsizetype n = inOutput + replaceNul(error);
    if (result.report) {
        QJsonValue report = result.report->toJson();
        if (const qsizetype m = replaceNul(report)) {
            result.report = AgentReport::fromJson(report.toObject());
            n += m;
        }
    }
    if (n)
        result.output.prepend(u"[hive: %1 NUL character(s) of this result (%2 in the output) were "
                              u"replaced by U+FFFD: "
                              "PostgreSQL cannot store them]\n"_s.arg(n)
                                  .arg(inOutput));
    return n;
}
} // namespace

Result<Change> Database::createTask(const Task &t)
{
    return transaction([&]() -> Result<Change> { return insertTask(t); });
}

QList<Result<Change>> Database::createTasks(const QList<Task> &tasks)
{
    if (tasks.size() == 1)
        return {createTask(tasks.first())};
    QList<Result<Change>> out;
    if (auto b = begin(); !b) {
        for (qsizetype i = 0; i < tasks.size(); ++i)
            out << failure(b.error());
        return out;
    }
    // Tasks without dependencies are queued at once (TaskStates::initial): what insertTask does
    // for each, row and event, for all of them.
    auto insertIndependent = [this](const QList<Task> &batch, QList<Result<Change>> &results) {
        // Events recorded before in this transaction get their ids first.
        if (!flushEvents())
            return false;
        const QString status = Task::statusName(TaskStates::initial({}));
        QStringList rows;
        QVariantList binds;
        for (const Task &t : batch) {
            rows << u"(?::uuid, ?, ?, ?, ?, ?, '{}'::uuid[], ?)"_s;
            binds << t.id << (t.title.isNull() ? u""_s : t.title) << t.prompt << t.agentType
                  << t.priority << status << t.maxAttempts;
        }
        auto inserted = exec(u"INSERT INTO tasks (id, title, prompt, agent_type, priority, status, "
                             "depends_on, max_attempts) VALUES "_s
                                 + rows.join(u", "_s) + u" RETURNING "_s + kTaskColumns,
                             binds);
        if (!inserted)
            return false;
        QHash<QString, Task> byId;
        while (inserted->next()) {
            Task t = taskFromRow(*inserted);
            byId.insert(t.id, t);
        }
        if (byId.size() != batch.size())
            return false;
        QStringList eventRows;
        QVariantList eventBinds;
        QList<Event> events;
        for (const Task &t : batch) {
            Event e;
            e.type = u"task.created"_s;
            e.task = byId.value(t.id).toSummary();
            eventRows << u"('task.created', NULL, ?::uuid, ?::jsonb)"_s;
            eventBinds << t.id
                       << QString::fromUtf8(
                              QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact));
            events << e;
        }
        auto recorded
            = exec(u"INSERT INTO events (type, agent_id, task_id, payload) VALUES "_s
                       + eventRows.join(u", "_s) + u" RETURNING id, at, task_id::text AS task_id"_s,
                   eventBinds);
        if (!recorded)
            return false;
        QHash<QString, std::pair<qint64, QDateTime>> seqs;
        while (recorded->next())
            seqs.insert(
                recorded->value(u"task_id"_s).toString(),
                {recorded->value(u"id"_s).toLongLong(), recorded->value(u"at"_s).toDateTime()});
        if (seqs.size() != batch.size())
            return false;
        for (qsizetype i = 0; i < batch.size(); ++i) {
            Change c;
            Event e = events[i];
            std::tie(e.seq, e.at) = seqs.value(batch[i].id);
            c.events << e;
            const Task task = byId.value(batch[i].id);
            c.enqueue << task;
            c.task = task;
            results << c;
        }
        return true;
    };
    bool refused = false;
    const bool independent = std::all_of(
        tasks.cbegin(), tasks.cend(), [](const Task &t) { return t.dependsOn.isEmpty(); });
    if (independent) {
        // The common case, in two statements whatever the number of tasks: every row, then every
        // event (ids handed out in the batch's order), instead of two round trips a task.
        refused = !insertIndependent(tasks, out);
    } else {
        for (const Task &t : tasks) {
            auto c = insertTask(t);
            if (!c) {
                refused = true;
                break;
            }
            out << std::move(c);
        }
    }
    if (!refused) {
        if (auto c = commit(); !c) {
            out.clear();
            for (qsizetype i = 0; i < tasks.size(); ++i)
                out << failure(c.error());
        }
        for (Result<Change> &c : out)
            if (c)
                settle(*c);
        return out;
    }
    // One was refused (and the transaction may be aborted): nothing of it is kept; each again on
    // its own, so that only the refused one fails.
    rollback();
    out.clear();
    for (const Task &t : tasks)
        out << createTask(t);
    return out;
}

Result<Change> Database::insertTask(const Task &t)
{
    QList<Task::Status> depStates;
    QString error;
    for (const QString &dep : t.dependsOn) {
        if (!isUuid(dep))
            return failure(Error::invalid(u"depends_on: '%1' is not a task id"_s.arg(dep)));
        // FOR SHARE: a dependency finishing meanwhile waits for this row to be committed (or
        // this read waits for its end), so that settling its dependents cannot miss this task.
        auto d = exec(u"SELECT status, title FROM tasks WHERE id = ?::uuid FOR SHARE"_s, {dep});
        if (!d)
            return failure(d.error());
        if (!d->next())
            return failure(Error::invalid(u"depends_on: no task with id %1"_s.arg(dep)));
        const auto st
            = Task::statusFromName(d->value(u"status"_s).toString()).value_or(Task::Status::Failed);
        depStates << st;
        if (error.isEmpty() && (st == Task::Status::Failed || st == Task::Status::Cancelled))
            error = u"dependency %1 (%2) %3"_s.arg(dep,
                                                   d->value(u"title"_s).toString(),
                                                   st == Task::Status::Failed ? u"failed"_s
                                                                              : u"was cancelled"_s);
    }
    const Task::Status status = TaskStates::initial(depStates);
    const QString deps = u"{"_s + t.dependsOn.join(u',') + u"}"_s; // a uuid[] literal
    auto task = updateTask(
        u"INSERT INTO tasks (id, title, prompt, agent_type, priority, status, depends_on, "
        "max_attempts, error, finished_at) VALUES (?::uuid, ?, ?, ?, ?, ?, ?::uuid[], ?, ?, "
        "CASE WHEN ? THEN now() END)"_s,
        {t.id,
         t.title.isNull() ? u""_s : t.title,
         t.prompt,
         t.agentType,
         t.priority,
         Task::statusName(status),
         deps,
         t.maxAttempts,
         nullableText(error),
         status == Task::Status::Failed});
    if (!task)
        return failure(task.error());
    Change c;
    if (auto r = recordInto(c, u"task.created"_s, std::nullopt, *task); !r)
        return failure(r.error());
    if (status == Task::Status::Failed) {
        if (auto r = recordInto(c, u"task.failed"_s, std::nullopt, *task); !r)
            return failure(r.error());
    }
    if (status == Task::Status::Queued)
        c.enqueue << *task;
    c.task = *task;
    return c;
}

Result<Change> Database::claimTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        if (!isUuid(taskId))
            return c; // a stray queue entry: not a task
        // A paused agent claims nothing (the lock orders this claim with a pause): refused, so
        // that its runner hands the entry back for another agent of its type.
        auto check = claimCheck(agentId, true);
        if (!check)
            return failure(check.error());
        const bool paused = check->first;
        // Its profile rate-limited, or the daily budget spent: refused, the task stays queued
        // (coststore.cpp). Checked here so that no runner can pass it.
        if (!paused) {
            const std::optional<DispatchHold> &hold = check->second;
            if (hold) {
                // Unless it is this agent's already (a claim asked again after its answer was
                // lost).
                auto mine = exec(u"SELECT "_s + kTaskColumns
                                     + u" FROM tasks WHERE id = ?::uuid AND agent_id = ?::uuid "
                                       "AND status = 'assigned'"_s,
                                 {taskId, agentId});
                if (!mine)
                    return failure(mine.error());
                if (mine->next()) {
                    c.task = taskFromRow(*mine);
                    return c;
                }
                return failure(Error{Error::Kind::Conflict, hold->message, hold->code});
            }
        }
        auto task = paused
                        ? Result<Task>(failure(Error::notFound({})))
                        : updateTask(u"UPDATE tasks SET status = 'assigned', agent_id = ?::uuid, "
                                     "attempts = attempts + 1, started_at = now(), error = NULL "
                                     "WHERE id = ?::uuid AND status = 'queued'"_s,
                                     {agentId, taskId});
        if (!task) {
            if (task.error().kind != Error::Kind::NotFound)
                return failure(task.error());
            // Claimed by this agent already (a claim committed whose answer was lost, asked
            // again): ours, unchanged. Otherwise cancelled, finished or taken by someone else.
            auto mine = exec(u"SELECT "_s + kTaskColumns
                                 + u" FROM tasks WHERE id = ?::uuid AND agent_id = ?::uuid "
                                   "AND status = 'assigned'"_s,
                             {taskId, agentId});
            if (!mine)
                return failure(mine.error());
            if (mine->next())
                c.task = taskFromRow(*mine);
            else if (paused)
                return failure(Error{Error::Kind::Conflict,
                                     u"the agent is paused: it claims no task until resumed"_s,
                                     u"agent_paused"_s});
            return c;
        }
        if (auto r = recordInto(c, u"task.assigned"_s, std::nullopt, *task); !r)
            return failure(r.error());
        c.task = *task;
        auto agent = updateAgent(
            u"UPDATE agents SET status = 'busy', current_task_id = ?::uuid WHERE id = ?::uuid"_s,
            {taskId, agentId});
        if (!agent)
            return failure(agent.error());
        if (auto r = recordInto(c, u"agent.status"_s, *agent, std::nullopt); !r)
            return failure(r.error());
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::startTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task
            = updateTask(u"UPDATE tasks SET status = 'running', started_at = now() "
                         "WHERE id = ?::uuid AND agent_id = ?::uuid AND status = 'assigned'"_s,
                         {taskId, agentId});
        if (!task) {
            if (task.error().kind == Error::Kind::NotFound)
                return c;
            return failure(task.error());
        }
        if (auto r = recordInto(c, u"task.started"_s, std::nullopt, *task); !r)
            return failure(r.error());
        c.task = *task;
        return c;
    });
}

Result<Change> Database::agentToIdle(const QString &agentId, const QString &taskId)
{
    Change c;
    auto agent = updateAgent(
        u"UPDATE agents SET status = 'idle', current_task_id = NULL "
        "WHERE id = ?::uuid AND current_task_id = ?::uuid AND status NOT IN ('stopped', 'lost')"_s,
        {agentId, taskId});
    if (!agent) {
        if (agent.error().kind == Error::Kind::NotFound)
            return c;
        return failure(agent.error());
    }
    if (auto r = recordInto(c, u"agent.status"_s, *agent, std::nullopt); !r)
        return failure(r.error());
    c.agent = *agent;
    return c;
}

Result<Change> Database::finishTask(const QString &taskId,
                                    const QString &agentId,
                                    const TaskResult &given,
                                    bool succeeded,
                                    const QString &givenError,
                                    bool retryable)
{
    TaskResult result = given;
    QString error = givenError;
    if (const qsizetype n = makeStorable(result, error))
        log()->warn("task {}: {} NUL character(s) in its result replaced by U+FFFD", taskId, n);
    return transaction([&]() -> Result<Change> {
        Change c;
        auto cur = exec(
            u"SELECT "_s + kTaskColumns
                + u" FROM tasks WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running') FOR UPDATE"_s,
            {taskId, agentId});
        if (!cur)
            return failure(cur.error());
        if (!cur->next()) {
            // Not ours any more (cancelled, or handed to another agent): only the agent goes idle.
            auto idle = agentToIdle(agentId, taskId);
            if (!idle)
                return failure(idle.error());
            return *idle;
        }
        const Task before = taskFromRow(*cur);
        const QVariant cost
            = result.costUsd ? QVariant(*result.costUsd) : QVariant(QMetaType::fromType<double>());
        const QVariant report = reportJson(result.report);
        const bool retry
            = TaskStates::afterAttempt(before, succeeded, retryable) == Task::Status::Queued;
        const QString status = succeeded ? u"succeeded"_s : retry ? u"queued"_s : u"failed"_s;
        // The run and the task's new state in one statement (one round trip).
        auto task = updateTask(
            u"WITH run AS (INSERT INTO task_runs (task_id, attempt, agent_id, outcome, "
            "started_at, exit_code, output, duration_ms, cost_usd, report, error) VALUES "
            "(?::uuid, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)) "
            "UPDATE tasks SET status = ?, exit_code = ?, output = ?, duration_ms = ?, cost_usd = "
            "?, "
            "report = ?::jsonb, error = ?, finished_at = CASE WHEN ? THEN NULL ELSE now() END, "
            "agent_id = CASE WHEN ? THEN NULL ELSE agent_id END WHERE id = ?::uuid"_s,
            {taskId,
             before.attempts,
             agentId,
             succeeded ? u"succeeded"_s : u"failed"_s,
             before.startedAt,
             result.exitCode,
             result.output,
             result.durationMs,
             cost,
             report,
             nullableText(error),
             status,
             result.exitCode,
             result.output,
             result.durationMs,
             cost,
             report,
             nullableText(error),
             retry,
             retry,
             taskId});
        if (!task)
            return failure(task.error());
        if (auto r = recordInto(c,
                                succeeded ? u"task.succeeded"_s
                                : retry   ? u"task.queued"_s
                                          : u"task.failed"_s,
                                std::nullopt,
                                *task);
            !r)
            return failure(r.error());
        c.task = *task;
        if (retry)
            c.enqueue << *task;
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return failure(idle.error());
        c.merge(*idle);
        c.task = *task;
        if (succeeded) {
            auto dep = settleDependents(*task);
            if (!dep)
                return failure(dep.error());
            c.merge(*dep);
        } else if (!retry) {
            QStringList visited;
            auto dep = failDependents(*task, visited);
            if (!dep)
                return failure(dep.error());
            c.merge(*dep);
        }
        if (result.costUsd && *result.costUsd > 0) {
            if (auto r = budgetAlerts(c); !r)
                return failure(r.error());
        }
        c.task = *task;
        return c;
    });
}

Result<Change>
Database::failTaskToStart(const QString &taskId, const QString &agentId, const QString &givenError)
{
    QString error = givenError;
    replaceNul(error);
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(
            u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
            "WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running')"_s,
            {error, taskId, agentId});
        if (!task) {
            if (task.error().kind != Error::Kind::NotFound)
                return failure(task.error());
        } else {
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, "
                              u"started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'failed', ?, ?)"_s,
                              {taskId, task->attempts, agentId, task->startedAt, error});
                !r)
                return failure(r.error());
            if (auto r = recordInto(c, u"task.failed"_s, std::nullopt, *task); !r)
                return failure(r.error());
            QStringList visited;
            auto dep = failDependents(*task, visited);
            if (!dep)
                return failure(dep.error());
            c.merge(*dep);
        }
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return failure(idle.error());
        c.merge(*idle);
        if (task)
            c.task = *task;
        return c;
    });
}

Result<Change> Database::settleDependents(const Task &finished)
{
    Change c;
    // Blocked tasks waiting on this one whose every dependency has now succeeded.
    auto q = exec(u"UPDATE tasks SET status = 'queued' WHERE id IN (SELECT t.id FROM tasks t WHERE "
                  u"t.status = 'blocked' "
                  "AND t.depends_on @> ARRAY[?::uuid] AND NOT EXISTS (SELECT 1 FROM tasks d WHERE "
                  "d.id = ANY (t.depends_on) "
                  "AND d.status <> 'succeeded')) RETURNING "_s
                      + kTaskColumns,
                  {finished.id});
    if (!q)
        return failure(q.error());
    QList<Task> unblocked;
    while (q->next())
        unblocked << taskFromRow(*q);
    for (const Task &t : unblocked) {
        if (auto r = recordInto(c, u"task.queued"_s, std::nullopt, t); !r)
            return failure(r.error());
        c.enqueue << t;
    }
    return c;
}

Result<Change> Database::failDependents(const Task &finished, QStringList &visited)
{
    Change c;
    if (visited.contains(finished.id))
        return c;
    visited << finished.id;
    const QString why = u"dependency %1%2 %3"_s.arg(
        finished.id,
        finished.title.isEmpty() ? QString() : u" (%1)"_s.arg(finished.title),
        finished.status == Task::Status::Cancelled ? u"was cancelled"_s : u"failed"_s);
    auto q = exec(u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
                  "WHERE status = 'blocked' AND depends_on @> ARRAY[?::uuid] RETURNING "_s
                      + kTaskColumns,
                  {why, finished.id});
    if (!q)
        return failure(q.error());
    QList<Task> failed;
    while (q->next())
        failed << taskFromRow(*q);
    for (const Task &t : failed) {
        if (auto r = recordInto(c, u"task.failed"_s, std::nullopt, t); !r)
            return failure(r.error());
        auto more = failDependents(t, visited);
        if (!more)
            return failure(more.error());
        c.merge(*more);
    }
    return c;
}

Result<Change> Database::releaseTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(
            u"UPDATE tasks SET status = 'queued', agent_id = NULL, started_at = NULL, "
            "attempts = greatest(attempts - 1, 0) "
            "WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running')"_s,
            {taskId, agentId});
        if (!task) {
            if (task.error().kind != Error::Kind::NotFound)
                return failure(task.error());
        } else {
            if (auto r = recordInto(c, u"task.queued"_s, std::nullopt, *task); !r)
                return failure(r.error());
            c.enqueue << *task;
            c.task = *task;
        }
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return failure(idle.error());
        c.merge(*idle);
        return c;
    });
}

Result<Task> Database::lockTask(const QString &taskId)
{
    if (!isUuid(taskId))
        return failure(notFound(u"task"_s, taskId));
    auto cur = exec(u"SELECT "_s + kTaskColumns + u" FROM tasks WHERE id = ?::uuid FOR UPDATE"_s,
                    {taskId});
    if (!cur)
        return failure(cur.error());
    if (!cur->next())
        return failure(notFound(u"task"_s, taskId));
    return taskFromRow(*cur);
}

Result<Change> Database::cancelTask(const QString &taskId)
{
    return transaction([&]() -> Result<Change> {
        auto locked = lockTask(taskId);
        if (!locked)
            return failure(locked.error());
        const Task before = *locked;
        Change c;
        const auto may = TaskStates::mayCancel(before);
        if (!may)
            return failure(may.error());
        if (!*may) {
            c.task = before; // already cancelled
            return c;
        }
        const bool wasRunning
            = before.status == Task::Status::Assigned || before.status == Task::Status::Running;
        auto task = updateTask(
            u"UPDATE tasks SET status = 'cancelled', finished_at = now() WHERE id = ?::uuid"_s,
            {taskId});
        if (!task)
            return failure(task.error());
        if (wasRunning) {
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, "
                              u"started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'cancelled', ?, 'cancelled')"_s,
                              {taskId, before.attempts, before.agentId, before.startedAt});
                !r)
                return failure(r.error());
            c.stopAgentId = before.agentId;
        }
        if (auto r = recordInto(c, u"task.cancelled"_s, std::nullopt, *task); !r)
            return failure(r.error());
        QStringList visited;
        auto dep = failDependents(*task, visited);
        if (!dep)
            return failure(dep.error());
        c.merge(*dep);
        c.task = *task;
        return c;
    });
}

Result<Change> Database::retryTask(const QString &taskId)
{
    return transaction([&]() -> Result<Change> {
        auto locked = lockTask(taskId);
        if (!locked)
            return failure(locked.error());
        const Task before = *locked;
        if (auto may = TaskStates::mayRetry(before); !may)
            return failure(may.error());
        // Back to blocked when a dependency has not succeeded yet.
        auto pending = exec(
            u"SELECT count(*) AS pending FROM tasks WHERE id = ANY (?::uuid[]) AND status <> 'succeeded'"_s,
            {QString(u"{"_s + before.dependsOn.join(u',') + u"}"_s)});
        if (!pending)
            return failure(pending.error());
        pending->next();
        const bool blocked = pending->value(u"pending"_s).toInt() > 0;
        auto task = updateTask(
            u"UPDATE tasks SET status = ?, attempts = 0, agent_id = NULL, started_at = NULL, "
            "finished_at = NULL, exit_code = NULL, output = NULL, duration_ms = NULL, "
            "cost_usd = NULL, report = NULL, error = NULL WHERE id = ?::uuid"_s,
            {blocked ? u"blocked"_s : u"queued"_s, taskId});
        if (!task)
            return failure(task.error());
        Change c;
        if (auto r = recordInto(c, u"task.queued"_s, std::nullopt, *task); !r)
            return failure(r.error());
        if (!blocked)
            c.enqueue << *task;
        c.task = *task;
        return c;
    });
}

Result<QList<Task>> Database::tasks(const TaskFilter &filter)
{
    // Each filter has an index in this order (migration 0005), read backwards from the cursor.
    QString sql = u"SELECT "_s + (filter.whole ? kTaskColumns : kTaskSummaryColumns)
                  + u" FROM tasks WHERE true"_s;
    QVariantList binds;
    if (filter.status) {
        sql += u" AND status = ?"_s;
        binds << Task::statusName(*filter.status);
    }
    if (!filter.agentType.isEmpty()) {
        sql += u" AND agent_type = ?"_s;
        binds << filter.agentType;
    }
    if (!filter.agentId.isEmpty()) {
        if (!isUuid(filter.agentId))
            return QList<Task>();
        sql += u" AND agent_id = ?::uuid"_s;
        binds << filter.agentId;
    }
    if (!filter.before.isEmpty()) {
        // The cursor's own created_at and id, read by PostgreSQL (a QDateTime would lose the
        // microseconds and skip or repeat tasks at the page boundary).
        if (!isUuid(filter.before))
            return failure(
                Error::badRequest(u"before: '%1' is not a task id"_s.arg(filter.before)));
        auto known = exec(u"SELECT 1 FROM tasks WHERE id = ?::uuid"_s, {filter.before});
        if (!known)
            return failure(known.error());
        if (!known->next())
            return failure(Error::badRequest(u"before: no task with id %1"_s.arg(filter.before)));
        sql += u" AND (created_at, id) < (SELECT created_at, id FROM tasks WHERE id = ?::uuid)"_s;
        binds << filter.before;
    }
    sql += u" ORDER BY created_at DESC, id DESC LIMIT %1"_s.arg(qBound(1, filter.limit, 100000));
    auto q = exec(sql, binds);
    if (!q)
        return failure(q.error());
    QList<Task> out;
    while (q->next())
        out << (filter.whole ? taskFromRow(*q) : taskSummaryFromRow(*q));
    return out;
}

Result<Task> Database::task(const QString &id)
{
    if (!isUuid(id))
        return failure(notFound(u"task"_s, id));
    auto q = exec(u"SELECT "_s + kTaskColumns + u" FROM tasks WHERE id = ?::uuid"_s, {id});
    if (!q)
        return failure(q.error());
    if (!q->next())
        return failure(notFound(u"task"_s, id));
    return taskFromRow(*q);
}

Result<QList<Task>> Database::queuedTaskKeys(int limit)
{
    auto q = exec(u"SELECT id, agent_type, priority FROM tasks WHERE status = 'queued' "
                  "ORDER BY created_at LIMIT ?"_s,
                  {qBound(1, limit, 1000000)});
    if (!q)
        return failure(q.error());
    QList<Task> out;
    while (q->next()) {
        Task t;
        t.id = q->value(u"id"_s).toString();
        t.agentType = q->value(u"agent_type"_s).toString();
        t.priority = q->value(u"priority"_s).toInt();
        t.status = Task::Status::Queued;
        out << t;
    }
    return out;
}

Result<QList<Task>> Database::queuedTasks()
{
    auto q = exec(u"SELECT "_s + kTaskColumns
                  + u" FROM tasks WHERE status = 'queued' ORDER BY created_at"_s);
    if (!q)
        return failure(q.error());
    QList<Task> out;
    while (q->next())
        out << taskFromRow(*q);
    return out;
}

} // namespace Hive
