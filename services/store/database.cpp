// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/database.h"
#include "models/validation.h"

#include "services/core/logging.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <QUrlQuery>
#include <QRegularExpression>
#include <QScopeGuard>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log() { return Logging::get("store"); }

const QString kTaskCols = u"id::text, title, prompt, agent_type, priority, status, agent_id::text, "
                          "array_to_string(depends_on, ','), attempts, max_attempts, created_at, "
                          "started_at, finished_at, exit_code, output, duration_ms, cost_usd, error"_s;
const QString kAgentCols = u"id::text, name, type, profile, interactive, status, tmux_session, "
                           "workdir, current_task_id::text, created_at, last_heartbeat"_s;

QVariant nullableText(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

Task taskFromRow(const Rows &q)
{
    Task t;
    t.id = q.value(0).toString();
    t.title = q.value(1).toString();
    t.prompt = q.value(2).toString();
    t.agentType = q.value(3).toString();
    t.priority = q.value(4).toInt();
    t.status = Task::statusFromName(q.value(5).toString()).value_or(Task::Status::Failed);
    t.agentId = q.value(6).toString();
    const QString deps = q.value(7).toString();
    if (!deps.isEmpty())
        t.dependsOn = deps.split(u',');
    t.attempts = q.value(8).toInt();
    t.maxAttempts = q.value(9).toInt();
    t.createdAt = q.value(10).toDateTime();
    t.startedAt = q.value(11).toDateTime();
    t.finishedAt = q.value(12).toDateTime();
    if (!q.isNull(13)) {
        TaskResult r;
        r.exitCode = q.value(13).toInt();
        r.output = q.value(14).toString();
        r.durationMs = q.value(15).toLongLong();
        if (!q.isNull(16))
            r.costUsd = q.value(16).toDouble();
        t.result = r;
    }
    t.error = q.value(17).toString();
    return t;
}

Agent agentFromRow(const Rows &q)
{
    Agent a;
    a.id = q.value(0).toString();
    a.name = q.value(1).toString();
    a.type = q.value(2).toString();
    a.profile = q.value(3).toString();
    a.interactive = q.value(4).toBool();
    a.status = Agent::statusFromName(q.value(5).toString()).value_or(Agent::Status::Lost);
    a.tmuxSession = q.value(6).toString();
    a.workdir = q.value(7).toString();
    a.currentTaskId = q.value(8).toString();
    a.createdAt = q.value(9).toDateTime();
    a.lastHeartbeat = q.value(10).toDateTime();
    return a;
}

Error notFound(const QString &what, const QString &id)
{
    return {Error::Kind::NotFound, u"no %1 with id %2"_s.arg(what, id)};
}

using Validation::isUuid;
} // namespace

void Change::merge(const Change &other)
{
    events += other.events;
    enqueue += other.enqueue;
    if (other.task)
        task = other.task;
    if (other.agent)
        agent = other.agent;
    if (!other.stopAgentId.isEmpty())
        stopAgentId = other.stopAgentId;
}

Database::Database() = default;

Database::~Database()
{
    close();
}

Result<> Database::open(const QString &url, const QString &connectionName)
{
    const QUrl u(url);
    if (!u.isValid() || (u.scheme() != u"postgresql"_s && u.scheme() != u"postgres"_s))
        return std::unexpected(Error{Error::Kind::Invalid, u"not a PostgreSQL URL: %1"_s.arg(url)});
    close();
    m_connection = connectionName;
    m_url = url;
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connection);
    const QUrlQuery query(u);
    QString host = query.queryItemValue(u"host"_s, QUrl::FullyDecoded);
    if (host.isEmpty())
        host = u.host();
    db.setHostName(host);
    db.setPort(query.hasQueryItem(u"port"_s) ? query.queryItemValue(u"port"_s).toInt() : u.port(5432));
    db.setUserName(u.userName(QUrl::FullyDecoded));
    db.setPassword(u.password(QUrl::FullyDecoded));
    QString name = u.path(QUrl::FullyDecoded).mid(1);
    db.setDatabaseName(name.isEmpty() ? u"postgres"_s : name);
    QStringList options{u"connect_timeout=5"_s};
    if (query.hasQueryItem(u"sslmode"_s))
        options << u"sslmode="_s + query.queryItemValue(u"sslmode"_s);
    db.setConnectOptions(options.join(u';'));
    if (!db.open())
        return std::unexpected(Error{Error::Kind::Unavailable,
                                       u"PostgreSQL unreachable: %1"_s.arg(db.lastError().text().trimmed())});
    QSqlQuery q(db);
    q.exec(u"SET TIME ZONE 'UTC'"_s);
    return {};
}

void Database::close()
{
    dropStatements();
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

bool Database::isOpen() const
{
    return !m_connection.isEmpty() && QSqlDatabase::database(m_connection, false).isOpen();
}

Result<> Database::ping()
{
    auto r = exec(u"SELECT 1"_s);
    if (!r)
        return std::unexpected(r.error());
    return {};
}

Error Database::sqlError(const QString &what, const QSqlQuery &q)
{
    const QSqlError e = q.lastError();
    const QString text = e.text().trimmed();
    const QString code = e.nativeErrorCode();
    // No SQLSTATE (libpq lost the server), connection exceptions (08…) and shutdowns (57P…):
    // the connection is broken; close it so that the next call reconnects.
    if (code.isEmpty() || code.startsWith(u"08"_s) || code.startsWith(u"57P"_s)
        || e.type() == QSqlError::ConnectionError) {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
        return {Error::Kind::Unavailable, u"PostgreSQL unreachable: %1"_s.arg(text)};
    }
    if (code == u"23505"_s)
        return {Error::Kind::Conflict, text};
    if (code.startsWith(u"23"_s) || code.startsWith(u"22"_s))
        return {Error::Kind::Invalid, text};
    log()->error("{} failed: {}", what, text);
    return {Error::Kind::Internal, u"%1 failed: %2"_s.arg(what, text)};
}

bool Rows::next()
{
    return query->next();
}

QVariant Rows::value(int i) const
{
    return query->value(i);
}

bool Rows::isNull(int i) const
{
    return query->isNull(i);
}

void Database::dropStatements()
{
    m_statements.clear();
}

Result<Rows> Database::exec(const QString &sql, const QVariantList &binds)
{
    if (m_connection.isEmpty())
        return std::unexpected(Error{Error::Kind::Unavailable, u"PostgreSQL: not connected"_s});
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen()) {
        dropStatements();
        if (!db.open())
            return std::unexpected(Error{Error::Kind::Unavailable,
                                           u"PostgreSQL unreachable: %1"_s.arg(db.lastError().text().trimmed())});
        QSqlQuery(db).exec(u"SET TIME ZONE 'UTC'"_s);
    }
    std::shared_ptr<QSqlQuery> &q = m_statements[sql];
    if (!q) {
        q = std::make_shared<QSqlQuery>(db);
        q->setForwardOnly(true);
        if (!binds.isEmpty() && !q->prepare(sql)) {
            const Error e = sqlError(sql.left(60), *q);
            m_statements.remove(sql);
            return std::unexpected(e);
        }
    }
    const bool ok = binds.isEmpty() ? q->exec(sql) : [&] {
        for (qsizetype i = 0; i < binds.size(); ++i)
            q->bindValue(int(i), binds[i]);
        return q->exec();
    }();
    if (!ok) {
        const Error e = sqlError(sql.left(60), *q);
        if (e.kind == Error::Kind::Unavailable)
            dropStatements();
        return std::unexpected(e);
    }
    return Rows{q.get()};
}

Result<> Database::begin()
{
    auto r = exec(u"BEGIN"_s);
    if (!r)
        return std::unexpected(r.error());
    return {};
}

Result<> Database::commit()
{
    auto r = exec(u"COMMIT"_s);
    if (!r)
        return std::unexpected(r.error());
    return {};
}

void Database::rollback()
{
    (void)exec(u"ROLLBACK"_s);
}

template<typename F>
auto Database::transaction(F &&body) -> decltype(body())
{
    if (auto b = begin(); !b)
        return std::unexpected(b.error());
    auto r = body();
    if (!r) {
        rollback();
        return r;
    }
    if (auto c = commit(); !c)
        return std::unexpected(c.error());
    return r;
}

Result<QStringList> Database::migrate(const QString &migrationsDir)
{
    QStringList applied;
    auto lock = exec(u"SELECT pg_advisory_lock(4242001)"_s);
    if (!lock)
        return std::unexpected(lock.error());
    auto unlock = qScopeGuard([this] { (void)exec(u"SELECT pg_advisory_unlock(4242001)"_s); });
    if (auto r = exec(u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version text PRIMARY KEY, name text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())"_s);
        !r)
        return std::unexpected(r.error());
    QStringList done;
    auto have = exec(u"SELECT version FROM schema_migrations"_s);
    if (!have)
        return std::unexpected(have.error());
    while (have->next())
        done << have->value(0).toString();

    const QDir dir(migrationsDir);
    const QStringList files = dir.entryList({u"*.sql"_s}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return std::unexpected(Error{Error::Kind::Internal, u"no migrations in %1"_s.arg(migrationsDir)});
    for (const QString &file : files) {
        const QString version = file.section(u'_', 0, 0);
        if (done.contains(version))
            continue;
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(Error{Error::Kind::Internal, u"cannot read migration %1"_s.arg(file)});
        const QString sql = QString::fromUtf8(f.readAll());
        auto r = transaction([&]() -> Result<> {
            if (auto e = exec(sql); !e) {
                Error err = e.error();
                err.message = u"migration %1: %2"_s.arg(file, err.message);
                if (err.message.contains(u"vector"_s) && err.message.contains(u"extension"_s))
                    err.message += u" (is pgvector installed for this PostgreSQL?)"_s;
                return std::unexpected(err);
            }
            if (auto e = exec(u"INSERT INTO schema_migrations (version, name) VALUES (?, ?)"_s,
                              {version, file});
                !e)
                return std::unexpected(e.error());
            return {};
        });
        if (!r)
            return std::unexpected(r.error());
        log()->info("applied migration {}", file);
        applied << version;
    }
    return applied;
}

Result<Event> Database::record(const QString &type, const std::optional<Agent> &agent,
                                 const std::optional<Task> &task)
{
    Event e;
    e.type = type;
    e.agent = agent;
    e.task = task;
    const QByteArray payload = QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact);
    auto q = exec(u"INSERT INTO events (type, agent_id, task_id, payload) VALUES (?, ?::uuid, ?::uuid, ?::jsonb) "
                  "RETURNING id, at"_s,
                  {type, nullableText(agent ? agent->id : QString()),
                   nullableText(task ? task->id : QString()), QString::fromUtf8(payload)});
    if (!q)
        return std::unexpected(q.error());
    q->next();
    e.seq = q->value(0).toLongLong();
    e.at = q->value(1).toDateTime();
    return e;
}

Result<Task> Database::updateTask(const QString &sql, const QVariantList &binds)
{
    auto q = exec(sql + u" RETURNING "_s + kTaskCols, binds);
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(Error{Error::Kind::NotFound, {}});
    return taskFromRow(*q);
}

Result<Agent> Database::updateAgent(const QString &sql, const QVariantList &binds)
{
    auto q = exec(sql + u" RETURNING "_s + kAgentCols, binds);
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(Error{Error::Kind::NotFound, {}});
    return agentFromRow(*q);
}

// ---- agents -------------------------------------------------------------------------------------

Result<Change> Database::insertAgent(const Agent &a)
{
    return transaction([&]() -> Result<Change> {
        auto agent = updateAgent(u"INSERT INTO agents (id, name, type, profile, interactive, status, "
                                 "tmux_session, workdir) VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?)"_s,
                                 {a.id, a.name, a.type, a.profile, a.interactive,
                                  Agent::statusName(a.status), a.tmuxSession, a.workdir});
        if (!agent) {
            Error e = agent.error();
            if (e.kind == Error::Kind::Conflict)
                e.message = u"an agent named '%1' is already running"_s.arg(a.name);
            return std::unexpected(e);
        }
        auto ev = record(u"agent.spawned"_s, *agent, std::nullopt);
        if (!ev)
            return std::unexpected(ev.error());
        Change c;
        c.events << *ev;
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::setAgentStatus(const QString &agentId, Agent::Status status)
{
    return transaction([&]() -> Result<Change> {
        auto agent = updateAgent(u"UPDATE agents SET status = ? WHERE id = ?::uuid AND status <> ? "
                                 "AND status NOT IN ('stopped', 'lost')"_s,
                                 {Agent::statusName(status), agentId, Agent::statusName(status)});
        Change c;
        if (!agent) {
            if (agent.error().kind == Error::Kind::NotFound)
                return c; // unchanged, or ended
            return std::unexpected(agent.error());
        }
        auto ev = record(u"agent.status"_s, *agent, std::nullopt);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::endAgent(const QString &agentId, Agent::Status status, const QString &reason)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto agent = updateAgent(u"UPDATE agents SET status = ?, current_task_id = NULL, ended_at = now() "
                                 "WHERE id = ?::uuid AND status NOT IN ('stopped', 'lost')"_s,
                                 {Agent::statusName(status), agentId});
        if (!agent) {
            if (agent.error().kind == Error::Kind::NotFound)
                return c;
            return std::unexpected(agent.error());
        }
        // Its unfinished tasks: back to the queue, or failed when their attempts are used up.
        auto running = exec(u"SELECT "_s + kTaskCols
                                + u" FROM tasks WHERE agent_id = ?::uuid AND status IN ('assigned', 'running') FOR UPDATE"_s,
                            {agentId});
        if (!running)
            return std::unexpected(running.error());
        QList<Task> tasks;
        while (running->next())
            tasks << taskFromRow(*running);
        for (const Task &t : tasks) {
            // A kill hands the task back without counting the attempt; a lost agent counts it.
            const bool handBack = status == Agent::Status::Stopped;
            const bool usedUp = !handBack && t.attempts >= t.maxAttempts;
            const QString why = u"agent %1 %2: %3"_s.arg(agent->name, Agent::statusName(status), reason);
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'lost', ?, ?)"_s,
                              {t.id, t.attempts, agentId, t.startedAt, why});
                !r)
                return std::unexpected(r.error());
            if (usedUp) {
                const QString err = u"%1; no attempts left (%2 of %3 used)"_s.arg(why, QString::number(t.attempts), QString::number(t.maxAttempts));
                auto failed = updateTask(u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
                                         "WHERE id = ?::uuid"_s,
                                         {err, t.id});
                if (!failed)
                    return std::unexpected(failed.error());
                auto ev = record(u"task.failed"_s, std::nullopt, *failed);
                if (!ev)
                    return std::unexpected(ev.error());
                c.events << *ev;
                QStringList visited;
                auto dep = failDependents(*failed, visited);
                if (!dep)
                    return std::unexpected(dep.error());
                c.merge(*dep);
            } else {
                auto queued = updateTask(u"UPDATE tasks SET status = 'queued', agent_id = NULL, started_at = NULL, "
                                         "error = ?, attempts = CASE WHEN ? THEN greatest(attempts - 1, 0) ELSE attempts END "
                                         "WHERE id = ?::uuid"_s,
                                         {why, handBack, t.id});
                if (!queued)
                    return std::unexpected(queued.error());
                auto ev = record(u"task.queued"_s, std::nullopt, *queued);
                if (!ev)
                    return std::unexpected(ev.error());
                c.events << *ev;
                c.enqueue << *queued;
            }
        }
        auto ev = record(status == Agent::Status::Stopped ? u"agent.killed"_s : u"agent.status"_s, *agent,
                         std::nullopt);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        c.agent = *agent;
        return c;
    });
}

Result<> Database::touchHeartbeat(const QString &agentId)
{
    auto r = exec(u"UPDATE agents SET last_heartbeat = now() WHERE id = ?::uuid"_s, {agentId});
    if (!r)
        return std::unexpected(r.error());
    return {};
}

Result<QList<Agent>> Database::agents(std::optional<Agent::Status> status)
{
    auto q = status ? exec(u"SELECT "_s + kAgentCols + u" FROM agents WHERE status = ? ORDER BY created_at"_s,
                           {Agent::statusName(*status)})
                    : exec(u"SELECT "_s + kAgentCols + u" FROM agents ORDER BY created_at"_s);
    if (!q)
        return std::unexpected(q.error());
    QList<Agent> out;
    while (q->next())
        out << agentFromRow(*q);
    return out;
}

Result<QList<Agent>> Database::liveAgents()
{
    auto q = exec(u"SELECT "_s + kAgentCols
                  + u" FROM agents WHERE status NOT IN ('stopped', 'lost') ORDER BY created_at"_s);
    if (!q)
        return std::unexpected(q.error());
    QList<Agent> out;
    while (q->next())
        out << agentFromRow(*q);
    return out;
}

Result<Agent> Database::agent(const QString &id)
{
    if (!isUuid(id))
        return std::unexpected(notFound(u"agent"_s, id));
    auto q = exec(u"SELECT "_s + kAgentCols + u" FROM agents WHERE id = ?::uuid"_s, {id});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(notFound(u"agent"_s, id));
    return agentFromRow(*q);
}

// ---- tasks --------------------------------------------------------------------------------------

Result<Change> Database::createTask(const Task &t)
{
    return transaction([&]() -> Result<Change> {
        Task::Status status = Task::Status::Queued;
        QString error;
        for (const QString &dep : t.dependsOn) {
            if (!isUuid(dep))
                return std::unexpected(Error{Error::Kind::Invalid, u"depends_on: '%1' is not a task id"_s.arg(dep)});
            auto d = exec(u"SELECT status, title FROM tasks WHERE id = ?::uuid"_s, {dep});
            if (!d)
                return std::unexpected(d.error());
            if (!d->next())
                return std::unexpected(Error{Error::Kind::Invalid, u"depends_on: no task with id %1"_s.arg(dep)});
            const QString st = d->value(0).toString();
            if (st == u"failed"_s || st == u"cancelled"_s) {
                status = Task::Status::Failed;
                error = u"dependency %1 (%2) %3"_s.arg(dep, d->value(1).toString(),
                                                        st == u"failed"_s ? u"failed"_s : u"was cancelled"_s);
            } else if (st != u"succeeded"_s && status != Task::Status::Failed) {
                status = Task::Status::Blocked;
            }
        }
        const QString deps = u"{"_s + t.dependsOn.join(u',') + u"}"_s; // a uuid[] literal
        auto task = updateTask(u"INSERT INTO tasks (id, title, prompt, agent_type, priority, status, depends_on, "
                               "max_attempts, error, finished_at) VALUES (?::uuid, ?, ?, ?, ?, ?, ?::uuid[], ?, ?, "
                               "CASE WHEN ? THEN now() END)"_s,
                               {t.id, t.title.isNull() ? u""_s : t.title, t.prompt, t.agentType, t.priority, Task::statusName(status), deps,
                                t.maxAttempts, nullableText(error), status == Task::Status::Failed});
        if (!task)
            return std::unexpected(task.error());
        Change c;
        auto ev = record(u"task.created"_s, std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        if (status == Task::Status::Failed) {
            auto fev = record(u"task.failed"_s, std::nullopt, *task);
            if (!fev)
                return std::unexpected(fev.error());
            c.events << *fev;
        }
        if (status == Task::Status::Queued)
            c.enqueue << *task;
        c.task = *task;
        return c;
    });
}

Result<Change> Database::claimTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(u"UPDATE tasks SET status = 'assigned', agent_id = ?::uuid, attempts = attempts + 1, "
                               "started_at = now(), error = NULL WHERE id = ?::uuid AND status = 'queued'"_s,
                               {agentId, taskId});
        if (!task) {
            if (task.error().kind == Error::Kind::NotFound)
                return c; // cancelled, or taken by someone else: not ours
            return std::unexpected(task.error());
        }
        auto ev = record(u"task.assigned"_s, std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        c.task = *task;
        auto agent = updateAgent(u"UPDATE agents SET status = 'busy', current_task_id = ?::uuid WHERE id = ?::uuid"_s,
                                 {taskId, agentId});
        if (!agent)
            return std::unexpected(agent.error());
        auto aev = record(u"agent.status"_s, *agent, std::nullopt);
        if (!aev)
            return std::unexpected(aev.error());
        c.events << *aev;
        c.agent = *agent;
        return c;
    });
}

Result<Change> Database::startTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(u"UPDATE tasks SET status = 'running', started_at = now() "
                               "WHERE id = ?::uuid AND agent_id = ?::uuid AND status = 'assigned'"_s,
                               {taskId, agentId});
        if (!task) {
            if (task.error().kind == Error::Kind::NotFound)
                return c;
            return std::unexpected(task.error());
        }
        auto ev = record(u"task.started"_s, std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        c.task = *task;
        return c;
    });
}

Result<Change> Database::agentToIdle(const QString &agentId, const QString &taskId)
{
    Change c;
    auto agent = updateAgent(u"UPDATE agents SET status = 'idle', current_task_id = NULL "
                             "WHERE id = ?::uuid AND current_task_id = ?::uuid AND status NOT IN ('stopped', 'lost')"_s,
                             {agentId, taskId});
    if (!agent) {
        if (agent.error().kind == Error::Kind::NotFound)
            return c;
        return std::unexpected(agent.error());
    }
    auto ev = record(u"agent.status"_s, *agent, std::nullopt);
    if (!ev)
        return std::unexpected(ev.error());
    c.events << *ev;
    c.agent = *agent;
    return c;
}

Result<Change> Database::finishTask(const QString &taskId, const QString &agentId, const TaskResult &result,
                                      bool succeeded, const QString &error)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto cur = exec(u"SELECT "_s + kTaskCols
                            + u" FROM tasks WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running') FOR UPDATE"_s,
                        {taskId, agentId});
        if (!cur)
            return std::unexpected(cur.error());
        if (!cur->next()) {
            // Not ours any more (cancelled, or handed to another agent): only the agent goes idle.
            auto idle = agentToIdle(agentId, taskId);
            if (!idle)
                return std::unexpected(idle.error());
            return *idle;
        }
        const Task before = taskFromRow(*cur);
        const QVariant cost = result.costUsd ? QVariant(*result.costUsd) : QVariant(QMetaType::fromType<double>());
        if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, started_at, exit_code, output, "
                          "duration_ms, cost_usd, error) VALUES (?::uuid, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?)"_s,
                          {taskId, before.attempts, agentId, succeeded ? u"succeeded"_s : u"failed"_s,
                           before.startedAt, result.exitCode, result.output, result.durationMs, cost,
                           nullableText(error)});
            !r)
            return std::unexpected(r.error());
        const bool retry = !succeeded && before.attempts < before.maxAttempts;
        const QString status = succeeded ? u"succeeded"_s : retry ? u"queued"_s : u"failed"_s;
        auto task = updateTask(u"UPDATE tasks SET status = ?, exit_code = ?, output = ?, duration_ms = ?, cost_usd = ?, "
                               "error = ?, finished_at = CASE WHEN ? THEN NULL ELSE now() END, "
                               "agent_id = CASE WHEN ? THEN NULL ELSE agent_id END WHERE id = ?::uuid"_s,
                               {status, result.exitCode, result.output, result.durationMs, cost, nullableText(error),
                                retry, retry, taskId});
        if (!task)
            return std::unexpected(task.error());
        auto ev = record(succeeded ? u"task.succeeded"_s : retry ? u"task.queued"_s : u"task.failed"_s,
                         std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        c.task = *task;
        if (retry)
            c.enqueue << *task;
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return std::unexpected(idle.error());
        c.merge(*idle);
        c.task = *task;
        if (succeeded) {
            auto dep = settleDependents(*task);
            if (!dep)
                return std::unexpected(dep.error());
            c.merge(*dep);
        } else if (!retry) {
            QStringList visited;
            auto dep = failDependents(*task, visited);
            if (!dep)
                return std::unexpected(dep.error());
            c.merge(*dep);
        }
        c.task = *task;
        return c;
    });
}

Result<Change> Database::failTaskToStart(const QString &taskId, const QString &agentId, const QString &error)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
                               "WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running')"_s,
                               {error, taskId, agentId});
        if (!task) {
            if (task.error().kind != Error::Kind::NotFound)
                return std::unexpected(task.error());
        } else {
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'failed', ?, ?)"_s,
                              {taskId, task->attempts, agentId, task->startedAt, error});
                !r)
                return std::unexpected(r.error());
            auto ev = record(u"task.failed"_s, std::nullopt, *task);
            if (!ev)
                return std::unexpected(ev.error());
            c.events << *ev;
            QStringList visited;
            auto dep = failDependents(*task, visited);
            if (!dep)
                return std::unexpected(dep.error());
            c.merge(*dep);
        }
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return std::unexpected(idle.error());
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
    auto q = exec(u"UPDATE tasks SET status = 'queued' WHERE id IN (SELECT t.id FROM tasks t WHERE t.status = 'blocked' "
                  "AND t.depends_on @> ARRAY[?::uuid] AND NOT EXISTS (SELECT 1 FROM tasks d WHERE d.id = ANY (t.depends_on) "
                  "AND d.status <> 'succeeded')) RETURNING "_s
                      + kTaskCols,
                  {finished.id});
    if (!q)
        return std::unexpected(q.error());
    QList<Task> unblocked;
    while (q->next())
        unblocked << taskFromRow(*q);
    for (const Task &t : unblocked) {
        auto ev = record(u"task.queued"_s, std::nullopt, t);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
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
    const QString why = u"dependency %1%2 %3"_s.arg(finished.id,
                                                   finished.title.isEmpty() ? QString() : u" (%1)"_s.arg(finished.title),
                                                   finished.status == Task::Status::Cancelled ? u"was cancelled"_s
                                                                                              : u"failed"_s);
    auto q = exec(u"UPDATE tasks SET status = 'failed', finished_at = now(), error = ? "
                  "WHERE status = 'blocked' AND depends_on @> ARRAY[?::uuid] RETURNING "_s
                      + kTaskCols,
                  {why, finished.id});
    if (!q)
        return std::unexpected(q.error());
    QList<Task> failed;
    while (q->next())
        failed << taskFromRow(*q);
    for (const Task &t : failed) {
        auto ev = record(u"task.failed"_s, std::nullopt, t);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        auto more = failDependents(t, visited);
        if (!more)
            return std::unexpected(more.error());
        c.merge(*more);
    }
    return c;
}

Result<Change> Database::releaseTask(const QString &taskId, const QString &agentId)
{
    return transaction([&]() -> Result<Change> {
        Change c;
        auto task = updateTask(u"UPDATE tasks SET status = 'queued', agent_id = NULL, started_at = NULL, "
                               "attempts = greatest(attempts - 1, 0) "
                               "WHERE id = ?::uuid AND agent_id = ?::uuid AND status IN ('assigned', 'running')"_s,
                               {taskId, agentId});
        if (!task) {
            if (task.error().kind != Error::Kind::NotFound)
                return std::unexpected(task.error());
        } else {
            auto ev = record(u"task.queued"_s, std::nullopt, *task);
            if (!ev)
                return std::unexpected(ev.error());
            c.events << *ev;
            c.enqueue << *task;
            c.task = *task;
        }
        auto idle = agentToIdle(agentId, taskId);
        if (!idle)
            return std::unexpected(idle.error());
        c.merge(*idle);
        return c;
    });
}

Result<Change> Database::cancelTask(const QString &taskId)
{
    if (!isUuid(taskId))
        return std::unexpected(notFound(u"task"_s, taskId));
    return transaction([&]() -> Result<Change> {
        auto cur = exec(u"SELECT "_s + kTaskCols + u" FROM tasks WHERE id = ?::uuid FOR UPDATE"_s, {taskId});
        if (!cur)
            return std::unexpected(cur.error());
        if (!cur->next())
            return std::unexpected(notFound(u"task"_s, taskId));
        const Task before = taskFromRow(*cur);
        Change c;
        if (before.status == Task::Status::Cancelled) {
            c.task = before;
            return c;
        }
        if (before.isFinished())
            return std::unexpected(Error{Error::Kind::Conflict,
                                           u"task %1 has already %2"_s.arg(taskId, Task::statusName(before.status))});
        const bool wasRunning = before.status == Task::Status::Assigned || before.status == Task::Status::Running;
        auto task = updateTask(u"UPDATE tasks SET status = 'cancelled', finished_at = now() WHERE id = ?::uuid"_s,
                               {taskId});
        if (!task)
            return std::unexpected(task.error());
        if (wasRunning) {
            if (auto r = exec(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, started_at, error) "
                              "VALUES (?::uuid, ?, ?::uuid, 'cancelled', ?, 'cancelled')"_s,
                              {taskId, before.attempts, before.agentId, before.startedAt});
                !r)
                return std::unexpected(r.error());
            c.stopAgentId = before.agentId;
        }
        auto ev = record(u"task.cancelled"_s, std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        QStringList visited;
        auto dep = failDependents(*task, visited);
        if (!dep)
            return std::unexpected(dep.error());
        c.merge(*dep);
        c.task = *task;
        return c;
    });
}

Result<Change> Database::retryTask(const QString &taskId)
{
    if (!isUuid(taskId))
        return std::unexpected(notFound(u"task"_s, taskId));
    return transaction([&]() -> Result<Change> {
        auto cur = exec(u"SELECT "_s + kTaskCols + u" FROM tasks WHERE id = ?::uuid FOR UPDATE"_s, {taskId});
        if (!cur)
            return std::unexpected(cur.error());
        if (!cur->next())
            return std::unexpected(notFound(u"task"_s, taskId));
        const Task before = taskFromRow(*cur);
        if (before.status != Task::Status::Failed && before.status != Task::Status::Cancelled)
            return std::unexpected(Error{Error::Kind::Conflict,
                                           u"task %1 is %2; only a failed or cancelled task can be retried"_s.arg(
                                               taskId, Task::statusName(before.status))});
        // Back to blocked when a dependency has not succeeded yet.
        auto pending = exec(u"SELECT count(*) FROM tasks WHERE id = ANY (?::uuid[]) AND status <> 'succeeded'"_s,
                            {QString(u"{"_s + before.dependsOn.join(u',') + u"}"_s)});
        if (!pending)
            return std::unexpected(pending.error());
        pending->next();
        const bool blocked = pending->value(0).toInt() > 0;
        auto task = updateTask(u"UPDATE tasks SET status = ?, attempts = 0, agent_id = NULL, started_at = NULL, "
                               "finished_at = NULL, exit_code = NULL, output = NULL, duration_ms = NULL, "
                               "cost_usd = NULL, error = NULL WHERE id = ?::uuid"_s,
                               {blocked ? u"blocked"_s : u"queued"_s, taskId});
        if (!task)
            return std::unexpected(task.error());
        Change c;
        auto ev = record(u"task.queued"_s, std::nullopt, *task);
        if (!ev)
            return std::unexpected(ev.error());
        c.events << *ev;
        if (!blocked)
            c.enqueue << *task;
        c.task = *task;
        return c;
    });
}

Result<QList<Task>> Database::tasks(const TaskFilter &filter)
{
    QString sql = u"SELECT "_s + kTaskCols + u" FROM tasks WHERE true"_s;
    QVariantList binds;
    if (filter.status) {
        sql += u" AND status = ?"_s;
        binds << Task::statusName(*filter.status);
    }
    if (!filter.agentType.isEmpty()) {
        sql += u" AND agent_type = ?"_s;
        binds << filter.agentType;
    }
    sql += u" ORDER BY created_at DESC LIMIT %1"_s.arg(qBound(1, filter.limit, 100000));
    auto q = exec(sql, binds);
    if (!q)
        return std::unexpected(q.error());
    QList<Task> out;
    while (q->next())
        out << taskFromRow(*q);
    return out;
}

Result<Task> Database::task(const QString &id)
{
    if (!isUuid(id))
        return std::unexpected(notFound(u"task"_s, id));
    auto q = exec(u"SELECT "_s + kTaskCols + u" FROM tasks WHERE id = ?::uuid"_s, {id});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(notFound(u"task"_s, id));
    return taskFromRow(*q);
}

Result<QList<Task>> Database::queuedTasks()
{
    auto q = exec(u"SELECT "_s + kTaskCols + u" FROM tasks WHERE status = 'queued' ORDER BY created_at"_s);
    if (!q)
        return std::unexpected(q.error());
    QList<Task> out;
    while (q->next())
        out << taskFromRow(*q);
    return out;
}

} // namespace Hive
