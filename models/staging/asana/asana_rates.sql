-- Asana rates: one person's (or placeholder's) rate on one project, major units.
-- test: unique(project_key, resource_key)
SELECT
    source,
    id AS source_id,
    source || ':' || (payload->'parent'->>'gid') AS project_key,
    source || ':' || (payload->'resource'->>'gid') AS resource_key,
    (payload->>'rate')::DECIMAL(18,6) AS rate,
    payload->>'currency_code' AS currency
FROM {{ source "asana" "rates" }}
