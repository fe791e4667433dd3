// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/orchestrator.h"
#include "models/validation.h"

#include "services/agents/claudehooks.h"
#include "services/agents/interactiveagents.h"
#include "services/agents/resources.h"
#include "services/agents/tmuxcontroller.h"
#include "services/agents/workspaces.h"
#include "services/core/async.h"
#include "services/core/logging.h"
#include "services/core/process.h"
#include "services/queue/queue.h"
#include "services/store/store.h"

#include <QDir>
#include <QFileInfo>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>
#include <QUuid>

#include <cerrno>
#include <csignal>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("orch");
}

constexpr int kEnterDelayMs = 150;
// The most queued tasks one rebuild of the queue looks at (the oldest first).
constexpr int kSweepLimit = 10000;
constexpr int kKeyDelayMs
    = 400; // Claude Code's menus missed an Enter 100 ms after a Down, took it 500 ms after

} // namespace

Orchestrator::Orchestrator(const Options &options, Store *store, Queue *queue)
    : m_options(options)
    , m_store(store)
    , m_queue(queue)
{}

Orchestrator::~Orchestrator() = default;

void Orchestrator::start()
{
    m_running.start();
    m_tmux = new TmuxController(m_options.tmuxSocket, this);
    m_interactive
        = new InteractiveAgents(m_store, m_tmux, [this](const Change &c) { publish(c); }, this);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(100);
    connect(m_debounce, &QTimer::timeout, this, &Orchestrator::reconcile);
    connect(m_tmux, &TmuxController::sessionsChanged, m_debounce, qOverload<>(&QTimer::start));
    m_timer = new QTimer(this);
    m_timer->setInterval(m_options.reconcileMs);
    connect(m_timer, &QTimer::timeout, this, &Orchestrator::reconcile);
    m_timer->start();
    QDir().mkpath(QDir(m_options.dataDir).filePath(u"logs"_s));
    QDir().mkpath(QDir(m_options.dataDir).filePath(u"workspace"_s));
    // Adoption: the first reconcile keeps the agents whose sessions survived and ends the others.
    reconcile();
    rebuildQueue();
}

void Orchestrator::stop()
{
    if (m_timer)
        m_timer->stop();
    if (m_debounce)
        m_debounce->stop();
    delete m_interactive;
    m_interactive = nullptr;
    delete m_tmux;
    m_tmux = nullptr;
}

void Orchestrator::publish(const Change &change)
{
    if (change.events.isEmpty() && change.enqueue.isEmpty() && change.stopAgentId.isEmpty())
        return;
    QMetaObject::invokeMethod(
        m_queue, [q = m_queue, change] { q->apply(change); }, Qt::QueuedConnection);
}

Result<Agent> Orchestrator::prepareAgent(const SpawnRequest &request, Profile &profile)
{
    if (!Validation::isAgentType(request.type))
        return failure(Error::invalid(u"type: '%1' is not a valid agent type (%2)"_s.arg(
            request.type, Validation::agentTypeRule())));
    QString name = request.name;
    if (name.isEmpty())
        name = u"%1-%2"_s.arg(request.type)
                   .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QChar(u'0'));
    if (!Validation::isAgentName(name))
        return failure(Error::invalid(
            u"name: '%1' is not a valid agent name (%2)"_s.arg(name, Validation::agentNameRule())));
    const bool wantInteractive = request.interactive.value_or(false);
    const QString profileName
        = request.profile.isEmpty() ? Profiles::defaultName(wantInteractive) : request.profile;
    auto p = Profiles::load(profileName, m_options.dataDir);
    if (!p)
        return failure(Error::invalid(p.error().message));
    profile = *p;
    if (request.interactive && *request.interactive != profile.interactive) {
        // A worker runs the profile's command once per task; an interactive agent runs it once.
        if (!*request.interactive && !profile.command.join(u' ').contains(u"{prompt}"_s))
            return failure(Error::invalid(
                u"interactive: profile '%1' has no {prompt}, so it cannot run tasks"_s.arg(
                    profile.name)));
        profile.interactive = *request.interactive;
    }
    auto mode = Profiles::permissionModeFor(profile, request, m_options.dataDir);
    if (!mode)
        return failure(mode.error());
    profile.permissionMode = *mode; // what sessionCommand() expands {permission_mode} to
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = name;
    a.type = request.type;
    a.profile = profile.name;
    a.interactive = profile.interactive;
    a.status = Agent::Status::Starting;
    a.tmuxSession = name;
    a.permissionMode = *mode;
    a.teamId = request.teamId;
    a.team = request.team;
    if (!request.reviveId.isEmpty())
        a.id = request.reviveId;
    // An interactive Claude agent's conversation has an id of ours from the start (or the one it
    // resumes), so that it can be continued after its session is gone.
    if (a.interactive && ClaudeHooks::isClaude(profile.command))
        a.sessionId = request.resumeSession.isEmpty()
                          ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                          : request.resumeSession;
    return a;
}

Result<QStringList>
Orchestrator::sessionCommand(const Agent &agent, const Profile &profile, bool resume) const
{
    if (!agent.interactive)
        return QStringList{
            m_options.runnerPath, u"--agent"_s, agent.id, u"--data-dir"_s, m_options.dataDir};
    QStringList argv = profile.expand({{u"workdir"_s, agent.workdir},
                                       {u"agent_id"_s, agent.id},
                                       {u"prompt"_s, QString()},
                                       {u"task_id"_s, QString()}});
    if (!agent.sessionId.isEmpty()) {
        auto extra = ClaudeHooks::prepare(
            m_options.dataDir, m_options.runnerPath, agent.id, agent.sessionId, resume);
        if (!extra)
            return failure(extra.error());
        for (qsizetype i = 0; i < extra->size(); ++i)
            argv.insert(1 + i, extra->at(i)); // right after the program, before any "--"
    }
    return argv;
}

// Spawning, step by step, each step in the orchestrator's thread: check (name, profile) → count
// the live agents against --max-agents → the folder (git in the workspaces' pool, not here) → the
// agent's row → its tmux session → (interactive) idle. A refusal before the row changes nothing.
QFuture<Result<Agent>> Orchestrator::spawn(const SpawnRequest &request)
{
    return post(this, [this, request] {
        Profile profile;
        auto agent = prepareAgent(request, profile);
        if (!agent)
            return readyFuture(Result<Agent>(failure(agent.error())));
        if (m_preparing.contains(agent->name))
            return readyFuture(Result<Agent>(failure(
                Error::conflict(u"name: an agent named %1 is being spawned"_s.arg(agent->name)))));
        m_preparing.insert(agent->name);
        return then(this,
                    m_store->run([](Database &db) { return db.liveAgents(); }),
                    [this, agent = *agent, profile, request](const Result<QList<Agent>> &live) {
                        return admit(agent, profile, request, live);
                    });
    });
}

QFuture<Result<Agent>> Orchestrator::admit(const Agent &agent,
                                           const Profile &profile,
                                           const SpawnRequest &request,
                                           const Result<QList<Agent>> &live)
{
    if (!live) {
        m_preparing.remove(agent.name);
        return readyFuture(Result<Agent>(failure(live.error())));
    }
    // The live agents PostgreSQL counted, and those admitted whose rows are not written yet: the
    // count ran in the store's thread before or after each of their inserts, and an insert's
    // answer reaches this thread (spawnSettled) before the answer of a count that ran after it.
    const qsizetype alive = live->size() + m_admitted;
    if (alive >= m_options.maxAgents) {
        m_preparing.remove(agent.name);
        log()->warn(
            "spawn {} refused: {} agents, the limit is {}", agent.name, alive, m_options.maxAgents);
        return readyFuture(Result<Agent>(failure(Error{
            Error::Kind::Conflict,
            u"too many agents: %1 are alive or starting and the limit (--max-agents) is %2; kill "
            "one first, or start Agent Hive with a higher --max-agents"_s.arg(alive)
                .arg(m_options.maxAgents),
            u"agent_limit"_s})));
    }
    if (auto refused = hostLimits(agent, *live)) {
        m_preparing.remove(agent.name);
        log()->warn("spawn {} refused: {}", agent.name, refused->message);
        return readyFuture(Result<Agent>(failure(*refused)));
    }
    ++m_admitted;
    ++m_admittedByType[agent.type];
    const bool resume = !request.resumeSession.isEmpty();
    const bool revive = !request.reviveId.isEmpty();
    return then(this,
                Workspaces(m_options.dataDir).prepare(request, agent.name),
                [this, agent, profile, resume, revive](const Result<QString> &workdir) {
                    return place(agent, profile, resume, revive, workdir);
                });
}

QFuture<Result<Agent>> Orchestrator::place(
    Agent agent, const Profile &profile, bool resume, bool revive, const Result<QString> &workdir)
{
    if (!workdir) {
        spawnSettled(agent);
        return readyFuture(Result<Agent>(failure(workdir.error())));
    }
    agent.workdir = *workdir;
    m_spawning.insert(agent.id);
    return then(this,
                m_store->run([a = agent, revive](Database &db) {
                    return revive ? db.reviveAgent(a) : db.insertAgent(a);
                }),
                [this, agent, profile, resume](Result<Change> inserted) {
                    spawnSettled(agent);
                    return startSession(agent, profile, resume, inserted);
                });
}

std::optional<Error> Orchestrator::hostLimits(const Agent &agent, const QList<Agent> &live) const
{
    const auto cap = m_options.maxAgentsPerType.constFind(agent.type);
    if (cap != m_options.maxAgentsPerType.cend()) {
        const qsizetype ofType = std::count_if(live.cbegin(),
                                               live.cend(),
                                               [&](const Agent &a) { return a.type == agent.type; })
                                 + m_admittedByType.value(agent.type);
        if (ofType >= *cap)
            return Error{
                Error::Kind::Conflict,
                u"too many agents of type %1: %2 are alive or starting and the limit "
                "(--max-agents-per-type %1=%3) is %3; kill one first, or raise it"_s.arg(agent.type)
                    .arg(ofType)
                    .arg(*cap),
                u"agent_type_limit"_s};
    }
    if (m_options.minFreeMemoryBytes > 0) {
        const auto available = ResourceSampler::availableMemory();
        if (available && *available < m_options.minFreeMemoryBytes)
            return Error{Error::Kind::Conflict,
                         u"not enough free memory: %1 MiB available, a spawn needs at least %2 "
                         "MiB (--min-free-memory-mb; 0 turns the guard off)"_s
                             .arg(*available / (1024 * 1024))
                             .arg(m_options.minFreeMemoryBytes / (1024 * 1024)),
                         u"low_memory"_s};
    }
    return std::nullopt;
}

void Orchestrator::spawnSettled(const Agent &agent)
{
    --m_admitted;
    if (--m_admittedByType[agent.type] <= 0)
        m_admittedByType.remove(agent.type);
    m_preparing.remove(agent.name);
}

QFuture<Result<Agent>> Orchestrator::startSession(const Agent &agent,
                                                  const Profile &profile,
                                                  bool resume,
                                                  const Result<Change> &inserted)
{
    if (!inserted) {
        m_spawning.remove(agent.id);
        return readyFuture(Result<Agent>(failure(inserted.error())));
    }
    publish(*inserted);
    auto command = sessionCommand(agent, profile, resume);
    if (!command)
        return sessionStarted(agent, failure(command.error()));
    TmuxController::SessionSpec spec;
    spec.name = agent.tmuxSession;
    spec.command = *command;
    spec.workdir = agent.workdir;
    spec.env = profile.env;
    spec.env.insert(u"HIVE_AGENT_ID"_s, agent.id);
    spec.env.insert(u"HIVE_AGENT_NAME"_s, agent.name);
    spec.env.insert(u"HIVE_DATA_DIR"_s, m_options.dataDir);
    // The runner reaches PostgreSQL only through the app (its API): it is not told where it is.
    if (!agent.interactive)
        spec.env.insert(u"HIVE_REDIS_URL"_s, m_options.redisUrl);
    return then(this, m_tmux->newSession(spec), [this, agent](Result<> made) {
        return sessionStarted(agent, made);
    });
}

QFuture<Result<Agent>> Orchestrator::sessionStarted(const Agent &agent, const Result<> &made)
{
    m_spawning.remove(agent.id);
    // Known from the start (the reconcile keeps it current): a session killed from outside before
    // any reconcile saw it still has its process group waited for.
    if (made)
        if (const qint64 pid = m_tmux->takeStartedPanePid(agent.tmuxSession); pid > 0)
            m_panePids.insert(agent.id, pid);
    if (!made) {
        const QString why = u"tmux could not start the session: %1"_s.arg(made.error().message);
        log()->warn("spawn {}: {}", agent.name, why);
        m_store
            ->run([id = agent.id, why](Database &db) {
                return db.endAgent(id, Agent::Status::Stopped, why);
            })
            .then(this, [this](Result<Change> c) {
                if (c)
                    publish(*c);
            });
        const bool duplicate = made.error().message.contains(u"duplicate"_s);
        return readyFuture(
            Result<Agent>(failure(duplicate ? Error::conflict(why) : Error::invalid(why))));
    }
    m_tmux->pipePaneToFile(agent.tmuxSession,
                           QDir(m_options.dataDir).filePath(u"logs/%1.log"_s.arg(agent.name)));
    log()->info("spawned {} ({}, {})",
                agent.name,
                agent.profile,
                agent.interactive ? "interactive" : "worker");
    if (!agent.interactive)
        return readyFuture(Result<Agent>(agent)); // its runner reports idle once it is ready
    if (!agent.sessionId.isEmpty()) {
        // Claude Code says itself when it is ready (its SessionStart hook), or the pane shows what
        // it asks first: until then it is starting.
        m_interactive->add(agent);
        return readyFuture(Result<Agent>(agent));
    }
    Agent idle = agent;
    idle.status = Agent::Status::Idle;
    m_interactive->add(idle);
    return m_store
        ->run([id = agent.id](Database &db) { return db.setAgentStatus(id, Agent::Status::Idle); })
        .then(this, [this, agent](Result<Change> c) {
            if (!c)
                return Result<Agent>(agent);
            publish(*c);
            return Result<Agent>(c->agent.value_or(agent));
        });
}

// Killing: its session goes, and the runner with everything it started is confirmed gone (a
// runner hands its task back itself as it stops) → the agent's row ends (a task still held is
// queued again) → its queue entries are released. In that order, so that no other agent can start
// the task while the old command still runs.
QFuture<Result<>> Orchestrator::kill(const QString &agentId)
{
    return end(agentId, u"killed"_s);
}

QFuture<Result<>> Orchestrator::end(const QString &agentId, const QString &reason)
{
    return post(this, [this, agentId, reason] {
        auto found = m_store->run([agentId](Database &db) { return db.agent(agentId); });
        return then(this, found, [this, reason](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<>(failure(a.error())));
            const Agent agent = *a;
            m_ending.insert(agent.id); // reconcile must not take it for lost meanwhile
            return then(this, endSession(agent, 0), [this, agent, reason](const Result<> &gone) {
                if (!gone) {
                    m_ending.remove(agent.id);
                    return readyFuture(Result<>(failure(Error::unavailable(
                        u"agent %1: %2"_s.arg(agent.name, gone.error().message)))));
                }
                return m_store
                    ->run([id = agent.id, reason](Database &db) {
                        return db.endAgent(id, Agent::Status::Stopped, reason);
                    })
                    .then(this, [this, agent, reason](const Result<Change> &c) -> Result<> {
                        m_ending.remove(agent.id);
                        m_interactive->forget(agent.id);
                        if (!c)
                            return failure(c.error());
                        agentEnded(agent, *c);
                        log()->info("{} {}", reason, agent.name);
                        return {};
                    });
            });
        });
    });
}

void Orchestrator::agentEnded(const Agent &agent, const Change &change)
{
    publish(change);
    m_panePids.remove(agent.id);
    QStringList queuedAgain;
    for (const Task &t : change.enqueue)
        queuedAgain << t.id;
    QMetaObject::invokeMethod(
        m_queue,
        [q = m_queue, agent, queuedAgain] {
            q->releaseConsumer(agent.type, agent.id, queuedAgain);
        },
        Qt::QueuedConnection);
}

QFuture<Result<>> Orchestrator::endSession(const Agent &agent, qint64 lastKnownPid)
{
    return then(
        this,
        m_tmux->listSessions(),
        [this, agent, lastKnownPid](const Result<QList<TmuxController::SessionInfo>> &sessions) {
            if (!sessions)
                return readyFuture(
                    Result<>(failure(u"cannot tell whether its session is gone: %1"_s.arg(
                        sessions.error().message))));
            for (const auto &s : *sessions) {
                if (s.name != agent.tmuxSession)
                    continue;
                const qint64 pid = s.panePid;
                return then(this,
                            m_tmux->killSession(agent.tmuxSession),
                            [this, pid](const Result<> &) { return waitGone(pid); });
            }
            // The session is gone already; what it ran may still be stopping. Its pid is the last
            // reconcile's, seconds old: still the pane's process group, killed as above if need be.
            return waitGone(lastKnownPid);
        });
}

namespace {
// Whether the process, or any process of the group it leads (what it started), still exists.
bool groupAlive(qint64 pid)
{
    const auto alive = [](pid_t p) {
        return ::kill(p, 0) == 0 || errno == EPERM;
    };
    return alive(-static_cast<pid_t>(pid)) || alive(static_cast<pid_t>(pid));
}
} // namespace

QFuture<Result<>> Orchestrator::waitGone(qint64 pid)
{
    auto promise = std::make_shared<QPromise<Result<>>>();
    promise->start();
    QFuture<Result<>> future = promise->future();
    if (pid <= 0 || !groupAlive(pid)) {
        promise->addResult(Result<>());
        promise->finish();
        return future;
    }
    auto *timer = new QTimer(this);
    timer->setInterval(50);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    auto killed = std::make_shared<bool>(false);
    const int graceMs = m_options.stopGraceMs;
    connect(timer, &QTimer::timeout, this, [promise, timer, clock, killed, pid, graceMs] {
        const auto done = [&] {
            promise->addResult(Result<>());
            promise->finish();
            timer->stop();
            timer->deleteLater();
        };
        if (!groupAlive(pid)) {
            done();
        } else if (clock->elapsed() > graceMs && !*killed) {
            // Its session is gone, yet it still runs: ended the hard way.
            log()->warn("process group {} still runs {} ms after its session ended; killing it",
                        pid,
                        graceMs);
            ::kill(-static_cast<pid_t>(pid), SIGKILL);
            ::kill(static_cast<pid_t>(pid), SIGKILL);
            *killed = true;
        } else if (clock->elapsed() > graceMs + 5000) {
            // Nothing more can be done (a process in uninterruptible sleep): go on.
            log()->error("process group {} outlived SIGKILL by 5 s", pid);
            done();
        }
    });
    timer->start();
    return future;
}

QFuture<Result<Agent>> Orchestrator::liveAgent(const QString &agentId)
{
    return m_store->run([agentId](Database &db) -> Result<Agent> {
        auto a = db.agent(agentId);
        if (a && !a->isAlive())
            return failure(
                Error::conflict(u"agent %1 is %2"_s.arg(a->name, Agent::statusName(a->status))));
        return a;
    });
}

QFuture<Result<QString>> Orchestrator::output(const QString &agentId, int lines)
{
    return post(this, [this, agentId, lines] {
        return then(this, liveAgent(agentId), [this, lines](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<QString>(failure(a.error())));
            return m_tmux->capturePane(a->tmuxSession, lines).then([](Result<QString> text) {
                return text ? text
                            : Result<QString>(failure(Error::conflict(text.error().message)));
            });
        });
    });
}

QFuture<Result<InputAck>> Orchestrator::input(const QString &agentId, const InputRequest &request)
{
    return post(this, [this, agentId, request] {
        return then(this, liveAgent(agentId), [this, request](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<InputAck>(failure(a.error())));
            // Listen for the acknowledgement before typing, so that a fast one is not missed.
            // Only a prompt (text, then Enter) is acknowledged; keys answer menus, which have no
            // hook.
            auto accepted = request.enter && !request.text.isEmpty()
                                ? m_interactive->promptAccepted(*a, request.ackTimeoutMs)
                                : QtFuture::makeReadyValueFuture(std::optional<bool>());
            // Enter comes a moment after the text: CLIs that read their terminal in raw mode
            // (Claude Code's Ink) take text and an Enter that arrive together for a paste, and the
            // Enter becomes a newline in the prompt instead of sending it.
            QStringList keys = request.keys;
            if (request.enter)
                keys.prepend(u"Enter"_s);
            QFuture<Result<>> typed = request.text.isEmpty()
                                          ? QtFuture::makeReadyValueFuture(Result<>())
                                          : m_tmux->sendText(a->tmuxSession, request.text, false);
            return then(
                this,
                typed,
                [this, a = *a, keys, accepted, pause = !request.text.isEmpty()](Result<> r) {
                    if (!r)
                        return readyFuture(
                            Result<InputAck>(failure(Error::conflict(r.error().message))));
                    auto pressed
                        = keys.isEmpty()
                              ? QtFuture::makeReadyValueFuture(Result<>())
                              : then(this, delay(this, pause ? kEnterDelayMs : 0), [this, a, keys] {
                                    return pressKeys(a.tmuxSession, keys);
                                });
                    return then(this, pressed, [accepted](Result<> k) {
                        if (!k)
                            return readyFuture(
                                Result<InputAck>(failure(Error::conflict(k.error().message))));
                        auto ack = accepted; // the capture is const
                        return ack.then(
                            [](std::optional<bool> ok) { return Result<InputAck>(InputAck{ok}); });
                    });
                });
        });
    });
}

// One key at a time, a moment apart, as a person types: keys that arrive together (Down, then
// Enter) are read as one escape sequence or a paste by CLIs in raw mode, and a menu ignores them.
QFuture<Result<>> Orchestrator::pressKeys(const QString &session, QStringList keys)
{
    if (keys.isEmpty())
        return QtFuture::makeReadyValueFuture(Result<>());
    const QString key = keys.takeFirst();
    log()->debug("pressing {} in {}", key, session);
    return then(this, m_tmux->sendKeys(session, {key}), [this, session, keys](Result<> r) {
        if (!r || keys.isEmpty())
            return QtFuture::makeReadyValueFuture(r);
        return then(this, delay(this, kKeyDelayMs), [this, session, keys] {
            return pressKeys(session, keys);
        });
    });
}

QFuture<Result<>> Orchestrator::hook(const QString &agentId, const QJsonObject &payload)
{
    return post(this, [this, agentId, payload] {
        return liveAgent(agentId).then(
            this, [this, agentId, payload](const Result<Agent> &a) -> Result<> {
                if (!a)
                    return failure(a.error());
                m_interactive->onHook(agentId, payload);
                return {};
            });
    });
}

QFuture<Result<Agent>> Orchestrator::restart(const QString &agentId)
{
    return post(this, [this, agentId] {
        auto found = m_store->run([agentId](Database &db) { return db.agent(agentId); });
        return then(this, found, [this](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<Agent>(failure(a.error())));
            SpawnRequest r;
            r.type = a->type;
            r.name = a->name;
            r.profile = a->profile;
            r.workdir = a->workdir;
            r.interactive = a->interactive;
            r.permissionMode = a->permissionMode;
            r.resumeSession = a->sessionId; // the conversation goes on (--resume)
            r.teamId = a->teamId;
            r.team = a->team;
            if (!a->isAlive())
                return spawn(r);
            return then(this, kill(a->id), [this, r](const Result<> &killed) {
                return killed ? spawn(r) : readyFuture(Result<Agent>(failure(killed.error())));
            });
        });
    });
}

QFuture<Result<Agent>> Orchestrator::setPaused(const QString &agentId, bool paused)
{
    return post(this, [this, agentId, paused] {
        return then(this, liveAgent(agentId), [this, agentId, paused](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<Agent>(failure(a.error())));
            if (a->interactive)
                return readyFuture(Result<Agent>(failure(Error::conflict(
                    u"agent %1 is interactive: it takes no tasks from the queue, so there is "
                    "nothing to pause (stop it to free its memory)"_s.arg(a->name)))));
            return m_store
                ->run(
                    [agentId, paused](Database &db) { return db.setAgentPaused(agentId, paused); })
                .then(this, [this, agent = *a](const Result<Change> &c) -> Result<Agent> {
                    if (!c)
                        return failure(c.error());
                    publish(*c);
                    log()->info(
                        "{} {}", c->agent && c->agent->paused ? "paused" : "resumed", agent.name);
                    return c->agent.value_or(agent);
                });
        });
    });
}

QFuture<Result<Agent>> Orchestrator::stopAgent(const QString &agentId, const QString &reason)
{
    return post(this, [this, agentId, reason] {
        return then(this, liveAgent(agentId), [this, agentId, reason](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<Agent>(failure(a.error())));
            if (a->status == Agent::Status::Busy || !a->currentTaskId.isEmpty())
                return readyFuture(Result<Agent>(failure(Error::conflict(
                    a->currentTaskId.isEmpty()
                        ? u"agent %1 is busy: stop it once it is idle, or kill it"_s.arg(a->name)
                        : u"agent %1 is busy with task %2: pause it and stop it once it is idle, "
                          "or kill it (the task goes back to the queue)"_s.arg(
                              a->name, a->currentTaskId)))));
            return then(this,
                        end(agentId, reason.isEmpty() ? u"stopped"_s : reason),
                        [this, agentId](const Result<> &ended) {
                            if (!ended)
                                return readyFuture(Result<Agent>(failure(ended.error())));
                            return m_store->run(
                                [agentId](Database &db) { return db.agent(agentId); });
                        });
        });
    });
}

QFuture<Result<Agent>> Orchestrator::startAgent(const QString &agentId)
{
    return post(this, [this, agentId] {
        auto found = m_store->run([agentId](Database &db) { return db.agent(agentId); });
        return then(this, found, [this](const Result<Agent> &a) {
            if (!a)
                return readyFuture(Result<Agent>(failure(a.error())));
            if (a->isAlive())
                return readyFuture(Result<Agent>(
                    failure(Error::conflict(u"agent %1 is %2: only a stopped agent starts"_s.arg(
                        a->name, Agent::statusName(a->status))))));
            if (!QFileInfo(a->workdir).isDir())
                return readyFuture(Result<Agent>(failure(Error::conflict(
                    u"agent %1: its folder %2 is gone"_s.arg(a->name, a->workdir)))));
            SpawnRequest r;
            r.type = a->type;
            r.name = a->name;
            r.profile = a->profile;
            r.workdir = a->workdir;
            r.interactive = a->interactive;
            r.permissionMode = a->permissionMode;
            r.resumeSession = a->sessionId; // the conversation goes on (--resume)
            r.reviveId = a->id;
            r.teamId = a->teamId;
            r.team = a->team;
            return spawn(r);
        });
    });
}

void Orchestrator::setIdleStopMs(int ms)
{
    QMetaObject::invokeMethod(this, [this, ms] {
        m_options.idleStopMs = ms;
        m_idleSince.clear();
    });
}

// The idle timeout: an interactive agent seen idle at every reconcile for idleStopMs is stopped.
void Orchestrator::stopIdle(const QList<Agent> &interactive)
{
    if (m_options.idleStopMs <= 0) {
        m_idleSince.clear();
        return;
    }
    QHash<QString, qint64> seen;
    const qint64 now = m_running.elapsed();
    for (const Agent &a : interactive) {
        if (a.status != Agent::Status::Idle)
            continue;
        const qint64 since = m_idleSince.value(a.id, now);
        if (now - since < m_options.idleStopMs) {
            seen.insert(a.id, since);
            continue;
        }
        const QString why = u"stopped: idle for %1 s (its conversation and folder are kept)"_s.arg(
            (now - since) / 1000);
        log()->info("{}: {}", a.name, why);
        stopAgent(a.id, why).then(this, [name = a.name](const Result<Agent> &r) {
            if (!r)
                log()->warn("idle {} not stopped: {}", name, r.error().message);
        });
    }
    m_idleSince = seen;
}

QFuture<bool> Orchestrator::tmuxAvailable()
{
    return post(this, [this] { return m_tmuxOk && !TmuxController::tmuxBinary().isEmpty(); });
}

void Orchestrator::reconcile()
{
    if (m_reconciling || !m_tmux)
        return;
    m_reconciling = true;
    m_store->run([](Database &db) { return db.liveAgents(); })
        .then(this, [this](Result<QList<Agent>> agents) {
            if (!agents) {
                m_reconciling = false; // PostgreSQL unreachable: nothing to compare with; try later
                return;
            }
            m_tmux->listSessions().then(
                this,
                [this, agents = *agents](Result<QList<TmuxController::SessionInfo>> sessions) {
                    const bool ok = sessions.has_value();
                    if (ok != m_tmuxOk) {
                        m_tmuxOk = ok;
                        Q_EMIT tmuxHealthChanged(ok);
                    }
                    if (!sessions) {
                        log()->warn("tmux: {}", sessions.error());
                        m_reconciling = false;
                        return;
                    }
                    QHash<QString, qint64> names; // session → pane pid
                    for (const auto &s : *sessions)
                        names.insert(s.name, s.panePid);
                    QList<std::pair<Agent, QString>> lost;
                    QList<Agent> workers, interactive;
                    for (const Agent &a : agents) {
                        if (m_spawning.contains(a.id) || m_ending.contains(a.id))
                            continue; // its session is being made, or it is being ended
                        // A runner on another host (RunnerController::join): no session here,
                        // judged by its heartbeat alone.
                        if (a.tmuxSession.startsWith(u'@')) {
                            workers << a;
                            continue;
                        }
                        if (!names.contains(a.tmuxSession)) {
                            lost.append({a, u"its tmux session ended"_s});
                            continue;
                        }
                        m_panePids.insert(a.id, names.value(a.tmuxSession));
                        if (a.interactive)
                            interactive << a;
                        else
                            workers << a;
                    }
                    QStringList ids;
                    for (const Agent &a : workers)
                        ids << a.id;
                    auto finish
                        = [this, lost, interactive](const QList<std::pair<Agent, QString>> &more) {
                              endAgents(lost + more);
                              m_interactive->track(interactive);
                              stopIdle(interactive);
                              m_reconciling = false;
                          };
                    QMetaObject::invokeMethod(
                        m_queue,
                        [this, ids, workers, finish] {
                            m_queue->liveHeartbeats(
                                ids, [this, workers, finish](std::optional<QSet<QString>> alive) {
                                    QList<std::pair<Agent, QString>> expired;
                                    // After a restart of the app (and of its PostgreSQL and Redis),
                                    // runners need a moment to reconnect before a missing heartbeat
                                    // means anything.
                                    if (alive && m_running.elapsed() > m_options.heartbeatGraceMs) {
                                        const QDateTime now = QDateTime::currentDateTimeUtc();
                                        for (const Agent &a : workers) {
                                            if (alive->contains(a.id))
                                                continue;
                                            const QDateTime last = a.lastHeartbeat.isValid()
                                                                       ? a.lastHeartbeat
                                                                       : a.createdAt;
                                            if (last.msecsTo(now) > m_options.heartbeatGraceMs)
                                                expired.append({a, u"its heartbeat expired"_s});
                                        }
                                    }
                                    QMetaObject::invokeMethod(
                                        this,
                                        [finish, expired] { finish(expired); },
                                        Qt::QueuedConnection);
                                });
                        },
                        Qt::QueuedConnection);
                });
        });
}

// A lost agent ends as a killed one does: its session (if any is left) goes and what it ran is
// confirmed gone before its task is queued again.
void Orchestrator::endAgents(const QList<std::pair<Agent, QString>> &lost)
{
    for (const auto &[agent, reason] : lost) {
        if (m_ending.contains(agent.id))
            continue;
        m_ending.insert(agent.id);
        log()->warn("agent {} is lost: {}", agent.name, reason);
        m_interactive->forget(agent.id);
        then(this,
             endSession(agent, m_panePids.value(agent.id)),
             [this, agent, reason](const Result<> &gone) {
                 if (!gone) {
                     // Judged again at the next reconcile.
                     log()->warn("agent {}: {}", agent.name, gone.error().message);
                     m_ending.remove(agent.id);
                     return readyFuture(Result<Change>(failure(gone.error())));
                 }
                 return m_store->run([id = agent.id, reason](Database &db) {
                     return db.endAgent(id, Agent::Status::Lost, reason);
                 });
             })
            .then(this, [this, agent](const Result<Change> &c) {
                m_ending.remove(agent.id);
                if (c)
                    agentEnded(agent, *c);
            });
    }
}

void Orchestrator::rebuildQueue()
{
    m_store
        ->run([](Database &db) -> Result<std::pair<QList<Task>, QList<Agent>>> {
            auto queued = db.queuedTaskKeys(kSweepLimit);
            if (!queued)
                return std::unexpected(queued.error());
            auto live = db.liveAgents();
            if (!live)
                return std::unexpected(live.error());
            return std::pair{*queued, *live};
        })
        .then(this, [this](Result<std::pair<QList<Task>, QList<Agent>>> r) {
            if (!r)
                return;
            QSet<QString> live;
            for (const Agent &a : r->second)
                live.insert(a.id);
            QMetaObject::invokeMethod(
                m_queue,
                [q = m_queue, queued = r->first, live] { q->rebuild(queued, live); },
                Qt::QueuedConnection);
        });
}

} // namespace Hive
