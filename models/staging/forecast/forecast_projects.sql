-- Harvest Forecast projects; harvest_id is the Harvest project they plan.
-- test: unique(project_id)
SELECT
    source,
    id AS project_id,
    (payload->>'harvest_id') AS harvest_id,
    nullif(payload->>'code', '') AS code,
    payload->>'name' AS name,
    coalesce((payload->>'archived')::BOOLEAN, false) AS archived,
    updated_at
FROM {{ source "forecast" "projects" }}
