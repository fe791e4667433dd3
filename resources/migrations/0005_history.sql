-- SPDX-License-Identifier: GPL-3.0-or-later
-- History that grows for months (docs/architecture.md, "Task history"): lists read summaries, not
-- whole prompts and outputs, and every list filter has an index in its order.

-- What a task summary shows of the prompt and the output (Task::toSummary: the prompt's first 200
-- characters, the output's last 200, and their sizes in bytes), kept beside them so that a list
-- of 100 tasks reads 100 small rows instead of detoasting and decompressing up to 4 MiB each.
-- Computed by PostgreSQL on every write: no writer has to remember them. Adding them rewrites the
-- table once.
ALTER TABLE tasks
    ADD COLUMN prompt_preview text GENERATED ALWAYS AS (left(prompt, 200)) STORED,
    ADD COLUMN prompt_bytes integer GENERATED ALWAYS AS (octet_length(prompt)) STORED,
    ADD COLUMN output_tail text GENERATED ALWAYS AS (right(output, 200)) STORED,
    ADD COLUMN output_bytes integer GENERATED ALWAYS AS (octet_length(output)) STORED;

-- GET /api/v1/tasks: newest first (created_at DESC, id DESC, the id breaking ties so that a page
-- boundary `before=ID` is exact), filtered by any one of status, agent_type and agent_id, or by
-- status and agent_type together (the window's board and the API's common query). Each index is
-- read backwards from the cursor and stops after `limit` rows.
DROP INDEX IF EXISTS tasks_created;
CREATE INDEX tasks_list ON tasks (created_at, id);
CREATE INDEX tasks_list_status ON tasks (status, created_at, id);
CREATE INDEX tasks_list_type ON tasks (agent_type, created_at, id);
CREATE INDEX tasks_list_agent ON tasks (agent_id, created_at, id) WHERE agent_id IS NOT NULL;
CREATE INDEX tasks_list_status_type ON tasks (status, agent_type, created_at, id);
