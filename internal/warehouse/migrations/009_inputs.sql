-- Finance's inputs kept in the app (README "Spreadsheets: the files
-- source", Settings): meta.inputs holds the rows entered at /settings when
-- no files source is configured, one JSON object of the file's columns per
-- row; meta.input_edits is every edit made there, to a file or to
-- meta.inputs, with who and when.
CREATE TABLE meta.inputs (
    id         INTEGER PRIMARY KEY,
    shape      VARCHAR NOT NULL,      -- costs, rate_cards, project_terms, milestones, targets, fx_rates
    "values"   JSON NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE meta.input_edits (
    edited_at TIMESTAMPTZ NOT NULL,
    actor   VARCHAR NOT NULL,
    shape   VARCHAR NOT NULL,
    place   VARCHAR NOT NULL,         -- inputs/costs.csv row 4, or app #12
    action  VARCHAR NOT NULL,         -- add, edit, delete
    before_values JSON,
    after_values  JSON
);
