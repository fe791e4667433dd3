// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The routes and schemas of pause/resume/stop/start and of teams (TeamController,
// AgentOpsController), added to the route table and to components/schemas.
#include "services/api/teamroutes.h"

#include "services/agents/profiles.h"
#include "services/agents/teams.h"
#include "services/api/apischemas.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive::TeamRoutes {

using namespace ApiSchemas;
using Method = QHttpServerRequest::Method;

void appendOperations(QList<ApiOperation> &o)
{
    const QList<std::pair<int, QString>> agentAnswer{
        {200, u"Agent"_s}, {404, u"Error"_s}, {409, u"Error"_s}};
    o.append({Method::Post,
              u"/api/v1/agents/{id}/pause"_s,
              u"pauseAgent"_s,
              u"Pause a worker: it finishes its task and claims no new one until resumed"_s,
              true,
              {},
              {},
              agentAnswer});
    o.append({Method::Post,
              u"/api/v1/agents/{id}/resume"_s,
              u"resumeAgent"_s,
              u"Resume a paused worker: it takes tasks again"_s,
              true,
              {},
              {},
              agentAnswer});
    o.append({Method::Post,
              u"/api/v1/agents/{id}/stop"_s,
              u"stopAgent"_s,
              u"Stop an agent that is not busy: its session ends (memory freed), its folder and "
              "conversation are kept (409 while it works on something)"_s,
              true,
              {},
              {},
              agentAnswer});
    o.append({Method::Post,
              u"/api/v1/agents/{id}/start"_s,
              u"startAgent"_s,
              u"Start a stopped agent again: the same agent (id, name, folder), its conversation "
              "resumed (Claude Code's --resume)"_s,
              true,
              {},
              {},
              agentAnswer});
    o.append({Method::Get,
              u"/api/v1/teams"_s,
              u"listTeams"_s,
              u"The teams, oldest first, each with its agents"_s,
              true,
              {},
              {},
              {{200, u"TeamList"_s}}});
    o.append({Method::Post,
              u"/api/v1/teams"_s,
              u"startTeam"_s,
              u"Start a team from a template: all its agents are spawned, or none (422 names the "
              "template's field that is wrong)"_s,
              true,
              {},
              u"TeamRequest"_s,
              {{201, u"Team"_s}, {409, u"Error"_s}, {422, u"Error"_s}}});
    o.append({Method::Get,
              u"/api/v1/teams/{id}"_s,
              u"getTeam"_s,
              u"One team with its agents"_s,
              true,
              {},
              {},
              {{200, u"Team"_s}, {404, u"Error"_s}}});
    o.append({Method::Delete,
              u"/api/v1/teams/{id}"_s,
              u"stopTeam"_s,
              u"Stop a team: each of its live agents is killed (a running task goes back to the "
              "queue); the team with its agents stopped"_s,
              true,
              {},
              {},
              {{200, u"Team"_s}, {404, u"Error"_s}}});
    o.append({Method::Get,
              u"/api/v1/team-templates"_s,
              u"listTeamTemplates"_s,
              u"The team templates: built-in and the user's (<config>/teams, <data-dir>/teams)"_s,
              true,
              {},
              {},
              {{200, u"TeamTemplateList"_s}}});
}

void insertSchemas(QJsonObject &s)
{
    const QJsonObject role = object(
        {{u"role"_s, type(u"string"_s, u"names the agents: <team>-<role>[-<n>]; default: type"_s)},
         {u"type"_s, agentType()},
         {u"profile"_s, type(u"string"_s, u"default: claude, or claude-interactive"_s)},
         {u"count"_s, integer(1, TeamTemplate::kMaxCount, u"default 1"_s)},
         {u"interactive"_s, type(u"boolean"_s, u"default false: workers"_s)},
         {u"permission_mode"_s, enumOf(Profiles::permissionModes())}},
        {u"type"_s},
        true);
    s.insert(u"TeamRole"_s, role);
    s.insert(u"TeamTemplate"_s,
             object({{u"name"_s, type(u"string"_s)},
                     {u"description"_s, type(u"string"_s)},
                     {u"repository"_s,
                      type(u"string"_s, u"default repository of the team's worktrees"_s)},
                     {u"roles"_s,
                      QJsonObject{{u"type"_s, u"array"_s},
                                  {u"minItems"_s, 1},
                                  {u"maxItems"_s, TeamTemplate::kMaxRoles},
                                  {u"items"_s, ref(u"TeamRole"_s)}}},
                     {u"builtin"_s, type(u"boolean"_s, u"in answers only"_s)}},
                    {u"roles"_s},
                    true));
    s.insert(u"TeamTemplateList"_s,
             QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"TeamTemplate"_s)}});
    s.insert(
        u"TeamRequest"_s,
        object({{u"template"_s,
                 QJsonObject{{u"description"_s,
                              u"a template's name (the built-in one: lead-and-workers) or "
                              "a template"_s},
                             {u"oneOf"_s, QJsonArray{type(u"string"_s), ref(u"TeamTemplate"_s)}}}},
                {u"repository"_s,
                 type(u"string"_s,
                      u"an absolute git repository: every agent gets a worktree of it on "
                      "branch hive/<agent name>"_s)},
                {u"name"_s,
                 type(u"string"_s,
                      u"the team's name, the prefix of its agents' names; default "
                      "<template>-<4 hex>"_s)}},
               {u"template"_s},
               true));
    s.insert(u"Team"_s,
             object({{u"id"_s, formatted(u"string"_s, u"uuid"_s)},
                     {u"name"_s, type(u"string"_s)},
                     {u"alive"_s, type(u"boolean"_s, u"any of its agents alive"_s)},
                     {u"agents"_s, ref(u"AgentList"_s)}},
                    {u"id"_s, u"name"_s, u"alive"_s, u"agents"_s}));
    s.insert(u"TeamList"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"Team"_s)}});
}

} // namespace Hive::TeamRoutes
