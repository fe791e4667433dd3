-- SPDX-License-Identifier: GPL-3.0-or-later
-- Claude Code as a first-class agent: the permission mode an agent was spawned with, and what the
-- agent CLI itself reported about a task (Claude Code's stream-json "result" event).

-- NULL: the agent's profile has no permission mode (aider, codex, a shell ...), or the agent was
-- spawned before this column existed (its runner then uses the profile's default).
ALTER TABLE agents ADD COLUMN permission_mode text;

-- The report as TaskResult's JSON shows it: {"answer", "session_id", "num_turns", "model",
-- "usage": {"input_tokens", "output_tokens", "cache_creation_input_tokens",
-- "cache_read_input_tokens"}, "is_error", "subtype", "terminal_reason", "api_error_status",
-- "api_error_type", "permission_denials": [{"tool_name", "tool_input"}]}. One jsonb column rather
-- than a dozen typed ones: the fields differ between agent CLIs and their versions, a new field
-- needs no migration, and SQL still reaches them ((report->'usage'->>'output_tokens')::bigint).
-- NULL when the command reported nothing (not a stream-json CLI, or it died first).
ALTER TABLE tasks ADD COLUMN report jsonb;
ALTER TABLE task_runs ADD COLUMN report jsonb;
