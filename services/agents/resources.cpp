// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/resources.h"

#include "services/core/logging.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <algorithm>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("resources");
}
} // namespace

ResourceSampler::ResourceSampler(const QString &tmuxSocket,
                                 int intervalMs,
                                 std::shared_ptr<UsageBoard> board,
                                 QObject *parent)
    : QObject(parent)
    , m_socket(tmuxSocket)
    , m_intervalMs(intervalMs)
    , m_board(std::move(board))
{}

std::optional<qint64> ResourceSampler::availableMemory()
{
    QFile f(u"/proc/meminfo"_s);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.startsWith("MemAvailable:"))
            continue;
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() >= 2)
            return parts.at(1).toLongLong() * 1024; // kB
    }
    return std::nullopt;
}

QHash<qint64, ResourceSampler::Proc> ResourceSampler::readProcesses()
{
    QHash<qint64, Proc> out;
    static const long page = sysconf(_SC_PAGESIZE);
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &p : pids) {
        bool ok = false;
        const qint64 pid = p.toLongLong(&ok);
        if (!ok)
            continue;
        QFile f(u"/proc/%1/stat"_s.arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue; // gone meanwhile
        const QByteArray stat = f.readAll();
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after the
        // last ')'. Field 4 ppid, 14 utime, 15 stime, 16 cutime, 17 cstime, 24 rss (pages).
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> f3 = stat.mid(close + 2).split(' '); // from field 3 (state)
        if (f3.size() < 22)
            continue;
        Proc pr;
        pr.ppid = f3.at(1).toLongLong();
        pr.ticks = f3.at(11).toLongLong() + f3.at(12).toLongLong() + f3.at(13).toLongLong()
                   + f3.at(14).toLongLong();
        pr.rss = f3.at(21).toLongLong() * page;
        out.insert(pid, pr);
    }
    return out;
}

QHash<QString, qint64> ResourceSampler::panePids() const
{
    QProcess tmux;
    tmux.start(
        u"tmux"_s,
        {u"-L"_s, m_socket, u"list-panes"_s, u"-a"_s, u"-F"_s, u"#{session_name}\t#{pane_pid}"_s});
    QHash<QString, qint64> out;
    if (!tmux.waitForFinished(5000) || tmux.exitCode() != 0) {
        tmux.kill();
        tmux.waitForFinished(1000);
        return out; // no server (no agents), or tmux away
    }
    for (const QByteArray &line : tmux.readAllStandardOutput().split('\n')) {
        const qsizetype tab = line.indexOf('\t');
        if (tab <= 0)
            continue;
        const QString session = QString::fromUtf8(line.left(tab));
        if (!out.contains(session)) // the first pane of each session
            out.insert(session, line.mid(tab + 1).toLongLong());
    }
    return out;
}

void ResourceSampler::start()
{
    m_clock.start();
    m_timer = new QTimer(this);
    m_timer->setInterval(m_intervalMs);
    connect(m_timer, &QTimer::timeout, this, &ResourceSampler::sampleNow);
    m_timer->start();
    sampleNow();
}

void ResourceSampler::stop()
{
    if (m_timer)
        m_timer->stop();
}

void ResourceSampler::sampleNow()
{
    const QHash<QString, qint64> panes = panePids();
    const QHash<qint64, Proc> procs = readProcesses();
    QHash<qint64, QList<qint64>> children;
    for (auto it = procs.cbegin(); it != procs.cend(); ++it)
        children[it->ppid].append(it.key());
    static const double tick = double(sysconf(_SC_CLK_TCK));
    const qint64 nowMs = m_clock.elapsed();
    const double seconds = m_lastMs < 0 ? 0 : (nowMs - m_lastMs) / 1000.0;
    QHash<QString, AgentUsage> usage;
    QHash<QString, qint64> ticksBySession;
    for (auto it = panes.cbegin(); it != panes.cend(); ++it) {
        AgentUsage u;
        u.session = it.key();
        qint64 ticks = 0;
        QList<qint64> todo{it.value()};
        while (!todo.isEmpty()) {
            const qint64 pid = todo.takeLast();
            const auto p = procs.constFind(pid);
            if (p == procs.cend())
                continue;
            ++u.processes;
            u.rssBytes += p->rss;
            ticks += p->ticks;
            todo += children.value(pid);
        }
        ticksBySession.insert(u.session, ticks);
        const auto before = m_lastTicks.constFind(u.session);
        if (before != m_lastTicks.cend() && seconds > 0)
            u.cpuPercent = std::max<qint64>(0, ticks - *before) / tick / seconds * 100.0;
        usage.insert(u.session, u);
    }
    m_lastTicks = ticksBySession;
    m_lastMs = nowMs;
    m_board->set(usage);
    log()->trace("sampled {} agents", usage.size());
    Q_EMIT sampled(usage.values());
}

void fillUsage(QList<Agent> &agents, const UsageBoard &board)
{
    const QHash<QString, AgentUsage> usage = board.get();
    for (Agent &a : agents) {
        if (!a.isAlive())
            continue;
        const auto u = usage.constFind(a.tmuxSession);
        if (u == usage.cend())
            continue;
        a.cpuPercent = u->cpuPercent;
        a.rssBytes = u->rssBytes;
    }
}

} // namespace Hive
