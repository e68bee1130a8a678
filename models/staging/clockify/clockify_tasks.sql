-- test: unique(task_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS task_key,
    source || ':' || (payload->>'projectId') AS project_key,
    payload->>'name' AS name,
    coalesce((payload->>'billable')::BOOLEAN, false) AS billable,
    ((payload->'hourlyRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS hourly_rate,
    coalesce(payload->>'status', 'ACTIVE') = 'ACTIVE' AS active
FROM {{ source "clockify" "tasks" }}
