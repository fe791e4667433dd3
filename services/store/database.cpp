// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/database.h"

#include "services/core/logging.h"
#include "services/store/agentcache.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("store");
}

// What the server said, without what quotes the statement's values: the first line of its message
// (the DETAIL, CONTEXT and HINT lines that follow quote rows and parameters), and the SQLSTATE.
QString summary(const QSqlError &e)
{
    QString text = e.databaseText().section(u'\n', 0, 0).trimmed();
    if (text.startsWith(u"ERROR:"_s))
        text = text.mid(6).trimmed();
    if (text.isEmpty())
        text = e.driverText().trimmed();
    const QString code = e.nativeErrorCode();
    return code.isEmpty() ? text : u"%1 (SQLSTATE %2)"_s.arg(text, code);
}

} // namespace

Database::Database() = default;

Database::~Database()
{
    close();
}

Result<> Database::open(const QString &url, const QString &connectionName)
{
    const QUrl u(url);
    if (!u.isValid() || (u.scheme() != u"postgresql"_s && u.scheme() != u"postgres"_s))
        return std::unexpected(Error::invalid(u"not a PostgreSQL URL: %1"_s.arg(url)));
    close();
    m_connection = connectionName;
    m_url = url;
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connection);
    const QUrlQuery query(u);
    QString host = query.queryItemValue(u"host"_s, QUrl::FullyDecoded);
    if (host.isEmpty())
        host = u.host();
    db.setHostName(host);
    db.setPort(query.hasQueryItem(u"port"_s) ? query.queryItemValue(u"port"_s).toInt()
                                             : u.port(5432));
    db.setUserName(u.userName(QUrl::FullyDecoded));
    db.setPassword(u.password(QUrl::FullyDecoded));
    QString name = u.path(QUrl::FullyDecoded).mid(1);
    db.setDatabaseName(name.isEmpty() ? u"postgres"_s : name);
    QStringList options{u"connect_timeout=5"_s};
    if (query.hasQueryItem(u"sslmode"_s))
        options << u"sslmode="_s + query.queryItemValue(u"sslmode"_s);
    db.setConnectOptions(options.join(u';'));
    if (!db.open())
        return std::unexpected(Error::unavailable(
            u"PostgreSQL unreachable: %1"_s.arg(db.lastError().text().trimmed())));
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
        return Error::unavailable(u"PostgreSQL unreachable: %1"_s.arg(text));
    }
    // Transient: a deadlock, a serialization failure, a statement or lock timeout, the server short
    // of resources. The connection stays; the same statement may pass when tried again, so these
    // are "unavailable" too (callers that retry on that retry them).
    if (code == u"40P01"_s || code == u"40001"_s || code == u"57014"_s || code == u"55P03"_s
        || code.startsWith(u"53"_s)) {
        log()->warn("{} failed (transient): {}", what, summary(e));
        return Error::unavailable(u"PostgreSQL: %1, transient"_s.arg(summary(e)));
    }
    // Neither the log nor an answer gets more than the summary: the rest quotes values.
    if (code == u"23505"_s)
        return Error::conflict(summary(e));
    if (code.startsWith(u"23"_s) || code.startsWith(u"22"_s))
        return Error::invalid(summary(e));
    log()->error("{} failed: {}", what, summary(e));
    return Error::internal(u"%1 failed: %2"_s.arg(what, summary(e)));
}

void Database::dropStatements()
{
    m_statements.clear();
}

Result<Rows> Database::exec(const QString &sql, const QVariantList &binds)
{
    if (m_connection.isEmpty())
        return std::unexpected(Error::unavailable(u"PostgreSQL: not connected"_s));
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen()) {
        dropStatements();
        // Lost inside a transaction: what it did is gone with the connection, and what follows
        // must not run outside it (reconnected, each statement would commit on its own).
        if (m_depth > 0)
            return std::unexpected(
                Error::unavailable(u"PostgreSQL unreachable: the connection was lost"_s));
        if (!db.open())
            return std::unexpected(Error::unavailable(
                u"PostgreSQL unreachable: %1"_s.arg(db.lastError().text().trimmed())));
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
        for (qsizetype i = 0; i < binds.size(); ++i) {
            // QPSQL sends values inside the statement's text and a NUL would cut it (and text
            // cannot hold one): the last line of defence, behind the task store's own (which says
            // so in the result).
            if (binds[i].typeId() == QMetaType::QString && binds[i].toString().contains(QChar(0))) {
                log()->warn("{}: NUL character(s) in value {} replaced by U+FFFD", sql.left(60), i);
                q->bindValue(int(i), binds[i].toString().replace(QChar(0), QChar(0xFFFD)));
                continue;
            }
            q->bindValue(int(i), binds[i]);
        }
        return q->exec();
    }();
    if (!ok) {
        if (m_depth > 0)
            m_aborted = true;
        const Error e = sqlError(sql.left(60), *q);
        if (e.kind == Error::Kind::Unavailable && !db.isOpen())
            dropStatements();
        return std::unexpected(e);
    }
    return Rows{q.get()};
}

Result<> Database::begin()
{
    if (m_depth > 0) {
        // Nested: a savepoint, so that this part alone can be undone.
        auto r = exec(u"SAVEPOINT hive_%1"_s.arg(m_depth));
        if (!r)
            return std::unexpected(r.error());
        m_savedPending << m_pendingEvents.size();
        ++m_depth;
        return {};
    }
    // The lock before anything else, so that no transaction waits for it while holding row locks
    // another one waits for. Held until COMMIT, which makes this one's events visible before the
    // next transaction can take an id: events.id is in commit order (see events()). Both in one
    // round trip.
    static const QString beginAndLock
        = u"BEGIN; SELECT pg_advisory_xact_lock(%1)"_s.arg(kEventOrderLock);
    m_aborted = false;
    m_assigned.clear();
    auto r = exec(beginAndLock);
    if (!r) {
        if (isOpen())
            (void)exec(u"ROLLBACK"_s); // when BEGIN passed and the lock did not
        return std::unexpected(r.error());
    }
    m_depth = 1;
    return {};
}

Result<> Database::commit()
{
    if (m_depth > 1) {
        auto r = exec(u"RELEASE SAVEPOINT hive_%1"_s.arg(m_depth - 1));
        if (!r) {
            // The transaction is aborted now: undo this part so that the outer one can go on
            // (or fail at its own COMMIT, which must never turn into a silent rollback).
            rollback();
            return std::unexpected(r.error());
        }
        m_savedPending.removeLast();
        --m_depth;
        return {};
    }
    if (m_aborted) {
        rollback();
        return std::unexpected(
            Error::internal(u"a statement failed inside the transaction: rolled back"_s));
    }
    if (auto f = flushEvents(); !f) {
        rollback();
        return std::unexpected(f.error());
    }
    auto r = exec(u"COMMIT"_s);
    m_depth = 0;
    m_savedPending.clear();
    const QList<Event> recorded = std::exchange(m_recorded, {});
    if (!r)
        return std::unexpected(r.error());
    if (m_agentCache)
        m_agentCache->apply(recorded);
    return {};
}

void Database::rollback()
{
    if (m_depth > 1) {
        const QString name = u"hive_%1"_s.arg(m_depth - 1);
        (void)exec(u"ROLLBACK TO SAVEPOINT "_s + name);
        (void)exec(u"RELEASE SAVEPOINT "_s + name);
        m_pendingEvents.resize(m_savedPending.takeLast());
        --m_depth;
        // Undone to before the failure (a failed ROLLBACK TO means the connection is gone, and
        // the COMMIT fails anyway).
        m_aborted = false;
        return;
    }
    m_aborted = false;
    m_recorded.clear();
    m_pendingEvents.clear();
    m_savedPending.clear();
    m_assigned.clear();
    (void)exec(u"ROLLBACK"_s);
    m_depth = 0;
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
        done << have->value(u"version"_s).toString();

    const QDir dir(migrationsDir);
    const QStringList files = dir.entryList({u"*.sql"_s}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return std::unexpected(Error::internal(u"no migrations in %1"_s.arg(migrationsDir)));
    for (const QString &file : files) {
        const QString version = file.section(u'_', 0, 0);
        if (done.contains(version))
            continue;
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(Error::internal(u"cannot read migration %1"_s.arg(file)));
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

Result<Event> Database::record(const QString &type,
                               const std::optional<Agent> &agent,
                               const std::optional<Task> &task)
{
    Event e;
    e.type = type;
    e.agent = agent;
    if (task)
        e.task = task->toSummary();
    return defer(std::move(e), agent ? agent->id : QString(), task ? task->id : QString());
}

Event Database::defer(Event e, const QString &agentId, const QString &taskId)
{
    // Its row as it always was: seq and time are the row's own (events() reads them from there).
    const QString payload
        = QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact));
    e.seq = -++m_lastStandIn;
    m_pendingEvents << PendingEvent{e, agentId, taskId, payload};
    return e;
}

namespace {
// A PostgreSQL array literal of texts (NULL for a null string): each element quoted, with
// backslashes before double quotes and backslashes.
QString arrayLiteral(const QStringList &values)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += u',';
        const QString &v = values[i];
        if (v.isNull()) {
            out += u"NULL"_s;
            continue;
        }
        out += u'"';
        for (const QChar ch : v) {
            if (ch == u'"' || ch == u'\\')
                out += u'\\';
            out += ch;
        }
        out += u'"';
    }
    return out + u'}';
}
} // namespace

Result<> Database::flushEvents()
{
    if (m_pendingEvents.isEmpty())
        return {};
    QStringList types, agents, tasks, payloads;
    for (const PendingEvent &p : std::as_const(m_pendingEvents)) {
        types << p.event.type;
        agents << (p.agentId.isEmpty() ? QString() : p.agentId);
        tasks << (p.taskId.isEmpty() ? QString() : p.taskId);
        payloads << p.payload;
    }
    // One statement for all: the rows in the order recorded, so the ids too (nextval row by row).
    auto q = exec(
        u"INSERT INTO events (type, agent_id, task_id, payload) SELECT * FROM "
        "unnest(?::text[], ?::uuid[], ?::uuid[], ?::jsonb[]) RETURNING id, at"_s,
        {arrayLiteral(types), arrayLiteral(agents), arrayLiteral(tasks), arrayLiteral(payloads)});
    if (!q)
        return std::unexpected(q.error());
    QList<std::pair<qint64, QDateTime>> rows;
    rows.reserve(m_pendingEvents.size());
    while (q->next())
        rows << std::pair{q->value(u"id"_s).toLongLong(), q->value(u"at"_s).toDateTime()};
    if (rows.size() != m_pendingEvents.size())
        return failure(Error::internal(
            u"events: %1 rows written of %2"_s.arg(rows.size()).arg(m_pendingEvents.size())));
    std::sort(
        rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (qsizetype i = 0; i < rows.size(); ++i) {
        Event e = m_pendingEvents[i].event;
        m_assigned.insert(e.seq, rows[i]);
        std::tie(e.seq, e.at) = rows[i];
        if (m_agentCache && e.agent)
            m_recorded << e;
    }
    m_pendingEvents.clear();
    return {};
}

void Database::settle(Change &change) const
{
    for (Event &e : change.events) {
        if (e.seq >= 0)
            continue;
        const auto it = m_assigned.constFind(e.seq);
        if (it != m_assigned.cend())
            std::tie(e.seq, e.at) = *it;
    }
}

Result<QList<Event>> Database::events(qint64 since, int limit)
{
    auto q = exec(u"SELECT id, type, at, payload::text AS payload FROM events WHERE id > ? "
                  u"ORDER BY id LIMIT ?"_s,
                  {since, limit});
    if (!q)
        return std::unexpected(q.error());
    QList<Event> out;
    while (q->next()) {
        const qint64 id = q->value(u"id"_s).toLongLong();
        std::optional<Event> e = Event::fromJson(q->value(u"payload"_s).toString().toUtf8());
        if (!e) {
            // Not written by Agent Hive; its place in the sequence still counts.
            log()->warn("event {} has a payload that is no event", id);
            e = Event{};
            e->type = q->value(u"type"_s).toString();
        }
        e->seq = id;
        e->at = q->value(u"at"_s).toDateTime();
        if (e->task)
            e->task = e->task->toSummary(); // rows written before events carried summaries
        out << *e;
    }
    return out;
}

Result<qint64> Database::lastEventSeq()
{
    auto q = exec(u"SELECT coalesce(max(id), 0) AS seq FROM events"_s);
    if (!q)
        return std::unexpected(q.error());
    q->next();
    return q->value(u"seq"_s).toLongLong();
}

Result<Task> Database::updateTask(const QString &sql, const QVariantList &binds)
{
    auto q = exec(sql + u" RETURNING "_s + kTaskColumns, binds);
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(Error::notFound({}));
    return taskFromRow(*q);
}

Result<Agent> Database::updateAgent(const QString &sql, const QVariantList &binds)
{
    auto q = exec(sql + u" RETURNING "_s + kAgentColumns, binds);
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::unexpected(Error::notFound({}));
    return agentFromRow(*q);
}

Error Database::notFound(const QString &what, const QString &id)
{
    return Error::notFound(u"no %1 with id %2"_s.arg(what, id));
}

Result<> Database::recordInto(Change &change,
                              const QString &type,
                              const std::optional<Agent> &agent,
                              const std::optional<Task> &task)
{
    auto ev = record(type, agent, task);
    if (!ev)
        return failure(ev.error());
    change.events << *ev;
    return {};
}

} // namespace Hive
