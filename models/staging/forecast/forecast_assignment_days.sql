-- Harvest Forecast assignments, one row per booked day: `allocation`
-- seconds a day from start_date to end_date, weekdays only unless the
-- assignment is active on days off. Forecast has no tentative flag. An
-- assignment books a person or a placeholder (an unnamed role).
-- test: unique(assignment_key, date)
WITH a AS (
    SELECT source, id, payload,
        (payload->>'start_date')::DATE AS start_date,
        (payload->>'end_date')::DATE AS end_date
    FROM {{ source "forecast" "assignments" }}
)
SELECT
    a.source,
    a.source || ':' || a.id AS assignment_key,
    d::DATE AS date,
    a.payload->>'person_id' AS person_id,
    a.payload->>'placeholder_id' AS placeholder_id,
    a.payload->>'project_id' AS project_id,
    round((a.payload->>'allocation')::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS hours
FROM a, generate_series(a.start_date::TIMESTAMP, a.end_date::TIMESTAMP, INTERVAL 1 DAY) AS g(d)
WHERE isodow(d) <= 5 OR coalesce((a.payload->>'active_on_days_off')::BOOLEAN, false)
