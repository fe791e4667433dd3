// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Team templates (reading and checking them) and teams: spawned together, stopped together.
#include "services/agents/teams.h"

#include "models/validation.h"
#include "services/agents/orchestrator.h"
#include "services/agents/profiles.h"
#include "services/core/async.h"
#include "services/core/logging.h"
#include "services/store/store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {
auto log()
{
    return Logging::get("teams");
}

Error invalid(const QString &field, const QString &why)
{
    return Error::invalid(u"%1: %2"_s.arg(field, why));
}

// Fields a JSON object may have: anything else is named as unknown (a typo must not pass).
std::optional<Error>
unknownField(const QJsonObject &o, const QString &where, const QStringList &known)
{
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        if (!known.contains(it.key()))
            return invalid(where + it.key(),
                           u"unknown field (known: %1)"_s.arg(known.join(u", "_s)));
    return std::nullopt;
}

Result<QString> optionalString(const QJsonObject &o, const QString &key, const QString &field)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return QString();
    if (!v.isString())
        return failure(invalid(field, u"must be a string"_s));
    return v.toString();
}
} // namespace

int TeamTemplate::agentCount() const
{
    int n = 0;
    for (const TeamRole &r : roles)
        n += r.count;
    return n;
}

QJsonObject TeamTemplate::toJson() const
{
    QJsonArray rs;
    for (const TeamRole &r : roles) {
        QJsonObject o{{u"role"_s, r.role},
                      {u"type"_s, r.type},
                      {u"count"_s, r.count},
                      {u"interactive"_s, r.interactive}};
        o.insert(u"profile"_s,
                 r.profile.isEmpty() ? Profiles::defaultName(r.interactive) : r.profile);
        if (!r.permissionMode.isEmpty())
            o.insert(u"permission_mode"_s, r.permissionMode);
        rs.append(o);
    }
    QJsonObject o{{u"name"_s, name},
                  {u"description"_s, description},
                  {u"roles"_s, rs},
                  {u"builtin"_s, builtin}};
    if (!repository.isEmpty())
        o.insert(u"repository"_s, repository);
    return o;
}

Result<TeamTemplate> TeamTemplate::fromJson(const QJsonObject &o)
{
    if (auto e = unknownField(
            o, {}, {u"name"_s, u"description"_s, u"repository"_s, u"roles"_s, u"builtin"_s}))
        return failure(*e);
    TeamTemplate t;
    auto name = optionalString(o, u"name"_s, u"name"_s);
    auto description = optionalString(o, u"description"_s, u"description"_s);
    auto repository = optionalString(o, u"repository"_s, u"repository"_s);
    for (const auto *r : {&name, &description, &repository})
        if (!*r)
            return failure(r->error());
    t.name = *name;
    t.description = *description;
    t.repository = *repository;
    if (!t.name.isEmpty() && !Validation::isFileName(t.name))
        return failure(invalid(u"name"_s,
                               u"'%1' is not a valid template name (%2)"_s.arg(
                                   t.name.left(80), Validation::fileNameRule())));
    if (!t.repository.isEmpty() && !QDir::isAbsolutePath(t.repository))
        return failure(invalid(u"repository"_s, u"must be an absolute path"_s));
    const QJsonValue roles = o.value(u"roles"_s);
    if (roles.isUndefined())
        return failure(invalid(u"roles"_s, u"required, a list of roles"_s));
    if (!roles.isArray())
        return failure(invalid(u"roles"_s, u"must be a list of roles"_s));
    const QJsonArray list = roles.toArray();
    if (list.isEmpty() || list.size() > kMaxRoles)
        return failure(
            invalid(u"roles"_s, u"1 to %1 roles, got %2"_s.arg(kMaxRoles).arg(list.size())));
    QStringList seen;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString at = u"roles[%1]"_s.arg(i);
        if (!list.at(i).isObject())
            return failure(invalid(at, u"must be an object"_s));
        const QJsonObject r = list.at(i).toObject();
        if (auto e = unknownField(r,
                                  at + u"."_s,
                                  {u"role"_s,
                                   u"type"_s,
                                   u"profile"_s,
                                   u"count"_s,
                                   u"interactive"_s,
                                   u"permission_mode"_s}))
            return failure(*e);
        TeamRole role;
        auto roleName = optionalString(r, u"role"_s, at + u".role"_s);
        auto type = optionalString(r, u"type"_s, at + u".type"_s);
        auto profile = optionalString(r, u"profile"_s, at + u".profile"_s);
        auto mode = optionalString(r, u"permission_mode"_s, at + u".permission_mode"_s);
        for (const auto *s : {&roleName, &type, &profile, &mode})
            if (!*s)
                return failure(s->error());
        role.type = *type;
        role.role = roleName->isEmpty() ? role.type : *roleName;
        role.profile = *profile;
        role.permissionMode = *mode;
        if (role.type.isEmpty())
            return failure(
                invalid(at + u".type"_s, u"required, the agents' type (e.g. \"dev\")"_s));
        if (!Validation::isAgentType(role.type))
            return failure(invalid(at + u".type"_s,
                                   u"'%1' is not a valid agent type (%2)"_s.arg(
                                       role.type.left(80), Validation::agentTypeRule())));
        if (!Validation::isAgentType(role.role))
            return failure(invalid(at + u".role"_s,
                                   u"'%1' is not a valid role name (%2)"_s.arg(
                                       role.role.left(80), Validation::agentTypeRule())));
        if (seen.contains(role.role))
            return failure(invalid(at + u".role"_s,
                                   u"'%1' is there twice: roles name the agents"_s.arg(role.role)));
        seen << role.role;
        if (!role.profile.isEmpty() && !Validation::isFileName(role.profile))
            return failure(invalid(at + u".profile"_s,
                                   u"'%1' is not a valid profile name (%2)"_s.arg(
                                       role.profile.left(80), Validation::fileNameRule())));
        if (!role.permissionMode.isEmpty()
            && !Profiles::permissionModes().contains(role.permissionMode))
            return failure(
                invalid(at + u".permission_mode"_s,
                        u"'%1' is not one of %2"_s.arg(role.permissionMode.left(80),
                                                       Profiles::permissionModes().join(u", "_s))));
        const QJsonValue count = r.value(u"count"_s);
        if (!count.isUndefined()) {
            const double c = count.toDouble(-1);
            if (!count.isDouble() || c != double(int(c)) || c < 1 || c > kMaxCount)
                return failure(invalid(at + u".count"_s,
                                       u"must be a whole number from 1 to %1"_s.arg(kMaxCount)));
            role.count = int(c);
        }
        const QJsonValue interactive = r.value(u"interactive"_s);
        if (!interactive.isUndefined()) {
            if (!interactive.isBool())
                return failure(invalid(at + u".interactive"_s, u"must be true or false"_s));
            role.interactive = interactive.toBool();
        }
        t.roles << role;
    }
    if (t.agentCount() > kMaxAgents)
        return failure(invalid(
            u"roles"_s,
            u"%1 agents in all; a team has at most %2"_s.arg(t.agentCount()).arg(kMaxAgents)));
    return t;
}

bool Team::isAlive() const
{
    for (const Agent &a : agents)
        if (a.isAlive())
            return true;
    return false;
}

QJsonObject Team::toJson() const
{
    QJsonArray list;
    for (const Agent &a : agents)
        list.append(a.toJson());
    return QJsonObject{
        {u"id"_s, id}, {u"name"_s, name}, {u"alive"_s, isAlive()}, {u"agents"_s, list}};
}

QStringList Teams::userDirs(const QString &dataDir)
{
    QStringList dirs;
    const QString config = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    if (!config.isEmpty())
        dirs << QDir(config).filePath(u"teams"_s);
    dirs << QDir(dataDir).filePath(u"teams"_s);
    return dirs;
}

Result<TeamTemplate> Teams::load(const QString &name, const QString &dataDir)
{
    if (!Validation::isFileName(name))
        return failure(invalid(u"template"_s,
                               u"'%1' is not a valid template name (%2)"_s.arg(
                                   name.left(80), Validation::fileNameRule())));
    QStringList paths;
    for (const QString &dir : userDirs(dataDir))
        paths.prepend(QDir(dir).filePath(name + u".json"_s)); // the last directory wins
    paths << u":/teams/%1.json"_s.arg(name);
    for (const QString &path : std::as_const(paths)) {
        QFile f(path);
        if (!f.exists())
            continue;
        if (!f.open(QIODevice::ReadOnly))
            return failure(invalid(u"template"_s, u"cannot read %1"_s.arg(path)));
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject())
            return failure(invalid(u"template"_s,
                                   u"%1 is not a JSON object: %2"_s.arg(path, err.errorString())));
        auto t = TeamTemplate::fromJson(doc.object());
        if (!t)
            return failure(invalid(u"template"_s, u"%1: %2"_s.arg(path, t.error().message)));
        t->name = name;
        t->builtin = path.startsWith(u':');
        return t;
    }
    return failure(invalid(u"template"_s, u"no team template named '%1'"_s.arg(name)));
}

QList<TeamTemplate> Teams::all(const QString &dataDir)
{
    QMap<QString, TeamTemplate> byName;
    QStringList dirs{u":/teams"_s};
    dirs << userDirs(dataDir);
    for (const QString &dir : std::as_const(dirs))
        for (const QString &file : QDir(dir).entryList({u"*.json"_s}, QDir::Files, QDir::Name))
            if (auto t = load(file.chopped(5), dataDir))
                byName.insert(t->name, *t);
            else
                log()->warn("{}", t.error().message);
    return byName.values();
}

QStringList Teams::agentNames(const TeamTemplate &t, const QString &teamName, int roleIndex)
{
    const TeamRole &r = t.roles.at(roleIndex);
    if (r.count == 1)
        return {u"%1-%2"_s.arg(teamName, r.role)};
    QStringList out;
    for (int i = 1; i <= r.count; ++i)
        out << u"%1-%2-%3"_s.arg(teamName, r.role).arg(i);
    return out;
}

QList<Team> Teams::group(const QList<Agent> &agents)
{
    QList<Team> out;
    QHash<QString, qsizetype> at;
    for (const Agent &a : agents) {
        if (a.teamId.isEmpty())
            continue;
        if (!at.contains(a.teamId)) {
            at.insert(a.teamId, out.size());
            out.append(Team{a.teamId, a.team, {}});
        }
        out[at.value(a.teamId)].agents << a;
    }
    return out;
}

// Starting a team: the template (stored or inline) and the names are checked first, then its
// agents are spawned one after another (each spawn checks its own profile, the agent limit and
// the worktree); when one is refused, those spawned already are killed and the refusal names the
// role: all or nothing.
QFuture<Result<Team>> Orchestrator::spawnTeam(const TeamRequest &request)
{
    return post(this, [this, request]() -> QFuture<Result<Team>> {
        Result<TeamTemplate> t = request.inlineTemplate
                                     ? Result<TeamTemplate>(*request.inlineTemplate)
                                     : Teams::load(request.templateName, m_options.dataDir);
        if (!t)
            return readyFuture(Result<Team>(failure(t.error())));
        Team team;
        team.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        team.name = request.name;
        if (team.name.isEmpty())
            team.name = u"%1-%2"_s.arg(t->name.isEmpty() ? u"team"_s : t->name.left(40))
                            .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QChar(u'0'));
        QList<std::pair<QString, SpawnRequest>> spawns; // role field → request
        for (int i = 0; i < t->roles.size(); ++i) {
            const TeamRole &role = t->roles.at(i);
            const QString field = u"roles[%1]"_s.arg(i);
            if (!role.profile.isEmpty())
                if (auto p = Profiles::load(role.profile, m_options.dataDir); !p)
                    return readyFuture(Result<Team>(failure(
                        Error::invalid(u"%1.profile: %2"_s.arg(field, p.error().message)))));
            for (const QString &name : Teams::agentNames(*t, team.name, i)) {
                if (!Validation::isAgentName(name))
                    return readyFuture(Result<Team>(failure(Error::invalid(
                        u"name: the agent name '%1' it makes is not valid (%2)"_s.arg(
                            name.left(80), Validation::agentNameRule())))));
                SpawnRequest r;
                r.type = role.type;
                r.name = name;
                r.profile = role.profile;
                r.interactive = role.interactive;
                r.permissionMode = role.permissionMode;
                r.repository = request.repository.isEmpty() ? t->repository : request.repository;
                r.teamId = team.id;
                r.team = team.name;
                spawns.append({field, r});
            }
        }
        log()->info("starting team {} ({} agents)", team.name, spawns.size());
        return spawnTeamNext(team, spawns);
    });
}

QFuture<Result<Team>> Orchestrator::spawnTeamNext(Team team,
                                                  QList<std::pair<QString, SpawnRequest>> rest)
{
    if (rest.isEmpty())
        return readyFuture(Result<Team>(team));
    const auto [field, request] = rest.takeFirst();
    return then(this, spawn(request), [this, team, rest, field](const Result<Agent> &a) mutable {
        if (a) {
            team.agents << *a;
            return spawnTeamNext(team, rest);
        }
        Error e = a.error();
        e.message = u"%1 (%2): %3"_s.arg(
            field, e.message.startsWith(u"name:"_s) ? u"name"_s : u"spawn"_s, e.message);
        log()->warn("team {}: {}; stopping the {} agents spawned",
                    team.name,
                    e.message,
                    team.agents.size());
        return then(this, stopAgents(team.agents), [e](const QString &) {
            return readyFuture(Result<Team>(failure(e)));
        });
    });
}

// Kills the live ones of agents, the last first; the first error's message, empty when all went.
QFuture<QString> Orchestrator::stopAgents(QList<Agent> agents)
{
    if (agents.isEmpty())
        return readyFuture(QString());
    const Agent a = agents.takeLast();
    if (!a.isAlive())
        return stopAgents(agents);
    return then(this, kill(a.id), [this, agents](const Result<> &killed) {
        const QString why = killed ? QString() : killed.error().message;
        return then(this, stopAgents(agents), [why](const QString &rest) {
            return readyFuture(why.isEmpty() ? rest : why);
        });
    });
}

QFuture<Result<Team>> Orchestrator::stopTeam(const QString &teamId)
{
    return post(this, [this, teamId] {
        auto found = m_store->run([teamId](Database &db) { return db.teamAgents(teamId); });
        return then(this, found, [this, teamId](const Result<QList<Agent>> &agents) {
            if (!agents)
                return readyFuture(Result<Team>(failure(agents.error())));
            return then(this, stopAgents(*agents), [this, teamId](const QString &stopped) {
                if (!stopped.isEmpty())
                    return readyFuture(Result<Team>(failure(Error::unavailable(stopped))));
                return m_store->run([teamId](Database &db) -> Result<Team> {
                    auto after = db.teamAgents(teamId);
                    if (!after)
                        return failure(after.error());
                    return Teams::group(*after).value(0);
                });
            });
        });
    });
}

} // namespace Hive
