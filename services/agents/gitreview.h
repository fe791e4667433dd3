// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/event.h"
#include "models/workspacediff.h"
#include "services/core/result.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <atomic>

namespace Hive {

class Store;

// Reviewing what agents did in their folders, with git (docs/architecture.md, "Review and merge"):
// the diff of a folder against where it started (commits, uncommitted and untracked files), the
// files each worker task changed, merging an agent's branch into its base branch, and removing a
// worktree without losing work.
//
// git runs as argv (never a shell) in a thread pool of its own, never in the caller's thread (the
// GUI's, the API's) nor in the orchestrator's, with the repository's hooks and fsmonitor off. The
// user's index is never written: a snapshot of a folder (tracked and untracked files, .gitignore
// respected) is a tree written through a temporary index (GIT_INDEX_FILE). A merge is tried first
// (merge-tree --write-tree) and only then applied: fast-forward or a merge commit (commit-tree),
// set with update-ref against the old value, or, when the base branch is checked out in a
// worktree, with `merge --ff-only` there (which refuses, changing nothing, when it would
// overwrite local changes). A conflict changes nothing.
class GitReview : public QObject
{
    Q_OBJECT

public:
    explicit GitReview(Store *store, QObject *parent = nullptr);
    ~GitReview() override;

    // Records where a just spawned agent's folder starts (the first record of a folder is kept:
    // a restarted agent goes on from its first start). Nothing for a folder outside git.
    QFuture<Result<>> recordStart(const Agent &agent);
    QFuture<Result<WorkspaceDiff>> diff(const QString &agentId);
    QFuture<Result<MergeResult>> merge(const QString &agentId);
    // Removes a stopped agent's worktree and its branch hive/<name>. Refused (409 unmerged_work)
    // when its branch has commits on no other branch, tag or remote, or its folder has uncommitted
    // or untracked files, unless confirm is the agent's name.
    QFuture<Result<>> removeWorktree(const QString &agentId, const QString &confirm);
    QFuture<Result<TaskChanges>> taskChanges(const QString &taskId);

    // Every event of the engine: agent.spawned records where its folder starts; a task that ended
    // (task.succeeded, task.failed, task.cancelled, with an agent) has the files it changed
    // recorded, one task at a time, then taskRecorded.
    void onEvent(const Event &event);
    // Waits for the git work under way; later calls answer Unavailable.
    void stop();

    static bool isTaskEnd(const QString &eventType);

Q_SIGNALS:
    void taskRecorded(const QString &taskId, const QString &agentId);

private:
    Store *m_store;
    QThreadPool m_pool;  // diff, merge, removal
    QThreadPool m_tasks; // one thread: task ends in order
    std::atomic<bool> m_stopped = false;
    // Each agent's folder, from the events that carry the agent (onEvent's thread only): a task
    // end in a folder outside any git repository costs neither git nor the store (looked at in
    // m_tasks, never in the caller's thread).
    QHash<QString, QString> m_workdirs;
};

} // namespace Hive
