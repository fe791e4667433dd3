// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "app/runner/runnerlink.h"
#include "services/agents/profiles.h"
#include "services/queue/queue.h"
#include "services/store/change.h"
#include "services/store/coststore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>

#include <functional>
#include <optional>

class QTimer;

namespace Hive {

// hive-runner: runs inside one worker agent's tmux session. Takes the tasks of its agent's type
// from the queue (highest priority first), runs the profile's command for each in the agent's
// folder with the output shown live on the terminal and captured (the last few MiB), stores the
// result, and sends heartbeats. It holds no PostgreSQL connection: its agent, claims, results and
// heartbeats go through the app's API (RunnerLink: <data-dir>/api.sock, or the API's TCP port with
// its token for a runner on another host), which runs the same store functions for it; the queue,
// its Redis heartbeat and stop requests come from Redis directly. Everything happens in the main
// thread's event loop; the requests to the app are synchronous (this process has nothing else to
// keep responsive but the child's output, which waits in its pipe meanwhile).
class Runner : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString agentId; // empty: join (a runner on another host) with the fields below
        QString dataDir;
        QString apiUrl; // "unix:<data-dir>/api.sock" or http://host:port
        QByteArray apiToken;
        QString redisUrl;
        // Joining: the agent this runner becomes.
        QString joinType;
        QString joinName;
        QString joinProfile;
        QString joinWorkdir;
        QString joinHost;
        qsizetype outputCap = 4 * 1024 * 1024;
        int heartbeatMs = 3000;
        int heartbeatTtlMs = 10000;
        int fetchBlockMs = 2000;
    };

    explicit Runner(const Options &options, QObject *parent = nullptr);
    ~Runner() override;

    Result<> start();
    void stop(const QString &why); // hand the running task back, then quit

    // What the terminal shows of one stream-json line: the assistant's text and tool calls, not
    // the raw JSON (which is what is captured and stored).
    static QByteArray renderStreamJsonLine(const QByteArray &line);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void fetch();
    void onEntry(const QueueEntry &entry);
    void runTask(const Task &task, const QueueEntry &entry);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void onOutput();
    void onControl(const QByteArray &payload);
    void heartbeat();
    // What the heartbeat's answer says: a cancel whose message was missed, or a task taken away,
    // stops the command; an agent ended stops the runner.
    void obey(const QJsonObject &beat);
    void stopCommand(const QString &why, bool cancelled);
    void setPaused(bool paused);

    using StateChange = std::function<Result<Change>(RunnerLink &)>;
    // Has the app make a state change (it publishes what it did), then `then`. Never drops it
    // silently: while the app or its PostgreSQL is unreachable it is tried again with a growing
    // pause, for as long as it takes; a change that fails in a transient way (a deadlock, a
    // serialization failure, a timeout) is tried kTransientTries times; a change refused for good
    // goes to `refused`, or when there is none, is logged and `then` gets an empty Change.
    void persist(StateChange change,
                 std::function<void(const Change &)> then = {},
                 std::function<void(const Error &)> refused = {},
                 int attempt = 0);
    // The task ends failed with why, without its result: what is left when the result itself
    // cannot be stored. Tried until it is stored; then `then`.
    void failWithoutResult(const Task &task, const QString &why, std::function<void()> then);
    void say(const QString &line);
    void finishCurrent(const TaskResult &result,
                       bool succeeded,
                       const QString &error,
                       bool retryable = true);
    // The command hit a rate or usage limit: its task goes back to the queue (the attempt not
    // counted) and its profile is paused until the reset, in PostgreSQL
    // (Database::finishRateLimited, through POST /api/v1/runners/{id}/rate-limited).
    void finishRateLimited(const TaskResult &result, const QDateTime &until, const QString &reason);
    // While a claim is refused for a hold (profile rate-limited, daily budget spent): whether the
    // hold is still there, and then fetch() waits for it (at most kHoldRecheckMs at a time).
    bool waitForHold();
    Result<std::optional<DispatchHold>> dispatchHold();
    QByteArray capturedOutput() const;

    // POST /api/v1/runners/<agent>/<what>; the answer's task as a Change.
    Result<Change> taskCall(RunnerLink &link, const char *what, const QJsonObject &body);
    Result<> join();
    void linkUsed(); // the connection is closed after a second without requests

    Options m_options;
    RunnerLink m_link;
    QTimer *m_linkIdle = nullptr;
    Queue *m_queue = nullptr;
    Agent m_agent;
    Profile m_profile;
    QTimer *m_heartbeat = nullptr;
    QProcess *m_process = nullptr;
    std::optional<Task> m_task;
    QueueEntry m_entry;
    QElapsedTimer m_clock;
    QByteArray m_output;
    QByteArray m_pendingLine; // stream-json: an incomplete last line, not shown yet
    bool m_streamJson = false;
    qint64 m_dropped = 0;
    bool m_cancelled = false;
    bool m_takenAway = false; // cancelled, or no longer this agent's: its result is not stored
    bool m_stopping = false;
    bool m_fetching = false;
    bool m_claiming = false;
    bool m_paused = false;   // the agent row's flag, as the last heartbeat read it
    int m_claimsRefused = 0; // in a row: the pause before the next fetch grows
    bool m_held = false;     // the last claim was refused for a hold (see waitForHold)
    bool m_startedReported = false;
};

} // namespace Hive
