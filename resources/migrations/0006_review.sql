-- SPDX-License-Identifier: GPL-3.0-or-later
-- Reviewing an agent's work (docs/architecture.md, "Review and merge").

-- Where each agent folder started, recorded when an agent is spawned in it. Keyed by the folder,
-- not by the agent: a restarted or respawned agent of the same name goes on in the same worktree,
-- from the same start. Removed with the worktree.
CREATE TABLE agent_workspaces (
    workdir     text PRIMARY KEY,
    repository  text NOT NULL,
    branch      text NOT NULL DEFAULT '',  -- hive/<name>; '' for a plain folder
    base_branch text NOT NULL DEFAULT '',  -- '' when the repository's HEAD was detached
    base_commit text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The files each worker task changed, recorded when it ended: against the folder's snapshot at
-- the end of the previous task in that folder (or its start).
CREATE TABLE task_changes (
    task_id  uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
    workdir  text NOT NULL,
    tree     text NOT NULL,
    files    jsonb NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_changes_workdir ON task_changes (workdir, at);
