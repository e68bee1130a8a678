-- What a close freezes beyond the month's marts (README "Closing a
-- month"): each project's balances at the month's end — earned revenue
-- and invoiced to date, work in progress and deferred revenue (metrics
-- §4.1) — and the gap findings open at the close, so "what did we carry
-- into November" stays answerable after they are billed or resolved.
CREATE TABLE snapshots.balances (
    month             DATE NOT NULL,
    version           INTEGER NOT NULL,
    project_key       VARCHAR NOT NULL,
    client_key        VARCHAR,
    earned_to_date    DECIMAL(18,2),      -- revenue recognised to the month's end
    invoiced_to_date  DECIMAL(18,2),      -- ledger net issued to the month's end, credit notes deducted
    wip               DECIMAL(18,2),      -- max(0, earned − invoiced)
    deferred          DECIMAL(18,2)       -- max(0, invoiced − earned)
);

CREATE TABLE snapshots.gaps (
    month           DATE NOT NULL,
    version         INTEGER NOT NULL,
    finding_key     VARCHAR NOT NULL,
    check_id        VARCHAR,
    status          VARCHAR,
    client_key      VARCHAR,
    person_key      VARCHAR,
    record_key      VARCHAR,
    amount_at_stake DECIMAL(18,2),
    counted_amount  DECIMAL(18,2),
    hours_at_stake  DECIMAL(14,2),
    detail          VARCHAR,
    source_url      VARCHAR
);
