-- Toggl time entries, from detailed-report rows. Toggl stores instants: an
-- entry belongs to the local date of its start in the person's time zone
-- (metrics §9.1 rule 2, fixture F11). seconds → hours; the report's rate is
-- in cents; the cost rate is the person's labour cost today (Toggl keeps its
-- history under /rates, not read yet).
-- Each payload is parsed once (json_transform), not once per field.
-- Kept as a table; each build reads only the entries changed since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
WITH e AS (
    SELECT source, id, j, j.time_entries[1] AS te
    FROM (
        SELECT source, id, json_transform(payload, '{
            "user_id": "VARCHAR", "project_id": "VARCHAR", "task_id": "VARCHAR", "billable": "BOOLEAN",
            "hourly_rate_in_cents": "VARCHAR", "description": "VARCHAR",
            "time_entries": [{"start": "VARCHAR", "seconds": "VARCHAR"}]}') AS j
        FROM {{ source "toggl" "time_entries" }}
    )
)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || e.j.user_id AS person_key,
    CASE WHEN e.j.project_id IS NOT NULL THEN e.source || ':' || e.j.project_id END AS project_key,
    CASE WHEN e.j.task_id IS NOT NULL THEN e.source || ':' || e.j.task_id END AS task_key,
    t.name AS task_name,
    e.te.start::TIMESTAMPTZ AS started_at,
    (e.te.start::TIMESTAMPTZ AT TIME ZONE coalesce(u.timezone, o.timezone))::DATE AS entry_date,
    round(e.te.seconds::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce(e.j.billable, false) AS billable,
    (e.j.hourly_rate_in_cents::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS bill_rate,
    u.cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    false AS locked,
    'none' AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    e.j.description AS notes,
    p.source_url
FROM e
LEFT JOIN {{ ref "staging.toggl_users" }} u ON u.person_key = e.source || ':' || e.j.user_id
LEFT JOIN {{ ref "staging.toggl_tasks" }} t ON t.task_key = e.source || ':' || e.j.task_id
LEFT JOIN {{ ref "staging.toggl_projects" }} p ON p.project_key = e.source || ':' || e.j.project_id
CROSS JOIN seeds.org o
WHERE e.te.seconds::BIGINT >= 0
