// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Hive {

// What reviewing an agent's work hands around (services/agents/gitreview.h): plain values, copied
// between threads.

// One file of a diff: status A (added, also untracked), M, D, R (renamed from oldPath), T, C.
struct FileChange
{
    QString path;
    QString oldPath; // renames and copies
    QString status;  // one letter
    int added = -1;  // lines; -1 for a binary file
    int removed = -1;

    QJsonObject toJson() const
    {
        QJsonObject o{{QStringLiteral("path"), path}, {QStringLiteral("status"), status}};
        if (!oldPath.isEmpty())
            o.insert(QStringLiteral("old_path"), oldPath);
        const bool binary = added < 0;
        o.insert(QStringLiteral("binary"), binary);
        o.insert(QStringLiteral("added"), binary ? QJsonValue() : QJsonValue(added));
        o.insert(QStringLiteral("removed"), binary ? QJsonValue() : QJsonValue(removed));
        return o;
    }
    static QJsonArray toJson(const QList<FileChange> &files)
    {
        QJsonArray a;
        for (const FileChange &f : files)
            a.append(f.toJson());
        return a;
    }
};

// Where an agent's folder started: recorded when it was spawned (agent_workspaces), kept while its
// worktree lives (a restarted agent goes on from the same start).
struct WorkspaceBase
{
    QString workdir;
    QString repository; // the repository's top folder (the main worktree)
    QString branch;     // hive/<name> for a worktree made by Agent Hive; empty for a plain folder
    QString baseBranch; // the branch checked out in the repository at the spawn; may be empty
    QString baseCommit; // the commit the folder started from
};

// An agent's changes against where it started: commits, uncommitted and untracked files alike.
struct WorkspaceDiff
{
    QString agentId;
    QString agentName;
    QString workdir;
    QString branch;
    QString baseBranch;
    QString baseCommit;
    QString head;
    int commitsAhead = 0;     // on the branch and not on the base branch
    int unmergedCommits = 0;  // on the branch and on no other branch, tag or remote
    int uncommittedFiles = 0; // changed, staged or untracked, not committed
    QList<FileChange> files;  // the folder as it is now against baseCommit
    QString patch;            // the unified diff, cut at kMaxPatch characters
    bool truncated = false;

    static constexpr int kMaxPatch = 2 * 1024 * 1024;

    bool hasUnmergedWork() const { return unmergedCommits > 0 || uncommittedFiles > 0; }

    QJsonObject toJson(bool withPatch = true) const
    {
        QJsonObject o{
            {QStringLiteral("agent_id"), agentId},
            {QStringLiteral("agent_name"), agentName},
            {QStringLiteral("workdir"), workdir},
            {QStringLiteral("branch"), branch.isEmpty() ? QJsonValue() : branch},
            {QStringLiteral("base_branch"), baseBranch.isEmpty() ? QJsonValue() : baseBranch},
            {QStringLiteral("base_commit"), baseCommit},
            {QStringLiteral("head"), head.isEmpty() ? QJsonValue() : head},
            {QStringLiteral("commits_ahead"), commitsAhead},
            {QStringLiteral("unmerged_commits"), unmergedCommits},
            {QStringLiteral("uncommitted_files"), uncommittedFiles},
            {QStringLiteral("files"), FileChange::toJson(files)},
            {QStringLiteral("truncated"), truncated}};
        if (withPatch)
            o.insert(QStringLiteral("patch"), patch);
        return o;
    }
};

// A merge of an agent's branch into its base branch.
struct MergeResult
{
    QString kind; // fast-forward, merge, up-to-date
    QString branch;
    QString baseBranch;
    QString previous;         // the base branch's commit before
    QString commit;           // and after
    int commits = 0;          // how many commits of the branch it brought in
    int uncommittedFiles = 0; // left in the agent's folder, not merged

    QJsonObject toJson() const
    {
        return {{QStringLiteral("result"), kind},
                {QStringLiteral("branch"), branch},
                {QStringLiteral("base_branch"), baseBranch},
                {QStringLiteral("previous"), previous},
                {QStringLiteral("commit"), commit},
                {QStringLiteral("commits"), commits},
                {QStringLiteral("uncommitted_files"), uncommittedFiles}};
    }
};

// The files a worker's task changed, recorded when it ended (task_changes).
struct TaskChanges
{
    QString taskId;
    QString agentId;
    QString workdir;
    QString tree; // the folder's snapshot (a git tree) when the task ended
    QList<FileChange> files;
    QDateTime at;

    QJsonObject toJson() const
    {
        return {{QStringLiteral("task_id"), taskId},
                {QStringLiteral("agent_id"), agentId},
                {QStringLiteral("workdir"), workdir},
                {QStringLiteral("files"), FileChange::toJson(files)},
                {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)}};
    }
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::WorkspaceDiff)
