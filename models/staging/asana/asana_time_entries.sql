-- Asana time tracking entries: minutes logged on a day (entered_on is the
-- person's own date). The project is the one the time is attributable to,
-- else the task's; billable_status says billable; the rate is the person's
-- rate on that project.
-- Kept as a table; each build reads only the entries changed since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || (e.payload->'created_by'->>'gid') AS person_key,
    coalesce(e.source || ':' || (e.payload->'attributable_to'->>'gid'), t.project_key) AS project_key,
    e.source || ':' || (e.payload->'task'->>'gid') AS task_key,
    t.name AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    (e.payload->>'entered_on')::DATE AS entry_date,
    round((e.payload->>'duration_minutes')::BIGINT / 60.0, 4)::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce((e.payload->>'billable_status'), '') = 'billable' AS billable,
    r.rate AS bill_rate,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    coalesce((e.payload->>'approval_status'), '') = 'APPROVED' AS locked,
    coalesce(lower(e.payload->>'approval_status'), 'none') AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    CAST(NULL AS VARCHAR) AS notes,
    'https://app.asana.com/0/0/' || (e.payload->'task'->>'gid') AS source_url
FROM {{ source "asana" "time_tracking_entries" }} e
LEFT JOIN {{ ref "staging.asana_tasks" }} t ON t.task_key = e.source || ':' || (e.payload->'task'->>'gid')
LEFT JOIN {{ ref "staging.asana_rates" }} r
    ON r.project_key = coalesce(e.source || ':' || (e.payload->'attributable_to'->>'gid'), t.project_key)
   AND r.resource_key = e.source || ':' || (e.payload->'created_by'->>'gid')
