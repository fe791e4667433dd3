// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/runner.h"
#include "app/runner/outcome.h"

#include "services/core/logging.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("runner");
}

// A change that could not be stored is tried again after 0.5 s, 1 s, 2 s ... at most 30 s apart.
constexpr int kFirstRetryMs = 500;
constexpr int kMaxRetryMs = 30000;
// A transient failure while PostgreSQL answers (a deadlock, a serialization failure, a timeout)
// is tried this many times; after that the change counts as refused.
constexpr int kTransientTries = 8;

// A result's output goes in pieces of at most this many characters (the API takes bodies up to
// 1 MiB; a JSON escape makes a character at most six bytes).
constexpr qsizetype kOutputPiece = 128 * 1024;
// A hold (rate limit, budget) is looked at again at least this often: a budget raised or a limit
// lifted by hand resumes the runner within this time.
constexpr int kHoldRecheckMs = 10000;

bool isHold(const Error &e)
{
    return e.code == u"rate_limited"_s || e.code == u"budget_exhausted"_s;
}

int retryDelayMs(int attempt)
{
    return attempt >= 6 ? kMaxRetryMs : std::min(kMaxRetryMs, kFirstRetryMs << attempt);
}

// The app could not be reached, or its PostgreSQL, or it had no room for another connection
// (api.sock's budget: 200 runners starting at once): wait as long as it takes. The change itself
// was not even looked at.
bool unreachable(const Error &e)
{
    return e.kind == Error::Kind::Unavailable
           && (e.code == u"app_unreachable"_s || e.code == u"postgres_unreachable"_s
               || e.code == u"too_many_connections"_s);
}
} // namespace

Runner::Runner(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{}

Runner::~Runner()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

void Runner::say(const QString &line)
{
    const QByteArray bytes = (u"\x1b[2m[hive] "_s + line + u"\x1b[0m\n"_s).toUtf8();
    fwrite(bytes.constData(), 1, bytes.size(), stdout);
    fflush(stdout);
}

void Runner::linkUsed()
{
    if (!m_linkIdle) {
        m_linkIdle = new QTimer(this);
        m_linkIdle->setSingleShot(true);
        // Kept while requests follow each other (claim, start, finish of a quick task), closed
        // soon after: 200 idle runners must not hold api.sock's 64 connections.
        m_linkIdle->setInterval(100);
        connect(m_linkIdle, &QTimer::timeout, this, [this] { m_link.closeIdle(); });
    }
    m_linkIdle->start();
}

Result<Change> Runner::taskCall(RunnerLink &link, const char *what, const QJsonObject &body)
{
    auto answer = link.post("/api/v1/runners/" + m_agent.id.toLatin1() + '/' + what, body);
    linkUsed();
    if (!answer)
        return std::unexpected(answer.error());
    Change c;
    if (const QJsonValue t = answer->value(u"task"_s); t.isObject())
        c.task = Task::fromJson(t.toObject());
    return c;
}

Result<> Runner::join()
{
    const QJsonObject body{{u"type"_s, m_options.joinType},
                           {u"name"_s, m_options.joinName},
                           {u"profile"_s, m_options.joinProfile},
                           {u"workdir"_s, m_options.joinWorkdir},
                           {u"host"_s, m_options.joinHost}};
    QJsonObject o = body;
    if (m_options.joinName.isEmpty())
        o.remove(u"name"_s);
    Result<QJsonObject> joined;
    for (int i = 0; i < 60; ++i) {
        joined = m_link.post("/api/v1/runners", o);
        if (joined || !unreachable(joined.error()))
            break;
        QThread::msleep(500);
    }
    if (!joined)
        return failure(
            u"joining the hive at %1: %2"_s.arg(m_link.describe(), joined.error().message));
    m_options.agentId = joined->value(u"id"_s).toString();
    return {};
}

Result<> Runner::start()
{
    auto link = RunnerLink::make(m_options.apiUrl, m_options.apiToken);
    if (!link)
        return failure(link.error());
    m_link = std::move(*link);
    // The app may be starting with the runner: wait for it a little.
    if (m_options.agentId.isEmpty()) {
        if (auto r = join(); !r)
            return r;
    }
    Result<QJsonObject> agent;
    for (int i = 0; i < 60; ++i) {
        agent = m_link.get("/api/v1/runners/" + m_options.agentId.toLatin1());
        if (agent || !unreachable(agent.error()))
            break;
        QThread::msleep(100 + QRandomGenerator::global()->bounded(400));
    }
    linkUsed();
    if (!agent)
        return failure(agent.error().message);
    m_agent = Agent::fromJson(*agent);
    if (!m_agent.isAlive())
        return failure(u"agent %1 is %2"_s.arg(m_agent.name, Agent::statusName(m_agent.status)));
    auto profile = Profiles::load(m_agent.profile, m_options.dataDir);
    if (!profile)
        return failure(profile.error());
    m_profile = *profile;

    m_queue = new Queue(m_options.redisUrl, this);
    connect(m_queue, &Queue::controlReceived, this, &Runner::onControl);
    connect(m_queue, &Queue::connected, this, [this] {
        log()->info("connected to Redis");
        // Idle once it can take tasks, and only now: before, the agent.status event could not
        // be published (Redis not connected yet) and clients kept showing "starting".
        if (m_agent.status == Agent::Status::Starting) {
            m_agent.status = Agent::Status::Idle;
            persist([this](RunnerLink &link) {
                return taskCall(link, "status", {{u"status"_s, u"idle"_s}});
            });
        }
        heartbeat();
        if (!m_task)
            fetch();
    });
    m_queue->open(Queue::Blocking);
    m_queue->subscribeControl(m_agent.id);

    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(m_options.heartbeatMs);
    connect(m_heartbeat, &QTimer::timeout, this, &Runner::heartbeat);
    m_heartbeat->start();

    say(tr("agent %1 (type %2, profile %3) in %4: waiting for tasks")
            .arg(m_agent.name, m_agent.type, m_agent.profile, m_agent.workdir));
    // A task this agent held when the runner was restarted can no longer be trusted to finish.
    return {};
}

void Runner::heartbeat()
{
    if (m_queue)
        m_queue->heartbeat(m_agent.id, m_options.heartbeatTtlMs);
    QJsonObject body;
    const bool running = m_task && m_process && !m_takenAway;
    if (running)
        body.insert(u"task_id"_s, m_task->id);
    auto beat = m_link.post("/api/v1/runners/" + m_agent.id.toLatin1() + "/heartbeat", body);
    linkUsed();
    // The app or its PostgreSQL unreachable: nothing to learn; asked again at the next heartbeat.
    if (beat)
        obey(*beat);
}

void Runner::obey(const QJsonObject &beat)
{
    if (m_stopping)
        return;
    if (!beat.value(u"agent_alive"_s).toBool(true)) {
        stop(tr("agent %1 is %2").arg(m_agent.name, beat.value(u"agent_status"_s).toString()));
        return;
    }
    if (const bool paused = beat.value(u"flags"_s).toObject().value(u"paused"_s).toBool();
        paused != m_paused)
        setPaused(paused);
    if (!m_task || !m_process || m_takenAway || !beat.contains(u"task_status"_s))
        return;
    if (beat.value(u"task_cancelled"_s).toBool())
        stopCommand(tr("task %1 was cancelled; stopping its command").arg(m_task->id), true);
    else if (beat.value(u"task_taken_away"_s).toBool())
        stopCommand(tr("task %1 is no longer this agent's (%2); stopping its command, its result "
                       "is not stored")
                        .arg(m_task->id, beat.value(u"task_status"_s).toString()),
                    false);
}

// Paused: the task it runs goes on, no new entry is read (the store refuses its claims anyway);
// resumed: reading again.
void Runner::setPaused(bool paused)
{
    m_paused = paused;
    say(paused ? tr("paused: no new tasks until resumed") : tr("resumed: waiting for tasks"));
    log()->info("{}", paused ? "paused" : "resumed");
    if (!paused)
        QTimer::singleShot(0, this, &Runner::fetch);
}

void Runner::stopCommand(const QString &why, bool cancelled)
{
    if (!m_process || m_takenAway)
        return;
    say(why);
    log()->warn("{}", why);
    m_cancelled = cancelled;
    m_takenAway = true;
    m_process->terminate();
    QTimer::singleShot(5000, m_process, [p = m_process] { p->kill(); });
}

void Runner::persist(StateChange change,
                     std::function<void(const Change &)> then,
                     std::function<void(const Error &)> refused,
                     int attempt)
{
    auto r = change(m_link);
    if (r) {
        if (then)
            then(*r);
        return;
    }
    const Error e = r.error();
    // Unavailable: the app or its PostgreSQL unreachable (wait for it as long as it takes), or a
    // transient failure while PostgreSQL answers (tried kTransientTries times).
    if (e.kind == Error::Kind::Unavailable && (unreachable(e) || attempt + 1 < kTransientTries)) {
        const int ms = retryDelayMs(attempt);
        log()->warn("{}; trying again in {} ms", e.message, ms);
        if (attempt == 0)
            say(tr("%1; trying again").arg(e.message));
        QTimer::singleShot(ms, this, [this, change, then, refused, attempt] {
            persist(change, then, refused, attempt + 1);
        });
        return;
    }
    if (isHold(e)) {
        log()->info("held: {}", e.message);
    } else {
        log()->error("refused: {}", e.message);
        say(tr("error: %1").arg(e.message));
    }
    if (refused)
        refused(e);
    else if (then)
        then(Change());
}

void Runner::failWithoutResult(const Task &task, const QString &why, std::function<void()> then)
{
    persist(
        [this, t = task.id, why](RunnerLink &link) {
            return taskCall(link, "fail", {{u"task_id"_s, t}, {u"error"_s, why}});
        },
        [then](const Change &) { then(); },
        [this, task, why, then](const Error &) {
            // Even that refused: never drop it; try again, slowly.
            QTimer::singleShot(
                kMaxRetryMs, this, [this, task, why, then] { failWithoutResult(task, why, then); });
        });
}

void Runner::fetch()
{
    if (m_stopping || m_paused || m_task || m_fetching || m_claiming)
        return;
    if (m_held && waitForHold())
        return;
    m_fetching = true;
    m_queue->fetchNext(
        m_agent.type, m_agent.id, m_options.fetchBlockMs, [this](std::optional<QueueEntry> entry) {
            m_fetching = false;
            if (m_stopping)
                return;
            if (!entry) {
                // Timed out, or Redis is away: ask again (at once after a timeout, a little later
                // after an error).
                QTimer::singleShot(m_queue->isConnected() ? 0 : 500, this, &Runner::fetch);
                return;
            }
            onEntry(*entry);
        });
}

void Runner::onEntry(const QueueEntry &entry)
{
    const QString taskId = entry.taskId;
    m_claiming = true; // while the claim is tried (again), nothing else is fetched
    persist([this, taskId](
                RunnerLink &link) { return taskCall(link, "claim", {{u"task_id"_s, taskId}}); },
            [this, entry](const Change &c) {
                m_claiming = false;
                if (!c.task) {
                    // Not claimable any more (cancelled, finished, taken by another agent, or a
                    // duplicate entry): drop it.
                    m_queue->ack(entry);
                    QTimer::singleShot(0, this, &Runner::fetch);
                    return;
                }
                if (m_stopping) {
                    // Handed back: releaseTask queues it again with a new entry.
                    persist(
                        [this, t = c.task->id](RunnerLink &link) {
                            return taskCall(link, "release", {{u"task_id"_s, t}});
                        },
                        [this, entry](const Change &) { m_queue->ack(entry); });
                    return;
                }
                m_claimsRefused = 0;
                runTask(*c.task, entry);
            },
            [this, entry](const Error &e) {
                m_claiming = false;
                if (e.code == u"agent_paused"_s) {
                    // Paused meanwhile: the entry goes back for another agent; this one reads
                    // again once a heartbeat finds it resumed.
                    m_queue->handBack(entry);
                    setPaused(true);
                    return;
                }
                // The claim failed, not the task: it is still queued, so its entry must stay.
                // Handed back (added again at the end of its stream), and the next fetch a moment
                // later (later each time while claims keep failing), or, for a hold, once it ends.
                m_queue->handBack(entry);
                if (isHold(e)) {
                    if (!m_held)
                        say(tr("waiting: %1").arg(e.message));
                    m_held = true;
                    QTimer::singleShot(0, this, &Runner::fetch);
                    return;
                }
                QTimer::singleShot(retryDelayMs(m_claimsRefused++), this, &Runner::fetch);
            });
}

void Runner::runTask(const Task &task, const QueueEntry &entry)
{
    m_task = task;
    m_entry = entry;
    m_output.clear();
    m_pendingLine.clear();
    m_dropped = 0;
    m_cancelled = false;
    m_takenAway = false;
    m_startedReported = false;
    const QStringList argv = m_profile.expand({{u"prompt"_s, task.prompt},
                                               {u"workdir"_s, m_agent.workdir},
                                               {u"task_id"_s, task.id},
                                               {u"agent_id"_s, m_agent.id},
                                               {u"permission_mode"_s, m_agent.permissionMode}});
    say(tr("task %1 (attempt %2 of %3): %4")
            .arg(task.id)
            .arg(task.attempts)
            .arg(task.maxAttempts)
            .arg(task.title.isEmpty() ? task.prompt.left(80) : task.title));
    m_streamJson = std::any_of(
        argv.cbegin(), argv.cend(), [](const QString &a) { return a.contains(u"stream-json"_s); });
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setWorkingDirectory(m_agent.workdir);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProgram(argv.first());
    m_process->setArguments(argv.mid(1));
    connect(m_process, &QProcess::readyRead, this, &Runner::onOutput);
    connect(m_process, &QProcess::finished, this, &Runner::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, &Runner::onProcessError);
    connect(m_process, &QProcess::started, this, [this] {
        m_startedReported = true;
        persist([this, t = m_task->id](RunnerLink &link) {
            return taskCall(link, "start", {{u"task_id"_s, t}});
        });
    });
    m_clock.start();
    m_process->start();
}

QByteArray Runner::renderStreamJsonLine(const QByteArray &line)
{
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.isEmpty())
        return line + '\n';
    const QString type = o.value(u"type").toString();
    QByteArray out;
    if (type == u"assistant"_s) {
        for (const QJsonValue &c : o.value(u"message").toObject().value(u"content").toArray()) {
            const QJsonObject part = c.toObject();
            if (part.value(u"type").toString() == u"text"_s)
                out += part.value(u"text").toString().toUtf8() + '\n';
            else if (part.value(u"type").toString() == u"tool_use"_s)
                out += "\x1b[36m→ " + part.value(u"name").toString().toUtf8() + "\x1b[0m\n";
        }
    } else if (type == u"result"_s) {
        const bool error = o.value(u"is_error").toBool();
        QString summary = error ? tr("✗ the agent reported an error") : tr("✓ done");
        if (o.value(u"total_cost_usd").isDouble())
            summary += tr(", cost $%1").arg(o.value(u"total_cost_usd").toDouble(), 0, 'f', 4);
        if (o.value(u"num_turns").isDouble())
            summary += tr(", %n turn(s)", nullptr, o.value(u"num_turns").toInt());
        out += (error ? "\x1b[31m" : "\x1b[32m") + summary.toUtf8() + "\x1b[0m\n";
    } else if (type == u"system"_s && o.value(u"subtype").toString() == u"init"_s) {
        out += "\x1b[2m"
               + tr("session started (permission mode %1)")
                     .arg(o.value(u"permissionMode").toString())
                     .toUtf8()
               + "\x1b[0m\n";
    } else if (type == u"system"_s && o.value(u"subtype").toString() == u"permission_denied"_s) {
        out += "\x1b[31m" + tr("✗ not permitted: %1").arg(o.value(u"message").toString()).toUtf8()
               + "\x1b[0m\n";
    } else if (type == u"system"_s && o.value(u"subtype").toString() == u"api_retry"_s) {
        out += "\x1b[33m"
               + tr("%1, retry %2 of %3 in %4 s")
                     .arg(Outcome::apiError(o.value(u"error_status").toInt()))
                     .arg(o.value(u"attempt").toInt())
                     .arg(o.value(u"max_retries").toInt())
                     .arg(o.value(u"retry_delay_ms").toDouble() / 1000.0, 0, 'f', 1)
                     .toUtf8()
               + "\x1b[0m\n";
    }
    return out;
}

void Runner::onOutput()
{
    const QByteArray chunk = m_process->readAll();
    if (m_streamJson) {
        m_pendingLine += chunk;
        qsizetype nl;
        while ((nl = m_pendingLine.indexOf('\n')) >= 0) {
            const QByteArray shown = renderStreamJsonLine(m_pendingLine.left(nl).trimmed());
            m_pendingLine.remove(0, nl + 1);
            fwrite(shown.constData(), 1, shown.size(), stdout);
        }
        if (m_pendingLine.size() > 1024 * 1024) { // not JSON lines after all: show it raw
            fwrite(m_pendingLine.constData(), 1, m_pendingLine.size(), stdout);
            m_pendingLine.clear();
        }
    } else {
        fwrite(chunk.constData(), 1, chunk.size(), stdout);
    }
    fflush(stdout);
    m_output += chunk;
    if (m_output.size() > m_options.outputCap) {
        const qsizetype cut = m_output.size() - m_options.outputCap;
        m_dropped += cut;
        m_output.remove(0, cut);
    }
}

QByteArray Runner::capturedOutput() const
{
    if (m_dropped == 0)
        return m_output;
    return tr("[hive: output cut; the first %1 bytes were dropped, the last %2 kept]\n")
               .arg(m_dropped)
               .arg(m_output.size())
               .toUtf8()
           + m_output;
}

void Runner::onProcessError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !m_task)
        return;
    const QString program = m_process->program();
    const QString why = tr("cannot start '%1': %2").arg(program, m_process->errorString());
    say(why);
    m_process->deleteLater();
    m_process = nullptr;
    failWithoutResult(*m_task, why, [this] {
        m_queue->ack(m_entry);
        m_task.reset();
        if (m_stopping)
            QTimer::singleShot(0, this, [this] { Q_EMIT finished(0); });
        else
            QTimer::singleShot(0, this, &Runner::fetch);
    });
}

void Runner::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    onOutput();
    if (!m_pendingLine.isEmpty()) {
        const QByteArray shown
            = m_streamJson ? renderStreamJsonLine(m_pendingLine.trimmed()) : m_pendingLine;
        fwrite(shown.constData(), 1, shown.size(), stdout);
        fflush(stdout);
        m_pendingLine.clear();
    }
    const qint64 duration = m_clock.elapsed();
    m_process->deleteLater();
    m_process = nullptr;
    if (!m_task)
        return;
    TaskResult result;
    result.exitCode = status == QProcess::CrashExit ? -1 : exitCode;
    result.output = QString::fromUtf8(capturedOutput());
    result.durationMs = duration;
    if (const auto stream = m_streamJson ? Outcome::parseStreamJson(m_output) : std::nullopt) {
        result.report = stream->report;
        result.costUsd = stream->costUsd;
    }
    Outcome::Exit exit;
    exit.exitCode = exitCode;
    exit.crashed = status == QProcess::CrashExit;
    exit.cancelled = m_cancelled;
    exit.workdir = m_agent.workdir;
    exit.permissionMode
        = m_agent.permissionMode.isEmpty() ? m_profile.permissionMode : m_agent.permissionMode;
    exit.output = m_output;
    const Outcome::Verdict verdict = Outcome::judge(exit, result.report);
    say(verdict.succeeded ? tr("task %1 succeeded in %2 ms").arg(m_task->id).arg(duration)
                          : tr("task %1: %2").arg(m_task->id, verdict.error));
    if (m_stopping) {
        // Handing back: the task runs again elsewhere, without counting this attempt.
        const Task task = *m_task;
        persist([this, t = task.id](
                    RunnerLink &link) { return taskCall(link, "release", {{u"task_id"_s, t}}); },
                [this](const Change &) {
                    m_queue->ack(m_entry);
                    m_task.reset();
                    Q_EMIT finished(0);
                });
        return;
    }
    if (m_takenAway && !m_cancelled)
        say(tr("task %1 is no longer this agent's: its result is not stored").arg(m_task->id));
    if (!verdict.succeeded && !m_takenAway) {
        if (const auto limit = Outcome::rateLimit(exit, result.report)) {
            finishRateLimited(result, limit->until, limit->reason);
            return;
        }
    }
    // Fenced in PostgreSQL: a task cancelled or taken away meanwhile keeps what it has (only this
    // agent goes idle).
    finishCurrent(result, verdict.succeeded, verdict.error, verdict.retryable);
}

void Runner::finishCurrent(const TaskResult &result,
                           bool succeeded,
                           const QString &error,
                           bool retryable)
{
    const Task task = *m_task;
    auto next = [this] {
        m_queue->ack(m_entry);
        m_task.reset();
        QTimer::singleShot(0, this, &Runner::fetch);
    };
    persist(
        [this, t = task.id, sent = result, succeeded, error, retryable](
            RunnerLink &link) -> Result<Change> {
            // A large output goes first in pieces, all but its last; the finish carries the rest.
            // Each attempt sends them all again (the app may have restarted meanwhile).
            const QString &out = sent.output;
            qsizetype offset = 0;
            qsizetype head = out.size() > kOutputPiece ? out.size() - kOutputPiece : 0;
            if (head > 0 && out.at(head - 1).isHighSurrogate())
                --head;
            while (offset < head) {
                qsizetype n = std::min(kOutputPiece, head - offset);
                if (n > 1 && out.at(offset + n - 1).isHighSurrogate())
                    --n; // a character is never cut in two

                auto piece = link.post(
                    "/api/v1/runners/" + m_agent.id.toLatin1() + "/output",
                    {{u"task_id"_s, t}, {u"offset"_s, offset}, {u"text"_s, out.mid(offset, n)}});
                if (!piece)
                    return std::unexpected(piece.error());
                offset += n;
            }
            TaskResult last = sent;
            last.output = out.mid(head);
            auto done = taskCall(link,
                                 "finish",
                                 {{u"task_id"_s, t},
                                  {u"result"_s, last.toJson()},
                                  {u"succeeded"_s, succeeded},
                                  {u"error"_s, error},
                                  {u"retryable"_s, retryable},
                                  {u"output_offset"_s, head}});
            // The pieces were lost (the app restarted between them and the finish): again.
            if (!done && done.error().code == u"output_incomplete"_s)
                return std::unexpected(
                    Error{Error::Kind::Unavailable, done.error().message, u"app_unreachable"_s});
            return done;
        },
        [next](const Change &) { next(); },
        [this, task, result, succeeded, error, next](const Error &e) {
            // The result cannot be stored: the task ends failed, saying why and how its
            // command ended, rather than staying "running" with its result gone.
            const QString why
                = tr("its result could not be stored (%1); the command %2 after %3 ms%4")
                      .arg(e.message,
                           succeeded ? tr("succeeded")
                                     : tr("failed (exit code %1)").arg(result.exitCode),
                           QString::number(result.durationMs),
                           error.isEmpty() ? QString() : u": "_s + error);
            log()->error("task {}: {}", task.id, why);
            failWithoutResult(task, why, next);
        });
}

void Runner::finishRateLimited(const TaskResult &result,
                               const QDateTime &until,
                               const QString &reason)
{
    const Task task = *m_task;
    say(tr("rate limit (%1): profile %2 paused until %3; task %4 queued again")
            .arg(reason,
                 m_agent.profile,
                 until.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s),
                 task.id));
    persist(
        [this, t = task.id, result, until, reason](RunnerLink &link) {
            return taskCall(link,
                            "rate-limited",
                            {{u"task_id"_s, t},
                             {u"result"_s, result.toJson()},
                             {u"until"_s, until.toUTC().toString(Qt::ISODateWithMs)},
                             {u"reason"_s, reason}});
        },
        [this](const Change &) {
            m_queue->ack(m_entry);
            m_task.reset();
            m_held = true; // the profile is paused now: wait for it before fetching
            QTimer::singleShot(0, this, &Runner::fetch);
        },
        [this, result, reason](const Error &) {
            finishCurrent(result, false, tr("rate limited: %1").arg(reason));
        });
}

// What holds dispatch back for this agent now (a rate-limited profile, the day's budget spent), or
// nothing: asked of the app (POST /api/v1/runners/{id}/hold).
Result<std::optional<DispatchHold>> Runner::dispatchHold()
{
    auto answer = m_link.post("/api/v1/runners/" + m_agent.id.toLatin1() + "/hold", QJsonObject());
    linkUsed();
    if (!answer)
        return std::unexpected(answer.error());
    const QJsonValue h = answer->value(u"hold"_s);
    if (!h.isObject())
        return std::optional<DispatchHold>();
    const QJsonObject o = h.toObject();
    return std::optional<DispatchHold>(
        DispatchHold{o.value(u"code"_s).toString(),
                     o.value(u"message"_s).toString(),
                     QDateTime::fromString(o.value(u"until"_s).toString(), Qt::ISODateWithMs)});
}

bool Runner::waitForHold()
{
    auto hold = dispatchHold();
    if (hold && !*hold) {
        m_held = false;
        say(tr("resuming: nothing holds dispatch back any more"));
        return false;
    }
    // Held (or PostgreSQL cannot say): look again at the hold's end, or in kHoldRecheckMs.
    qint64 ms = kHoldRecheckMs;
    if (hold)
        ms = std::clamp<qint64>(
            QDateTime::currentDateTimeUtc().msecsTo((*hold)->until) + 50, 50, kHoldRecheckMs);
    QTimer::singleShot(int(ms), this, &Runner::fetch);
    return true;
}

void Runner::onControl(const QByteArray &payload)
{
    // A message missed while Redis was away is made up for by the heartbeat's answer.
    const QList<QByteArray> parts = payload.split(' ');
    if (parts.size() == 2 && parts[0] == "cancel" && m_task
        && m_task->id == QString::fromUtf8(parts[1]) && m_process)
        stopCommand(tr("task %1 was cancelled; stopping its command").arg(m_task->id), true);
}

void Runner::stop(const QString &why)
{
    if (m_stopping)
        return;
    m_stopping = true;
    log()->info("stopping: {}", why);
    say(tr("stopping (%1)").arg(why));
    if (m_heartbeat)
        m_heartbeat->stop();
    if (m_process) {
        // onProcessFinished hands the task back and quits.
        m_process->terminate();
        QTimer::singleShot(3000, m_process, [p = m_process] { p->kill(); });
        return;
    }
    // Nothing runs: give the Redis commands in flight a moment, then quit.
    QTimer::singleShot(200, this, [this] { Q_EMIT finished(0); });
}

} // namespace Hive
