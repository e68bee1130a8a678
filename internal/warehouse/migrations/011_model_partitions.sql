-- Partitioned incremental models (models: "-- partition: entry_date by
-- day"). model_changes holds the days whose rows each model changed in the
-- build under way (emptied when a build starts); model_inputs the hash of
-- each partitioned model a model read at its last build, and the hash of
-- everything else it read. A model rebuilds only the periods its inputs
-- changed when each changed input was built from its changes in this build,
-- from the state it last read.
CREATE TABLE meta.model_changes (
    model VARCHAR NOT NULL,
    day   DATE NOT NULL
);
CREATE TABLE meta.model_inputs (
    model       VARCHAR NOT NULL,
    input       VARCHAR NOT NULL,
    static_hash VARCHAR NOT NULL,
    input_hash  VARCHAR NOT NULL,
    PRIMARY KEY (model, input)
);
-- What a model's dependents see of it: a table's content when it is small
-- enough to hash (a model rebuilt to the same rows changes nothing
-- downstream), else the hash of its inputs.
ALTER TABLE meta.model_runs ADD COLUMN version VARCHAR;
