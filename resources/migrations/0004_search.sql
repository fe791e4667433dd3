-- SPDX-License-Identifier: GPL-3.0-or-later
-- Search (docs/architecture.md, "Search"): full-text over task prompts, answers and the agents'
-- terminal logs; embeddings of any dimension for semantic search.

-- Prompts (with the title) and answers, each its own tsvector so that a hit says which it was.
-- Only the first 200,000 characters count: a tsvector is at most 1 MiB.
ALTER TABLE tasks ADD COLUMN prompt_search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', left(prompt, 200000)), 'B')) STORED;
ALTER TABLE tasks ADD COLUMN output_search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', left(coalesce(output, ''), 200000))) STORED;
CREATE INDEX tasks_prompt_search ON tasks USING gin (prompt_search);
CREATE INDEX tasks_output_search ON tasks USING gin (output_search);

-- The agents' terminal logs (<data-dir>/logs/<name>.log), as text without terminal control
-- sequences, in chunks of whole lines; the engine copies what was appended every few seconds.
CREATE TABLE agent_logs (
    id          bigserial PRIMARY KEY,
    agent_id    uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    byte_offset bigint NOT NULL, -- where the chunk starts in the log file
    text        text NOT NULL,
    search      tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
CREATE INDEX agent_logs_search ON agent_logs USING gin (search);
CREATE INDEX agent_logs_agent ON agent_logs (agent_id, byte_offset);

-- How far each log file has been copied (by file name under logs/).
CREATE TABLE log_offsets (
    file        text PRIMARY KEY,
    byte_offset bigint NOT NULL
);

-- Embedding models have their own dimension (384, 768, 1536, …): the column takes any, and a
-- search compares only embeddings of the model it asks with (an exact scan; see the docs).
DROP INDEX IF EXISTS task_embeddings_hnsw;
ALTER TABLE task_embeddings ALTER COLUMN embedding TYPE vector;
CREATE INDEX task_embeddings_model ON task_embeddings (model);
