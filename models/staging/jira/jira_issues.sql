-- Jira issues are the tasks time is logged against.
-- test: unique(task_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS task_key,
    source || ':' || (payload->'fields'->'project'->>'id') AS project_key,
    payload->'fields'->>'summary' AS name,
    payload->>'key' AS issue_key,
    false AS billable,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    true AS active,
    regexp_extract(payload->>'self', '^(https?://[^/]+)', 1) AS site
FROM {{ source "jira" "issues" }}
