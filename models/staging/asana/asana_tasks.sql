-- A task in several projects belongs here to the first one listed.
-- test: unique(task_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS task_key,
    source || ':' || (payload->'projects'->0->>'gid') AS project_key,
    payload->>'name' AS name,
    false AS billable,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    NOT coalesce((payload->>'completed')::BOOLEAN, false) AS active
FROM {{ source "asana" "tasks" }}
