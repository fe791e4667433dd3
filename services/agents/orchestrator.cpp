// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/orchestrator.h"
#include "models/validation.h"

#include "services/core/logging.h"
#include "services/core/process.h"
#include "services/queue/queue.h"
#include "services/store/store.h"
#include "services/agents/tmuxcontroller.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QPromise>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log() { return Logging::get("orch"); }

template<typename R>
void fulfil(const std::shared_ptr<QPromise<R>> &promise, R value)
{
    promise->addResult(std::move(value));
    promise->finish();
}

Error invalid(const QString &message)
{
    return Error::invalid(message);
}

// What an agent CLI shows when it waits for the user: permission prompts, yes/no questions, near
// the bottom of the screen and followed by nothing but the choices (or the box around them).
bool looksLikeQuestion(const QString &screen)
{
    static const QRegularExpression question(
        uR"((\(y/n\)|\[y/N\]|\[Y/n\]|\(yes/no\)|Do you want to|Would you like to|Allow .*\?|Approve|Press Enter to|Continue\?|Proceed\?))"_s,
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression choiceOrFrame(uR"(^\s*([❯>]?\s*\d+[.)]\s|[│╭╰─┃└┌|]|Esc |\(esc\))"_s);
    QStringList lines = screen.split(u'\n');
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    const qsizetype from = qMax<qsizetype>(0, lines.size() - 8);
    for (qsizetype i = lines.size() - 1; i >= from; --i) {
        if (!question.match(lines[i]).hasMatch())
            continue;
        for (qsizetype j = i + 1; j < lines.size(); ++j) {
            const QString line = lines[j].trimmed();
            if (!line.isEmpty() && !choiceOrFrame.match(lines[j]).hasMatch())
                return false; // the question was answered: more output came after it
        }
        return true;
    }
    return false;
}
} // namespace

Orchestrator::Orchestrator(const Options &options, Store *store, Queue *queue)
    : m_options(options)
    , m_store(store)
    , m_queue(queue)
{}

Orchestrator::~Orchestrator() = default;

template<typename R, typename F>
QFuture<R> Orchestrator::inThread(F &&f)
{
    auto promise = std::make_shared<QPromise<R>>();
    promise->start();
    QFuture<R> future = promise->future();
    QMetaObject::invokeMethod(this, [promise, f = std::forward<F>(f)]() mutable { f(promise); },
                              Qt::QueuedConnection);
    return future;
}

void Orchestrator::start()
{
    m_running.start();
    m_tmux = new TmuxController(m_options.tmuxSocket, this);
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
    delete m_tmux;
    m_tmux = nullptr;
}

void Orchestrator::publish(const Change &change)
{
    if (change.events.isEmpty() && change.enqueue.isEmpty() && change.stopAgentId.isEmpty())
        return;
    QMetaObject::invokeMethod(m_queue, [q = m_queue, change] { q->apply(change); }, Qt::QueuedConnection);
}

Result<QString> Orchestrator::prepareWorkdir(const SpawnRequest &request, const QString &name)
{
    if (!request.repository.isEmpty()) {
        const QFileInfo repo(request.repository);
        if (!repo.isDir())
            return failure(u"repository: '%1' is not a folder"_s.arg(request.repository));
        const QString git = Process::findExecutable(u"git"_s);
        if (git.isEmpty())
            return failure(u"repository: git is not installed"_s);
        const QString top = repo.absoluteFilePath();
        if (auto r = Process::run(git, {u"-C"_s, top, u"rev-parse"_s, u"--show-toplevel"_s}, 10000); !r)
            return failure(u"repository: '%1' is not a git repository"_s.arg(request.repository));
        const QString path = QDir(m_options.dataDir).filePath(u"workspace/"_s + name);
        if (QFileInfo::exists(path))
            return path; // the worktree of an earlier agent of that name: carry on there
        const QString branch = u"hive/"_s + name;
        auto hasBranch = Process::run(git, {u"-C"_s, top, u"rev-parse"_s, u"--verify"_s, u"--quiet"_s,
                                            u"refs/heads/"_s + branch},
                                      10000);
        QStringList args{u"-C"_s, top, u"worktree"_s, u"add"_s};
        if (hasBranch)
            args << u"--"_s << path << branch;
        else
            args << u"-b"_s << branch << u"--"_s << path;
        if (auto r = Process::run(git, args, 60000); !r)
            return failure(u"repository: could not make a worktree: %1"_s.arg(r.error().message));
        return path;
    }
    if (!request.workdir.isEmpty()) {
        const QFileInfo dir(request.workdir);
        if (!dir.isAbsolute() || !dir.isDir())
            return failure(u"workdir: '%1' is not an existing absolute folder"_s.arg(request.workdir));
        return dir.absoluteFilePath();
    }
    const QString path = QDir(m_options.dataDir).filePath(u"workspace/"_s + name);
    if (!QDir().mkpath(path))
        return failure(u"workdir: cannot create %1"_s.arg(path));
    return path;
}

Result<Agent> Orchestrator::prepareAgent(const SpawnRequest &request, Profile &profile)
{
    if (!Validation::isAgentType(request.type))
        return failure(Error::invalid(u"type: '%1' is not a valid agent type (%2)"_s.arg(request.type, Validation::agentTypeRule())));
    QString name = request.name;
    if (name.isEmpty())
        name = u"%1-%2"_s.arg(request.type).arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QChar(u'0'));
    if (!Validation::isAgentName(name))
        return failure(Error::invalid(u"name: '%1' is not a valid agent name (%2)"_s.arg(name, Validation::agentNameRule())));
    const bool wantInteractive = request.interactive.value_or(false);
    const QString profileName = request.profile.isEmpty() ? Profiles::defaultName(wantInteractive)
                                                          : request.profile;
    auto p = Profiles::load(profileName, m_options.dataDir);
    if (!p)
        return std::unexpected(invalid(p.error().message));
    profile = *p;
    if (request.interactive && *request.interactive != profile.interactive) {
        // A worker runs the profile's command once per task; an interactive agent runs it once.
        if (!*request.interactive && !profile.command.join(u' ').contains(u"{prompt}"_s))
            return std::unexpected(invalid(u"interactive: profile '%1' has no {prompt}, so it cannot run tasks"_s
                                               .arg(profile.name)));
        profile.interactive = *request.interactive;
    }
    auto workdir = prepareWorkdir(request, name);
    if (!workdir)
        return std::unexpected(invalid(workdir.error().message));
    Agent a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.name = name;
    a.type = request.type;
    a.profile = profile.name;
    a.interactive = profile.interactive;
    a.status = Agent::Status::Starting;
    a.tmuxSession = name;
    a.workdir = *workdir;
    return a;
}

QStringList Orchestrator::sessionCommand(const Agent &agent, const Profile &profile) const
{
    if (agent.interactive)
        return profile.expand({{u"workdir"_s, agent.workdir}, {u"agent_id"_s, agent.id}, {u"prompt"_s, QString()},
                               {u"task_id"_s, QString()}});
    return {m_options.runnerPath, u"--agent"_s, agent.id, u"--data-dir"_s, m_options.dataDir};
}

QFuture<Result<Agent>> Orchestrator::spawn(const SpawnRequest &request)
{
    return inThread<Result<Agent>>([this, request](std::shared_ptr<QPromise<Result<Agent>>> promise) {
        Profile profile;
        auto prepared = prepareAgent(request, profile);
        if (!prepared) {
            fulfil(promise, Result<Agent>(std::unexpected(prepared.error())));
            return;
        }
        const Agent agent = *prepared;
        m_spawning.insert(agent.id);
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        m_store->run([agent](Database &db) { return db.insertAgent(agent); })
            .then(this, [this, promise, agent, profile, clock](Result<Change> inserted) {
                log()->debug("spawn {}: stored after {} ms", agent.name, clock->elapsed());
                if (!inserted) {
                    m_spawning.remove(agent.id);
                    fulfil(promise, Result<Agent>(std::unexpected(inserted.error())));
                    return;
                }
                publish(*inserted);
                TmuxController::SessionSpec spec;
                spec.name = agent.tmuxSession;
                spec.command = sessionCommand(agent, profile);
                spec.workdir = agent.workdir;
                spec.env = profile.env;
                spec.env.insert(u"HIVE_AGENT_ID"_s, agent.id);
                spec.env.insert(u"HIVE_AGENT_NAME"_s, agent.name);
                spec.env.insert(u"HIVE_DATA_DIR"_s, m_options.dataDir);
                if (!agent.interactive) {
                    spec.env.insert(u"HIVE_DATABASE_URL"_s, m_options.databaseUrl);
                    spec.env.insert(u"HIVE_REDIS_URL"_s, m_options.redisUrl);
                }
                m_tmux->newSession(spec).then(this, [this, promise, agent, clock](Result<> made) {
                    log()->debug("spawn {}: session after {} ms", agent.name, clock->elapsed());
                    m_spawning.remove(agent.id);
                    if (!made) {
                        const QString why = u"tmux could not start the session: %1"_s.arg(made.error().message);
                        log()->warn("spawn {}: {}", agent.name, why);
                        m_store->run([id = agent.id, why](Database &db) { return db.endAgent(id, Agent::Status::Stopped, why); })
                            .then(this, [this](Result<Change> c) {
                                if (c)
                                    publish(*c);
                            });
                        const bool duplicate = made.error().message.contains(u"duplicate"_s);
                        fulfil(promise, Result<Agent>(failure(duplicate ? Error::conflict(why) : Error::invalid(why))));
                        return;
                    }
                    const QString logFile = QDir(m_options.dataDir).filePath(u"logs/%1.log"_s.arg(agent.name));
                    m_tmux->pipePaneToFile(agent.tmuxSession, logFile);
                    log()->info("spawned {} ({}, {})", agent.name, agent.profile,
                                agent.interactive ? "interactive" : "worker");
                    if (!agent.interactive) {
                        fulfil(promise, Result<Agent>(agent));
                        return;
                    }
                    m_store->run([id = agent.id](Database &db) { return db.setAgentStatus(id, Agent::Status::Idle); })
                        .then(this, [this, promise, agent](Result<Change> c) {
                            Agent a = agent;
                            if (c) {
                                publish(*c);
                                if (c->agent)
                                    a = *c->agent;
                            }
                            fulfil(promise, Result<Agent>(a));
                        });
                });
            });
    });
}

QFuture<Result<>> Orchestrator::kill(const QString &agentId)
{
    return inThread<Result<>>([this, agentId](std::shared_ptr<QPromise<Result<>>> promise) {
        m_store->run([agentId](Database &db) -> Result<std::pair<Agent, Change>> {
                   auto a = db.agent(agentId);
                   if (!a)
                       return std::unexpected(a.error());
                   auto c = db.endAgent(agentId, Agent::Status::Stopped, u"killed"_s);
                   if (!c)
                       return std::unexpected(c.error());
                   return std::pair{*a, *c};
               })
            .then(this, [this, promise](Result<std::pair<Agent, Change>> r) {
                if (!r) {
                    fulfil(promise, Result<>(std::unexpected(r.error())));
                    return;
                }
                const auto &[agent, change] = *r;
                publish(change);
                m_tmux->killSession(agent.tmuxSession).then(this, [this, promise, agent](Result<>) {
                    QMetaObject::invokeMethod(m_queue, [q = m_queue, agent] { q->releaseConsumer(agent.type, agent.id); },
                                              Qt::QueuedConnection);
                    m_paneDigest.remove(agent.id);
                    log()->info("killed {}", agent.name);
                    fulfil(promise, Result<>());
                });
            });
    });
}

QFuture<Result<QString>> Orchestrator::output(const QString &agentId, int lines)
{
    return inThread<Result<QString>>([this, agentId, lines](std::shared_ptr<QPromise<Result<QString>>> promise) {
        m_store->run([agentId](Database &db) { return db.agent(agentId); }).then(this, [this, promise, lines](Result<Agent> a) {
            if (!a) {
                fulfil(promise, Result<QString>(std::unexpected(a.error())));
                return;
            }
            if (!a->isAlive()) {
                fulfil(promise, Result<QString>(std::unexpected(Error::conflict(u"agent %1 is %2"_s.arg(a->name, Agent::statusName(a->status))))));
                return;
            }
            m_tmux->capturePane(a->tmuxSession, lines).then(this, [promise](Result<QString> text) {
                if (!text)
                    fulfil(promise, Result<QString>(std::unexpected(Error::conflict(text.error().message))));
                else
                    fulfil(promise, Result<QString>(*text));
            });
        });
    });
}

QFuture<Result<>> Orchestrator::input(const QString &agentId, const QString &text, bool enter)
{
    return inThread<Result<>>([this, agentId, text, enter](std::shared_ptr<QPromise<Result<>>> promise) {
        m_store->run([agentId](Database &db) { return db.agent(agentId); }).then(this, [this, promise, text, enter](Result<Agent> a) {
            if (!a) {
                fulfil(promise, Result<>(std::unexpected(a.error())));
                return;
            }
            if (!a->isAlive()) {
                fulfil(promise, Result<>(std::unexpected(Error::conflict(u"agent %1 is %2"_s.arg(a->name, Agent::statusName(a->status))))));
                return;
            }
            m_tmux->sendText(a->tmuxSession, text, enter).then(this, [promise](Result<> r) {
                if (!r)
                    fulfil(promise, Result<>(std::unexpected(Error::conflict(r.error().message))));
                else
                    fulfil(promise, Result<>());
            });
        });
    });
}

QFuture<bool> Orchestrator::tmuxAvailable()
{
    return inThread<bool>([this](std::shared_ptr<QPromise<bool>> promise) {
        fulfil(promise, m_tmuxOk && !TmuxController::tmuxBinary().isEmpty());
    });
}

void Orchestrator::reconcile()
{
    if (m_reconciling || !m_tmux)
        return;
    m_reconciling = true;
    m_store->run([](Database &db) { return db.liveAgents(); }).then(this, [this](Result<QList<Agent>> agents) {
        if (!agents) {
            m_reconciling = false; // PostgreSQL unreachable: nothing to compare with; try later
            return;
        }
        m_tmux->listSessions().then(this, [this, agents = *agents](Result<QList<TmuxController::SessionInfo>> sessions) {
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
            QSet<QString> names;
            for (const auto &s : *sessions)
                names.insert(s.name);
            QList<std::pair<Agent, QString>> lost;
            QList<Agent> workers, interactive;
            for (const Agent &a : agents) {
                if (m_spawning.contains(a.id))
                    continue; // its session is being made
                if (!names.contains(a.tmuxSession))
                    lost.append({a, u"its tmux session ended"_s});
                else if (a.interactive)
                    interactive << a;
                else
                    workers << a;
            }
            QStringList ids;
            for (const Agent &a : workers)
                ids << a.id;
            auto finish = [this, lost, interactive](const QList<std::pair<Agent, QString>> &more) {
                endAgents(lost + more);
                watchInteractive(interactive);
                m_reconciling = false;
            };
            QMetaObject::invokeMethod(m_queue, [this, ids, workers, finish] {
                m_queue->liveHeartbeats(ids, [this, workers, finish](std::optional<QSet<QString>> alive) {
                    QList<std::pair<Agent, QString>> expired;
                    // After a restart of the app (and of its PostgreSQL and Redis), runners need a
                    // moment to reconnect before a missing heartbeat means anything.
                    if (alive && m_running.elapsed() > m_options.heartbeatGraceMs) {
                        const QDateTime now = QDateTime::currentDateTimeUtc();
                        for (const Agent &a : workers) {
                            if (alive->contains(a.id))
                                continue;
                            const QDateTime last = a.lastHeartbeat.isValid() ? a.lastHeartbeat : a.createdAt;
                            if (last.msecsTo(now) > m_options.heartbeatGraceMs)
                                expired.append({a, u"its heartbeat expired"_s});
                        }
                    }
                    QMetaObject::invokeMethod(this, [finish, expired] { finish(expired); }, Qt::QueuedConnection);
                });
            }, Qt::QueuedConnection);
        });
    });
}

void Orchestrator::endAgents(const QList<std::pair<Agent, QString>> &lost)
{
    for (const auto &[agent, reason] : lost) {
        log()->warn("agent {} is lost: {}", agent.name, reason);
        m_paneDigest.remove(agent.id);
        m_store->run([id = agent.id, reason](Database &db) { return db.endAgent(id, Agent::Status::Lost, reason); })
            .then(this, [this, agent](Result<Change> c) {
                if (!c)
                    return;
                publish(*c);
                QMetaObject::invokeMethod(m_queue, [q = m_queue, agent] { q->releaseConsumer(agent.type, agent.id); },
                                          Qt::QueuedConnection);
                // A session whose runner stopped beating is stopped, so it cannot write any more.
                m_tmux->killSession(agent.tmuxSession);
            });
    }
}

void Orchestrator::watchInteractive(const QList<Agent> &agents)
{
    for (const Agent &a : agents) {
        m_tmux->capturePane(a.tmuxSession, 60).then(this, [this, a](Result<QString> screen) {
            if (!screen)
                return;
            const QString digest = QString::fromLatin1(
                QCryptographicHash::hash(screen->toUtf8(), QCryptographicHash::Md5).toHex());
            const bool seen = m_paneDigest.contains(a.id);
            const bool changed = seen && m_paneDigest.value(a.id) != digest;
            m_paneDigest.insert(a.id, digest);
            Agent::Status status = Agent::Status::Idle;
            if (looksLikeQuestion(*screen))
                status = Agent::Status::WaitingInput;
            else if (changed)
                status = Agent::Status::Busy;
            if (status == a.status)
                return;
            m_store->run([id = a.id, status](Database &db) { return db.setAgentStatus(id, status); })
                .then(this, [this](Result<Change> c) {
                    if (c)
                        publish(*c);
                });
        });
    }
}

void Orchestrator::rebuildQueue()
{
    m_store->run([](Database &db) -> Result<std::pair<QList<Task>, QList<Agent>>> {
               auto queued = db.queuedTasks();
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
            QMetaObject::invokeMethod(m_queue, [q = m_queue, queued = r->first, live] { q->rebuild(queued, live); },
                                      Qt::QueuedConnection);
        });
}

} // namespace Hive
