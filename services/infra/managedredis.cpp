// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/infra/managedredis.h"

#include "services/core/logging.h"
#include "services/core/process.h"
#include "services/core/redisurl.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

#include <hiredis/hiredis.h>

#include <csignal>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("redis");
}

redisContext *connectSync(const QString &url, int timeoutMs)
{
    const auto target = RedisUrl::parse(url);
    if (!target)
        return nullptr;
    const timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    redisContext *c
        = target->isUnix()
              ? redisConnectUnixWithTimeout(target->socketPath.toLocal8Bit().constData(), tv)
              : redisConnectWithTimeout(target->host.toLocal8Bit().constData(), target->port, tv);
    if (c && !c->err) {
        redisSetTimeout(c, tv);
        if (!target->password.isEmpty()) {
            auto *r = static_cast<redisReply *>(
                redisCommand(c, "AUTH %s", target->password.toUtf8().constData()));
            freeReplyObject(r);
        }
    }
    return c;
}

QString confQuote(const QString &s)
{
    QString out = s;
    out.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
    return u"\""_s + out + u"\""_s;
}
} // namespace

bool redisPing(const QString &url, int timeoutMs)
{
    redisContext *c = connectSync(url, timeoutMs);
    if (!c)
        return false;
    bool ok = false;
    if (!c->err) {
        auto *r = static_cast<redisReply *>(redisCommand(c, "PING"));
        ok = r && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
    }
    redisFree(c);
    return ok;
}

ManagedRedis::ManagedRedis(const QString &dir)
    : m_dir(dir)
{}

QString ManagedRedis::findBinary()
{
    return Process::findExecutable(u"redis-server"_s,
                                   {u"/usr/bin"_s,
                                    u"/usr/local/bin"_s,
                                    u"/opt/homebrew/bin"_s,
                                    u"/usr/local/opt/redis/bin"_s});
}

QString ManagedRedis::socketPath() const
{
    return QDir(m_dir).filePath(u"redis.sock"_s);
}

QString ManagedRedis::url() const
{
    return u"unix://"_s + socketPath();
}

qint64 ManagedRedis::pid() const
{
    QFile f(QDir(m_dir).filePath(u"redis.pid"_s));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return f.readAll().trimmed().toLongLong();
}

bool ManagedRedis::isRunning() const
{
    return Process::isPidAlive(pid()) && redisPing(url());
}

Result<> ManagedRedis::start()
{
    const QString server = findBinary();
    if (server.isEmpty())
        return failure(
            u"redis-server was not found on PATH nor in the usual places; install Redis, "
            "or give --redis-url"_s);
    if (!QDir().mkpath(m_dir))
        return failure(u"cannot create %1"_s.arg(m_dir));
    ::chmod(QFile::encodeName(m_dir).constData(), 0700);

    if (isRunning()) {
        log()->info("adopting the Redis already running in {} (pid {})", m_dir, pid());
        return {};
    }
    const QString conf = QDir(m_dir).filePath(u"redis.conf"_s);
    QFile f(conf);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return failure(u"cannot write %1"_s.arg(conf));
    f.write(u"# Written by Agent Hive at each start; edits are lost.\n"
            "port 0\n"
            "unixsocket %1\n"
            "unixsocketperm 700\n"
            "daemonize yes\n"
            "pidfile %2\n"
            "logfile %3\n"
            "dir %4\n"
            "appendonly yes\n"
            "appendfsync everysec\n"
            "save \"\"\n"
            "databases 4\n"_s
                .arg(confQuote(socketPath()),
                     confQuote(QDir(m_dir).filePath(u"redis.pid"_s)),
                     confQuote(QDir(m_dir).filePath(u"redis.log"_s)),
                     confQuote(m_dir))
                .toUtf8());
    f.close();
    QFile::remove(socketPath());
    log()->info("starting Redis in {}", m_dir);
    if (auto r = Process::run(server, {conf}, 15000, m_dir); !r)
        return failure(u"Redis did not start: %1"_s.arg(r.error().message));
    const QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        if (redisPing(url(), 200))
            return {};
        QThread::msleep(20);
    }
    return failure(u"Redis did not answer on %1 within 15 s (see %2)"_s.arg(
        socketPath(), QDir(m_dir).filePath(u"redis.log"_s)));
}

Result<> ManagedRedis::stop()
{
    const qint64 p = pid();
    if (!Process::isPidAlive(p))
        return {};
    log()->info("stopping Redis in {}", m_dir);
    if (redisContext *c = connectSync(url(), 1000)) {
        if (!c->err)
            freeReplyObject(redisCommand(c, "SHUTDOWN"));
        redisFree(c);
    }
    QDeadlineTimer deadline(10000);
    while (Process::isPidAlive(p) && !deadline.hasExpired())
        QThread::msleep(20);
    if (Process::isPidAlive(p)) {
        ::kill(static_cast<pid_t>(p), SIGKILL);
        return failure(u"Redis (pid %1) did not stop within 10 s and was killed"_s.arg(p));
    }
    return {};
}

} // namespace Hive
