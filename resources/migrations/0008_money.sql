-- SPDX-License-Identifier: GPL-3.0-or-later
-- Money and limits (docs/architecture.md, "Money and limits"): the daily budget, the budget alerts
-- already sent today, and the profiles paused by a rate or usage limit. Claims check both.

-- One row: the daily budget in US dollars (NULL: none).
CREATE TABLE budget (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    daily_usd  double precision CHECK (daily_usd >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The 80 % warning and the 100 % stop, each sent once a (UTC) day.
CREATE TABLE budget_alerts (
    day   date NOT NULL,
    level smallint NOT NULL CHECK (level IN (80, 100)),
    at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, level)
);

-- A profile whose agent CLI reported a rate or usage limit: no claims by its agents until `until`.
CREATE TABLE profile_limits (
    profile text PRIMARY KEY,
    until   timestamptz NOT NULL,
    reason  text NOT NULL DEFAULT '',
    since   timestamptz NOT NULL DEFAULT now()
);

-- Today's spending is summed at every claim.
CREATE INDEX task_runs_finished ON task_runs (finished_at);
