-- What each incremental model (models: "-- materialized: incremental") read
-- of each raw table at its last build: the time of the newest change it saw
-- (a row synced or deleted), the table's rows then, and the hash of
-- everything else it depends on. The next build reads only the rows
-- changed since, unless that hash moved or rows vanished.
CREATE TABLE meta.model_state (
    model       VARCHAR NOT NULL,
    raw_table   VARCHAR NOT NULL,
    static_hash VARCHAR NOT NULL,
    watermark   TIMESTAMPTZ,
    raw_rows    BIGINT NOT NULL,
    PRIMARY KEY (model, raw_table)
);
