// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QTimer;

namespace Hive {

// What one agent takes of the host: its tmux pane's process and everything under it.
struct AgentUsage
{
    QString session;       // its tmux session
    double cpuPercent = 0; // of one core, since the sample before (100 = one core busy)
    qint64 rssBytes = 0;   // resident memory of the whole tree
    int processes = 0;     // in the tree
};

// The last sample, shared between the sampler's thread and its readers (the store's thread fills
// the agents' rows with it): a value behind a mutex.
class UsageBoard
{
public:
    void set(const QHash<QString, AgentUsage> &usage)
    {
        QMutexLocker lock(&m_mutex);
        m_usage = usage;
    }
    QHash<QString, AgentUsage> get() const
    {
        QMutexLocker lock(&m_mutex);
        return m_usage;
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, AgentUsage> m_usage; // by tmux session
};

// Samples every agent's process tree every few seconds in a thread of its own (never the GUI's
// or the orchestrator's): the panes' pids from `tmux list-panes -a` (its own tmux process, not
// the orchestrator's control client), their descendants and times from /proc (Linux). On macOS
// the same would come from libproc (proc_listchildpids, proc_pidinfo PROC_PIDTASKINFO); not done:
// there the usage stays empty.
class ResourceSampler : public QObject
{
    Q_OBJECT

public:
    ResourceSampler(const QString &tmuxSocket,
                    int intervalMs,
                    std::shared_ptr<UsageBoard> board,
                    QObject *parent = nullptr);

    // MemAvailable of /proc/meminfo in bytes; nullopt where it cannot be read.
    static std::optional<qint64> availableMemory();

    // One sample of the process tree under each pid (by key): exposed for the tests.
    struct Proc
    {
        qint64 ppid = 0;
        qint64 ticks = 0; // utime + stime + cutime + cstime
        qint64 rss = 0;   // bytes
    };
    static QHash<qint64, Proc> readProcesses();

public Q_SLOTS:
    void start(); // in its thread
    void stop();
    void sampleNow();

Q_SIGNALS:
    void sampled(const QList<Hive::AgentUsage> &usage);

private:
    QHash<QString, qint64> panePids() const;

    QString m_socket;
    int m_intervalMs;
    QTimer *m_timer = nullptr;
    std::shared_ptr<UsageBoard> m_board;
    QHash<QString, qint64> m_lastTicks; // by session
    QElapsedTimer m_clock;
    qint64 m_lastMs = -1;
};

// Each live agent's cpuPercent and rssBytes from the board (by its tmux session).
void fillUsage(QList<Agent> &agents, const UsageBoard &board);

} // namespace Hive
