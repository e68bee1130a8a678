-- What people decide about the gaps ledger's findings, kept across builds
-- by each finding's stable key (marts.gaps.finding_key): its status, snooze,
-- owner, and every event in its life. Not secret: `conflux query` reads it.
CREATE SCHEMA IF NOT EXISTS workflow;

CREATE TABLE workflow.gap_state (
    finding_key     VARCHAR PRIMARY KEY,
    check_id        VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,     -- open, acknowledged, ignored, resolved
    reason          VARCHAR,              -- why it was ignored (or resolved by hand)
    snoozed_until   DATE,
    owner           VARCHAR,              -- as the ledger last named it
    owner_override  VARCHAR,              -- as someone assigned it
    first_seen      TIMESTAMPTZ NOT NULL, -- the build that first found it
    last_seen       TIMESTAMPTZ NOT NULL,
    resolved_at     TIMESTAMPTZ,          -- when it stopped being found
    amount_at_stake DECIMAL(18,2),
    counted_amount  DECIMAL(18,2),
    hours_at_stake  DECIMAL(14,2),
    record_key      VARCHAR,
    detail          VARCHAR,
    source_url      VARCHAR,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE workflow.gap_events (
    finding_key VARCHAR NOT NULL,
    happened_at TIMESTAMPTZ NOT NULL,
    kind        VARCHAR NOT NULL,         -- found, changed, resolved, reopened, status, snoozed, assigned, comment
    actor       VARCHAR,                  -- who (the build for found, changed, resolved, reopened)
    detail      VARCHAR
);
