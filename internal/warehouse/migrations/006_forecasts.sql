-- Forecast snapshots (README "How good are our forecasts"): what each
-- build forecast, one row per person and week, project, or month, taken on
-- the build's org.as_of (a later build the same day replaces them), so
-- marts.forecast_accuracy can hold each forecast against what happened.
CREATE TABLE snapshots.forecasts (
    taken_on DATE NOT NULL,
    kind     VARCHAR NOT NULL,   -- person_week: confirmed hours booked; project_eac: estimate at completion; revenue_month: the month's revenue
    key      VARCHAR NOT NULL,   -- the person or project; 'agency' for revenue
    period   DATE NOT NULL,      -- the week or month forecast; taken_on for an EAC
    value    DOUBLE NOT NULL,
    budget   DOUBLE,             -- project_eac: the budget, in its unit
    used_pct DOUBLE,             -- project_eac: the share of the budget used when taken
    segment  VARCHAR,            -- person_week: role; project_eac: billing model
    PRIMARY KEY (taken_on, kind, key, period)
);
