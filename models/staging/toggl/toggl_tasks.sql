-- test: unique(task_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS task_key,
    source || ':' || (payload->>'project_id') AS project_key,
    payload->>'name' AS name,
    false AS billable,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    coalesce((payload->>'active')::BOOLEAN, true) AS active
FROM {{ source "toggl" "tasks" }}
