-- SPDX-License-Identifier: GPL-3.0-or-later
-- What an interactive agent waits for, in words ("Claude needs your permission to use Write"),
-- and its conversation (Claude Code's session id), to resume it after its session is gone.
ALTER TABLE agents ADD COLUMN need text NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN session_id text;
