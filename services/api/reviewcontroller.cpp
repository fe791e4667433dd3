// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/reviewcontroller.h"

#include "models/validation.h"
#include "services/agents/gitreview.h"
#include "services/api/apischemas.h"
#include "services/engine.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive {

using Method = QHttpServerRequest::Method;

QHash<QString, ApiController::Handler> ReviewController::handlers()
{
    return {
        {u"getAgentDiff"_s, bind(&ReviewController::diff)},
        {u"mergeAgent"_s, bind(&ReviewController::merge)},
        {u"removeWorktree"_s, bind(&ReviewController::removeWorktree)},
        {u"getTaskChanges"_s, bind(&ReviewController::taskChanges)},
    };
}

void ReviewController::addOperations(QList<ApiOperation> &o)
{
    using namespace ApiSchemas;
    o.append({Method::Get,
              u"/api/v1/agents/{id}/diff"_s,
              u"getAgentDiff"_s,
              u"The agent's folder against where it started (its commits, uncommitted and "
              "untracked files): the files and a unified diff; how many commits are unmerged; 409 "
              "when its folder is not in git"_s,
              true,
              {queryParam(u"patch"_s,
                          enumOf({u"true"_s, u"false"_s}),
                          u"false: the files only, without the unified diff (default true)"_s)},
              {},
              {{200, u"WorkspaceDiff"_s}, {409, u"Error"_s}}});
    o.append({Method::Post,
              u"/api/v1/agents/{id}/merge"_s,
              u"mergeAgent"_s,
              u"Merge the agent's branch (hive/<name>) into the branch it started from: "
              "fast-forward, or a merge commit; a conflict (409 merge_conflict) changes nothing. "
              "Only commits are merged: uncommitted files stay in the agent's folder"_s,
              true,
              {},
              {},
              {{200, u"MergeResult"_s}, {409, u"Error"_s}}});
    o.append(
        {Method::Delete,
         u"/api/v1/agents/{id}/worktree"_s,
         u"removeWorktree"_s,
         u"Remove a stopped agent's worktree and its branch. Refused (409 unmerged_work, naming "
         "how many commits and files) when the branch has commits on no other branch or the "
         "folder uncommitted or untracked files, unless confirm is the agent's name"_s,
         true,
         {queryParam(u"confirm"_s,
                     type(u"string"_s),
                     u"the agent's name: remove even unmerged commits and uncommitted files"_s)},
         {},
         {{204, {}}, {409, u"Error"_s}}});
    o.append({Method::Get,
              u"/api/v1/tasks/{id}/changes"_s,
              u"getTaskChanges"_s,
              u"The files a worker task changed in its agent's folder, recorded when it ended; 409 "
              "when none were recorded"_s,
              true,
              {},
              {},
              {{200, u"TaskChanges"_s}, {409, u"Error"_s}}});
}

void ReviewController::addSchemas(QJsonObject &s)
{
    using namespace ApiSchemas;
    s.insert(u"FileChange"_s,
             object({{u"path"_s, type(u"string"_s)},
                     {u"old_path"_s, type(u"string"_s, u"renames and copies"_s)},
                     {u"status"_s, enumOf({u"A"_s, u"M"_s, u"D"_s, u"R"_s, u"C"_s, u"T"_s})},
                     {u"binary"_s, type(u"boolean"_s)},
                     {u"added"_s, nullable(u"integer"_s)},
                     {u"removed"_s, nullable(u"integer"_s)}},
                    {u"path"_s, u"status"_s, u"binary"_s, u"added"_s, u"removed"_s}));
    const QJsonObject files{{u"type"_s, u"array"_s}, {u"items"_s, ref(u"FileChange"_s)}};
    s.insert(u"WorkspaceDiff"_s,
             object({{u"agent_id"_s, formatted(u"string"_s, u"uuid"_s)},
                     {u"agent_name"_s, type(u"string"_s)},
                     {u"workdir"_s, type(u"string"_s)},
                     {u"branch"_s, nullable(u"string"_s)},
                     {u"base_branch"_s, nullable(u"string"_s)},
                     {u"base_commit"_s, type(u"string"_s, u"where the folder started"_s)},
                     {u"head"_s, nullable(u"string"_s)},
                     {u"commits_ahead"_s, type(u"integer"_s, u"commits not on the base branch"_s)},
                     {u"unmerged_commits"_s,
                      type(u"integer"_s, u"commits on no other branch, tag or remote"_s)},
                     {u"uncommitted_files"_s, type(u"integer"_s)},
                     {u"files"_s, files},
                     {u"patch"_s, type(u"string"_s, u"the unified diff (unless patch=false)"_s)},
                     {u"truncated"_s, type(u"boolean"_s, u"the patch was cut at 2 MiB"_s)}},
                    {u"agent_id"_s, u"workdir"_s, u"base_commit"_s, u"files"_s}));
    s.insert(u"MergeResult"_s,
             object({{u"result"_s, enumOf({u"fast-forward"_s, u"merge"_s, u"up-to-date"_s})},
                     {u"branch"_s, type(u"string"_s)},
                     {u"base_branch"_s, type(u"string"_s)},
                     {u"previous"_s, type(u"string"_s, u"the base branch's commit before"_s)},
                     {u"commit"_s, type(u"string"_s, u"and after"_s)},
                     {u"commits"_s, type(u"integer"_s, u"commits brought in"_s)},
                     {u"uncommitted_files"_s,
                      type(u"integer"_s, u"left in the agent's folder, not merged"_s)}},
                    {u"result"_s, u"branch"_s, u"base_branch"_s, u"commit"_s}));
    s.insert(u"TaskChanges"_s,
             object({{u"task_id"_s, formatted(u"string"_s, u"uuid"_s)},
                     {u"agent_id"_s, formatted(u"string"_s, u"uuid"_s)},
                     {u"workdir"_s, type(u"string"_s)},
                     {u"files"_s, files},
                     {u"at"_s, formatted(u"string"_s, u"date-time"_s)}},
                    {u"task_id"_s, u"files"_s}));
}

QFuture<QHttpServerResponse> ReviewController::diff(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"patch"_s}))
        return ready(*e);
    bool withPatch = true;
    if (const auto p = queryValue(call.query, u"patch"_s)) {
        if (*p != u"true"_s && *p != u"false"_s)
            return ready(ApiError::invalidParameter(u"patch: '%1' is not true or false"_s.arg(*p)));
        withPatch = *p == u"true"_s;
    }
    return respondInPool(m_engine->review().diff(call.id), [withPatch](Result<WorkspaceDiff> d) {
        if (!d)
            return ApiError::from(d.error()).toResponse();
        return jsonResponse(d->toJson(withPatch));
    });
}

QFuture<QHttpServerResponse> ReviewController::merge(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    if (!call.body.trimmed().isEmpty())
        return ready(ApiError::invalidValue(u"body: merge takes no body"_s));
    return respond(m_engine->review().merge(call.id), [](Result<MergeResult> m) {
        if (!m)
            return ApiError::from(m.error()).toResponse();
        return jsonResponse(m->toJson());
    });
}

QFuture<QHttpServerResponse> ReviewController::removeWorktree(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"confirm"_s}))
        return ready(*e);
    const QString confirm = queryValue(call.query, u"confirm"_s).value_or(QString());
    return respond(m_engine->review().removeWorktree(call.id, confirm), [](Result<> r) {
        if (!r)
            return ApiError::from(r.error()).toResponse();
        return emptyResponse(204);
    });
}

QFuture<QHttpServerResponse> ReviewController::taskChanges(const Call &call)
{
    if (auto e = checkQuery(call.query, {}))
        return ready(*e);
    return respond(m_engine->review().taskChanges(call.id), [](Result<TaskChanges> c) {
        if (!c)
            return ApiError::from(c.error()).toResponse();
        return jsonResponse(c->toJson());
    });
}

} // namespace Hive
