-- The sync engine's own bookkeeping. raw.<source>__<stream> tables are
-- created on demand by the warehouse; staging, core and marts by the models.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS seeds;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE meta.sync_state (
    source     VARCHAR NOT NULL,
    stream     VARCHAR NOT NULL,
    cursor     JSON,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, stream)
);

CREATE SEQUENCE meta.sync_run_id START 1;
CREATE TABLE meta.sync_runs (
    id          BIGINT PRIMARY KEY DEFAULT nextval('meta.sync_run_id'),
    source      VARCHAR NOT NULL,
    stream      VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,      -- running, ok, failed, interrupted
    records     BIGINT NOT NULL DEFAULT 0,
    deleted     BIGINT NOT NULL DEFAULT 0,
    pages       BIGINT NOT NULL DEFAULT 0,
    error       VARCHAR
);

-- Ids seen by a full read in progress; the key-set diff at its end marks
-- every other row of the stream deleted.
CREATE TABLE meta.scan_seen (
    source  VARCHAR NOT NULL,
    stream  VARCHAR NOT NULL,
    scan_id VARCHAR NOT NULL,
    id      VARCHAR NOT NULL
);

CREATE TABLE meta.model_runs (
    model       VARCHAR NOT NULL,
    hash        VARCHAR NOT NULL,
    built_at    TIMESTAMPTZ NOT NULL,
    duration_ms BIGINT NOT NULL,
    rows        BIGINT,
    status      VARCHAR NOT NULL,      -- built, skipped, failed, blocked
    error       VARCHAR
);

CREATE TABLE meta.test_results (
    test      VARCHAR NOT NULL,
    model     VARCHAR NOT NULL,
    run_at    TIMESTAMPTZ NOT NULL,
    failures  BIGINT NOT NULL,
    status    VARCHAR NOT NULL,        -- pass, fail, error
    error     VARCHAR
);

CREATE TABLE meta.secrets (
    name       VARCHAR PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
