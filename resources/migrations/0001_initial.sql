-- SPDX-License-Identifier: GPL-3.0-or-later
-- The first schema of Agent Hive. PostgreSQL is the source of truth; Redis can be rebuilt from it.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE agents (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    type            text NOT NULL,
    profile         text NOT NULL,
    interactive     boolean NOT NULL DEFAULT false,
    status          text NOT NULL CHECK (status IN
                        ('starting', 'idle', 'busy', 'waiting_input', 'stopped', 'lost')),
    tmux_session    text NOT NULL,
    workdir         text NOT NULL,
    current_task_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_heartbeat  timestamptz,
    ended_at        timestamptz
);
-- A name belongs to one live agent at a time.
CREATE UNIQUE INDEX agents_live_name ON agents (name) WHERE status NOT IN ('stopped', 'lost');

CREATE TABLE tasks (
    id            uuid PRIMARY KEY,
    title         text NOT NULL DEFAULT '',
    prompt        text NOT NULL CHECK (prompt <> ''),
    agent_type    text NOT NULL,
    priority      smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    status        text NOT NULL CHECK (status IN
                      ('blocked', 'queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled')),
    agent_id      uuid REFERENCES agents (id),
    depends_on    uuid[] NOT NULL DEFAULT '{}',
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    exit_code     integer,
    output        text,
    duration_ms   bigint,
    cost_usd      double precision,
    error         text
);
CREATE INDEX tasks_by_status ON tasks (status, agent_type, priority DESC, created_at);
CREATE INDEX tasks_by_agent ON tasks (agent_id) WHERE status IN ('assigned', 'running');
CREATE INDEX tasks_depends_on ON tasks USING gin (depends_on);
CREATE INDEX tasks_created ON tasks (created_at DESC);

-- One row per attempt.
CREATE TABLE task_runs (
    id          bigserial PRIMARY KEY,
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    agent_id    uuid REFERENCES agents (id),
    outcome     text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'cancelled', 'lost')),
    started_at  timestamptz,
    finished_at timestamptz NOT NULL DEFAULT now(),
    exit_code   integer,
    output      text,
    duration_ms bigint,
    cost_usd    double precision,
    error       text
);
CREATE INDEX task_runs_task ON task_runs (task_id, attempt);

-- Append-only log of every state change; payload is the event as published.
CREATE TABLE events (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    type     text NOT NULL,
    agent_id uuid,
    task_id  uuid,
    payload  jsonb NOT NULL
);
CREATE INDEX events_task ON events (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX events_agent ON events (agent_id) WHERE agent_id IS NOT NULL;

-- Embeddings of task outputs, for "find similar past work".
CREATE TABLE task_embeddings (
    task_id    uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    model      text NOT NULL,
    embedding  vector(384) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_embeddings_hnsw ON task_embeddings USING hnsw (embedding vector_cosine_ops);
