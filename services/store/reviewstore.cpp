// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Review: where each agent folder started, and the files each task changed (migration 0006).
#include "services/store/database.h"

#include "services/store/rows.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Hive {

Result<> Database::recordWorkspace(const WorkspaceBase &base, bool replace)
{
    const QString onConflict
        = replace ? u"DO UPDATE SET repository = excluded.repository, branch = excluded.branch, "
                    "base_branch = excluded.base_branch, base_commit = excluded.base_commit, "
                    "created_at = now()"_s
                  : u"DO NOTHING"_s;
    auto r = exec(u"INSERT INTO agent_workspaces (workdir, repository, branch, base_branch, "
                  "base_commit) VALUES (?, ?, ?, ?, ?) ON CONFLICT (workdir) "_s
                      + onConflict,
                  {base.workdir, base.repository, base.branch, base.baseBranch, base.baseCommit});
    if (!r)
        return failure(r.error());
    return {};
}

Result<std::optional<WorkspaceBase>> Database::workspace(const QString &workdir)
{
    auto r = exec(u"SELECT workdir, repository, branch, base_branch, base_commit "
                  "FROM agent_workspaces WHERE workdir = ?"_s,
                  {workdir});
    if (!r)
        return failure(r.error());
    if (!r->next())
        return std::optional<WorkspaceBase>();
    WorkspaceBase b;
    b.workdir = r->value(u"workdir"_s).toString();
    b.repository = r->value(u"repository"_s).toString();
    b.branch = r->value(u"branch"_s).toString();
    b.baseBranch = r->value(u"base_branch"_s).toString();
    b.baseCommit = r->value(u"base_commit"_s).toString();
    return std::optional<WorkspaceBase>(b);
}

Result<> Database::forgetWorkspace(const QString &workdir)
{
    auto r = exec(u"DELETE FROM agent_workspaces WHERE workdir = ?"_s, {workdir});
    if (!r)
        return failure(r.error());
    return {};
}

Result<> Database::recordTaskChanges(const TaskChanges &changes)
{
    const QByteArray files
        = QJsonDocument(FileChange::toJson(changes.files)).toJson(QJsonDocument::Compact);
    // A task that ran again (a retry) is recorded again, from its last end.
    auto r = exec(u"INSERT INTO task_changes (task_id, agent_id, workdir, tree, files) "
                  "VALUES (?::uuid, ?::uuid, ?, ?, ?::jsonb) ON CONFLICT (task_id) DO UPDATE SET "
                  "agent_id = excluded.agent_id, workdir = excluded.workdir, tree = excluded.tree, "
                  "files = excluded.files, at = now()"_s,
                  {changes.taskId,
                   nullableText(changes.agentId),
                   changes.workdir,
                   changes.tree,
                   QString::fromUtf8(files)});
    if (!r)
        return failure(r.error());
    return {};
}

Result<std::optional<TaskChanges>> Database::taskChanges(const QString &taskId)
{
    auto r = exec(u"SELECT task_id::text AS task_id, agent_id::text AS agent_id, workdir, tree, "
                  "files::text AS files, at FROM task_changes WHERE task_id = ?::uuid"_s,
                  {taskId});
    if (!r)
        return failure(r.error());
    if (!r->next())
        return std::optional<TaskChanges>();
    TaskChanges c;
    c.taskId = r->value(u"task_id"_s).toString();
    c.agentId = r->value(u"agent_id"_s).toString();
    c.workdir = r->value(u"workdir"_s).toString();
    c.tree = r->value(u"tree"_s).toString();
    c.at = r->value(u"at"_s).toDateTime();
    const QJsonArray files
        = QJsonDocument::fromJson(r->value(u"files"_s).toString().toUtf8()).array();
    for (const QJsonValue &v : files) {
        const QJsonObject o = v.toObject();
        FileChange f;
        f.path = o.value(u"path"_s).toString();
        f.oldPath = o.value(u"old_path"_s).toString();
        f.status = o.value(u"status"_s).toString();
        f.added = o.value(u"added"_s).toInt(-1);
        f.removed = o.value(u"removed"_s).toInt(-1);
        c.files.append(f);
    }
    return std::optional<TaskChanges>(c);
}

Result<QString> Database::lastTaskTree(const QString &workdir)
{
    auto r = exec(u"SELECT tree FROM task_changes WHERE workdir = ? ORDER BY at DESC LIMIT 1"_s,
                  {workdir});
    if (!r)
        return failure(r.error());
    if (!r->next())
        return QString();
    return r->value(u"tree"_s).toString();
}

} // namespace Hive
