// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

#include <optional>

class QTimer;

namespace Hive {

// What one agent takes of the host: its tmux pane's process and everything under it.
struct AgentUsage
{
    QString session;         // its tmux session
    double cpuPercent = 0;   // of one core, since the sample before (100 = one core busy)
    qint64 rssBytes = 0;     // resident memory of the whole tree
    int processes = 0;       // in the tree
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
    ResourceSampler(const QString &tmuxSocket, int intervalMs, QObject *parent = nullptr);

    // Thread-safe: the last sample, by tmux session name.
    QHash<QString, AgentUsage> latest() const;

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
    mutable QMutex m_mutex;
    QHash<QString, AgentUsage> m_latest;
    QHash<QString, qint64> m_lastTicks; // by session
    QElapsedTimer m_clock;
    qint64 m_lastMs = -1;
};

} // namespace Hive
