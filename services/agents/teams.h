// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "services/core/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// One role of a team template: `count` agents of one type and profile, interactive or workers.
struct TeamRole
{
    QString role;    // part of the agents' names: <team>-<role>[-<n>]
    QString type;    // the agents' type (workers take the tasks of this type)
    QString profile; // empty: claude-interactive or claude
    int count = 1;   // 1..kMaxCount
    bool interactive = false;
    QString permissionMode; // empty: the profile's default
};

// A team template (JSON): {"name", "description", "repository" (optional), "roles": [{"role",
// "type", "profile", "count", "interactive", "permission_mode"}]}. Built-in ones come from
// resources (":/teams"), the user's from <config>/teams/NAME.json (QStandardPaths'
// AppConfigLocation) and <data-dir>/teams/NAME.json, overriding a built-in one of the same name.
struct TeamTemplate
{
    static constexpr int kMaxRoles = 16;
    static constexpr int kMaxCount = 16;
    static constexpr int kMaxAgents = 32;

    QString name;
    QString description;
    QString repository; // the default repository of the team's worktrees; empty: none
    QList<TeamRole> roles;
    bool builtin = false;

    int agentCount() const;
    QJsonObject toJson() const;
    // A template's JSON, checked field by field: the error names the field ("roles[1].count: …").
    static Result<TeamTemplate> fromJson(const QJsonObject &o);
};

// What a client asks for when it starts a team (the team dialog, POST /api/v1/teams).
struct TeamRequest
{
    QString templateName;                       // a stored template …
    std::optional<TeamTemplate> inlineTemplate; // … or this one
    QString repository; // a git repository: every agent gets a worktree of it; empty: the
                        // template's, else each agent a folder of its own
    QString name;       // the team's name and its agents' name prefix; empty: <template>-<4 hex>
};

// A team as the API shows it: its agents (alive or not) grouped by team_id.
struct Team
{
    QString id;
    QString name;
    QList<Agent> agents;

    bool isAlive() const;
    QJsonObject toJson() const;
};

class Teams
{
public:
    // Where user templates are read from, in order (a later one overrides an earlier one).
    static QStringList userDirs(const QString &dataDir);
    static Result<TeamTemplate> load(const QString &name, const QString &dataDir);
    static QList<TeamTemplate> all(const QString &dataDir); // by name
    static QString builtinName() { return QStringLiteral("lead-and-workers"); }
    // The agents' names of a team: <team>-<role> for a role of one, <team>-<role>-<n> otherwise.
    static QStringList agentNames(const TeamTemplate &t, const QString &teamName, int roleIndex);
    // Groups agents by team (oldest team first).
    static QList<Team> group(const QList<Agent> &agents);
};

} // namespace Hive
