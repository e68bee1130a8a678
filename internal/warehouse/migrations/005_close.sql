-- Period close (README "Closing a month"). snapshots.closes is each close of
-- a month: a month closed again after a reopen gets the next version, and
-- every version's rows stay. snapshots.entries and snapshots.invoices are
-- the month's source rows as they stood at the close, so a restatement is
-- traced to the entry or invoice that changed; the marts' own snapshots
-- (snapshots.project_month, …) are made at the first close, with the
-- marts' columns.
CREATE SCHEMA IF NOT EXISTS snapshots;

CREATE TABLE snapshots.closes (
    month         DATE NOT NULL,          -- the month's first day
    version       INTEGER NOT NULL,
    closed_at     TIMESTAMPTZ NOT NULL,
    closed_by     VARCHAR NOT NULL,
    config_hash   VARCHAR NOT NULL,       -- conflux.yaml and mappings.yaml as they were
    model_hash    VARCHAR NOT NULL,       -- every model's hash at the last build
    reopened_at   TIMESTAMPTZ,
    reopened_by   VARCHAR,
    reopen_reason VARCHAR,
    PRIMARY KEY (month, version)
);

CREATE TABLE snapshots.entries (
    month          DATE NOT NULL,
    version        INTEGER NOT NULL,
    entry_key      VARCHAR NOT NULL,
    project_key    VARCHAR,
    client_key     VARCHAR,
    person_key     VARCHAR,
    entry_date     DATE,
    hours          DECIMAL(14,4),
    billable_hours DECIMAL(14,4),
    value          DECIMAL(18,6),         -- billable value in the reporting currency
    cost           DECIMAL(18,6),
    source_url     VARCHAR
);

CREATE TABLE snapshots.invoices (
    month          DATE NOT NULL,
    version        INTEGER NOT NULL,
    invoice_key    VARCHAR NOT NULL,
    client_key     VARCHAR,
    project_key    VARCHAR,
    number         VARCHAR,
    status         VARCHAR,
    is_credit_note BOOLEAN,
    amount         DECIMAL(18,6),         -- net, in the reporting currency
    source_url     VARCHAR
);

-- The close of each month that stands: its latest version, not reopened.
CREATE VIEW snapshots.current AS
SELECT month, version, closed_at, closed_by, config_hash, model_hash
FROM snapshots.closes WHERE reopened_at IS NULL;
