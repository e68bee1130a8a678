-- Harvest tasks are global; a task assignment puts one on a project with its
-- own billable flag, which is the grain of core.tasks.
-- test: unique(task_key)
SELECT
    source,
    id AS source_id,
    source || ':' || (payload->'project'->>'id') || ':' || (payload->'task'->>'id') AS task_key,
    source || ':' || (payload->'project'->>'id') AS project_key,
    payload->'task'->>'name' AS name,
    coalesce((payload->>'billable')::BOOLEAN, false) AS billable,
    (payload->>'hourly_rate')::DECIMAL(18,6) AS hourly_rate,
    coalesce((payload->>'is_active')::BOOLEAN, true) AS active
FROM {{ source "harvest" "task_assignments" }}
