// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/infra/managedpostgres.h"

#include "services/core/config.h"
#include "services/core/logging.h"
#include "services/core/platform.h"
#include "services/core/process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>
#ifdef Q_OS_UNIX
#include <pwd.h>
#endif

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("postgres");
}

const QStringList kSearchDirs{
    u"/usr/lib/postgresql/*/bin"_s,          // Debian, Ubuntu
    u"/usr/pgsql-*/bin"_s,                   // Fedora, RHEL (PGDG)
    u"/opt/homebrew/opt/postgresql@*/bin"_s, // Homebrew on Apple silicon
    u"/usr/local/opt/postgresql@*/bin"_s,    // Homebrew on Intel
    u"/opt/homebrew/bin"_s,
    u"/usr/local/bin"_s,
    u"/Applications/Postgres.app/Contents/Versions/latest/bin"_s,
};
} // namespace

ManagedPostgres::ManagedPostgres(const QString &dir)
    : m_dir(dir)
    , m_dataDir(QDir(dir).filePath(u"data"_s))
    , m_socketDir(QDir(dir).filePath(u"run"_s))
{
#ifdef Q_OS_UNIX
    // PostgreSQL refuses to run as root: then it runs as the system's postgres user (or nobody).
    if (Platform::isRoot())
        m_owner = ::getpwnam("postgres") ? u"postgres"_s : u"nobody"_s;
#endif
}

QString ManagedPostgres::findBinary(const QString &name)
{
    // initdb, pg_ctl and postgres must come from the same installation: prefer pg_ctl's directory.
    const QString pgctl = Process::findExecutable(u"pg_ctl"_s, kSearchDirs);
    if (!pgctl.isEmpty()) {
        const QString sibling = QFileInfo(pgctl).dir().filePath(name);
        if (QFileInfo(sibling).isExecutable())
            return sibling;
    }
    return Process::findExecutable(name, kSearchDirs);
}

QString ManagedPostgres::url() const
{
    QString host = QString::fromUtf8(QUrl::toPercentEncoding(m_socketDir));
    return u"postgresql://hive@/hive?host=%1&port=%2"_s.arg(host, QString::number(kPort));
}

QString ManagedPostgres::logFile() const
{
    return QDir(m_dir).filePath(u"postgres.log"_s);
}

qint64 ManagedPostgres::postmasterPid() const
{
    QFile f(QDir(m_dataDir).filePath(u"postmaster.pid"_s));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return f.readLine().trimmed().toLongLong();
}

bool ManagedPostgres::isRunning() const
{
    const qint64 pid = postmasterPid();
    return pid > 0 && Process::isPidAlive(pid)
           && QFileInfo::exists(QDir(m_socketDir).filePath(u".s.PGSQL.%1"_s.arg(kPort)));
}

Result<> ManagedPostgres::runAsOwner(const QString &binary, const QStringList &args, int timeoutMs)
{
    QStringList argv = Platform::dropPrivilegesPrefix(m_owner);
    QString program = binary;
    if (!argv.isEmpty()) {
        program = argv.takeFirst();
        argv << binary;
    }
    argv << args;
    auto r = Process::run(program, argv, timeoutMs, m_dir);
    if (!r)
        return failure(r.error());
    return {};
}

Result<> ManagedPostgres::prepareOwnership()
{
#ifdef Q_OS_UNIX
    if (m_owner.isEmpty())
        return {};
    const struct passwd *pw = ::getpwnam(m_owner.toLocal8Bit().constData());
    if (!pw)
        return failure(
            u"running as root, but there is no user '%1' to run PostgreSQL as"_s.arg(m_owner));
    // The owner must reach the cluster: every ancestor needs search (x) permission for others.
    QDir d(m_dir);
    while (true) {
        const QByteArray path = QFile::encodeName(d.absolutePath());
        struct stat st{};
        if (::stat(path.constData(), &st) == 0 && !(st.st_mode & S_IXOTH)) {
            log()->info("giving others search permission on {} so that PostgreSQL (user {}) can "
                        "reach its cluster",
                        d.absolutePath(),
                        m_owner);
            ::chmod(path.constData(), (st.st_mode & 07777) | S_IXOTH);
        }
        if (d.isRoot() || !d.cdUp())
            break;
    }
    for (const QString &p : {m_dir, m_dataDir, m_socketDir}) {
        if (::chown(QFile::encodeName(p).constData(), pw->pw_uid, pw->pw_gid) != 0)
            return failure(u"cannot hand %1 to user %2: %3"_s.arg(
                p, m_owner, QString::fromLocal8Bit(strerror(errno))));
    }
    const QString logPath = logFile();
    QFile lf(logPath);
    if (lf.open(QIODevice::Append))
        lf.close();
    if (::chown(QFile::encodeName(logPath).constData(), pw->pw_uid, pw->pw_gid) != 0)
        return failure(u"cannot hand %1 to user %2"_s.arg(logPath, m_owner));
#endif
    return {};
}

Result<> ManagedPostgres::start()
{
    const QString initdb = findBinary(u"initdb"_s);
    const QString pgctl = findBinary(u"pg_ctl"_s);
    if (initdb.isEmpty() || pgctl.isEmpty())
        return failure(
            u"PostgreSQL was not found (no initdb/pg_ctl on PATH nor in the usual places); "
            "install PostgreSQL 17 with pgvector, or give --database-url"_s);
    if (!QDir().mkpath(m_dir) || !QDir().mkpath(m_socketDir))
        return failure(u"cannot create %1"_s.arg(m_dir));
    ::chmod(QFile::encodeName(m_dir).constData(), 0700);

    const bool fresh = !QFileInfo::exists(QDir(m_dataDir).filePath(u"PG_VERSION"_s));
    if (fresh) {
        QDir(m_dataDir).removeRecursively(); // a half-made cluster from an interrupted initdb
        QDir().mkpath(m_dataDir);
    }
    if (auto r = prepareOwnership(); !r)
        return r;

    if (fresh) {
        log()->info("creating a PostgreSQL cluster in {}", m_dataDir);
        if (auto r = runAsOwner(initdb,
                                {u"-D"_s,
                                 m_dataDir,
                                 u"-U"_s,
                                 u"hive"_s,
                                 u"-A"_s,
                                 u"trust"_s,
                                 u"-E"_s,
                                 u"UTF8"_s,
                                 u"--locale=C"_s,
                                 u"--no-instructions"_s},
                                120000);
            !r)
            return failure(u"initdb failed: %1"_s.arg(r.error().message));
        // Our own settings: only a Unix socket, in our directory, and a modest footprint.
        QFile conf(QDir(m_dataDir).filePath(u"postgresql.auto.conf"_s));
        if (!conf.open(QIODevice::Append | QIODevice::Text))
            return failure(u"cannot write %1"_s.arg(conf.fileName()));
        auto quoted = [](QString s) {
            return u"'"_s + s.replace(u"'"_s, u"''"_s) + u"'"_s;
        };
        conf.write(u"listen_addresses = ''\n"
                   "unix_socket_directories = %1\n"
                   "port = %2\n"
                   "max_connections = %3\n"
                   "shared_buffers = '64MB'\n"
                   "fsync = on\n"
                   "log_min_messages = warning\n"_s.arg(quoted(m_socketDir))
                       .arg(kPort)
                       .arg(Config::kManagedMaxConnections)
                       .toUtf8());
    }

    if (isRunning()) {
        log()->info(
            "adopting the PostgreSQL already running in {} (pid {})", m_dataDir, postmasterPid());
    } else {
        log()->info("starting PostgreSQL in {}", m_dataDir);
        if (auto r = runAsOwner(pgctl,
                                {u"start"_s,
                                 u"-D"_s,
                                 m_dataDir,
                                 u"-l"_s,
                                 logFile(),
                                 u"-w"_s,
                                 u"-t"_s,
                                 u"60"_s,
                                 u"-s"_s},
                                90000);
            !r)
            return failure(
                u"PostgreSQL did not start: %1 (see %2)"_s.arg(r.error().message, logFile()));
    }

    // The database of our own; CREATE EXTENSION happens in the first migration.
    const QString conn = u"hive-bootstrap-"_s + QUuid::createUuid().toString(QUuid::Id128);
    Result<> result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, conn);
        db.setHostName(m_socketDir);
        db.setPort(kPort);
        db.setUserName(u"hive"_s);
        db.setDatabaseName(u"postgres"_s);
        if (!db.open()) {
            result = failure(
                u"cannot connect to the managed PostgreSQL: %1"_s.arg(db.lastError().text()));
        } else {
            QSqlQuery q(db);
            if (q.exec(u"SELECT 1 FROM pg_database WHERE datname = 'hive'"_s) && !q.next()) {
                if (!q.exec(u"CREATE DATABASE hive"_s))
                    result
                        = failure(u"cannot create database hive: %1"_s.arg(q.lastError().text()));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(conn);
    return result;
}

Result<> ManagedPostgres::stop()
{
    if (!isRunning())
        return {};
    const QString pgctl = findBinary(u"pg_ctl"_s);
    log()->info("stopping PostgreSQL in {}", m_dataDir);
    if (auto r = runAsOwner(
            pgctl,
            {u"stop"_s, u"-D"_s, m_dataDir, u"-m"_s, u"fast"_s, u"-w"_s, u"-t"_s, u"30"_s, u"-s"_s},
            40000);
        !r)
        return failure(u"PostgreSQL did not stop: %1"_s.arg(r.error().message));
    return {};
}

} // namespace Hive
