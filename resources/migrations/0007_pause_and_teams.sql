-- SPDX-License-Identifier: GPL-3.0-or-later
-- Pause and teams. A paused worker finishes its task and claims no new one (claimTask refuses it;
-- its runner reads the flag on every heartbeat and stops reading the queue) until it is resumed.
-- A team: agents spawned together from a team template (POST /api/v1/teams), stopped together;
-- team_id groups them, team is the team's name (its agents' names start with it).
ALTER TABLE agents ADD COLUMN paused boolean NOT NULL DEFAULT false;
ALTER TABLE agents ADD COLUMN team_id uuid;
ALTER TABLE agents ADD COLUMN team text;
CREATE INDEX agents_team ON agents (team_id) WHERE team_id IS NOT NULL;
