-- Clockify time entries are instants: an entry belongs to the local date of
-- its start in the person's time zone (metrics §9.1 rule 2). Hours are end −
-- start; rates are the entry's own, in cents. Breaks are not work and are
-- left out; TIME_OFF and HOLIDAY entries are marked as time off. Clockify has
-- no link to one entry, so the link opens the entry's project.
-- Each payload is parsed once (json_transform), not once per field.
-- Kept as a table; each build reads only the entries changed since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
WITH e AS (
    SELECT source, id, json_transform(payload, '{
        "userId": "VARCHAR", "projectId": "VARCHAR", "taskId": "VARCHAR",
        "timeInterval": {"start": "VARCHAR", "end": "VARCHAR"}, "billable": "BOOLEAN",
        "hourlyRate": {"amount": "VARCHAR"}, "costRate": {"amount": "VARCHAR"}, "isLocked": "BOOLEAN",
        "type": "VARCHAR", "description": "VARCHAR"}') AS j
    FROM {{ source "clockify" "time_entries" }}
)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || j.userId AS person_key,
    CASE WHEN nullif(j.projectId, '') IS NOT NULL THEN e.source || ':' || j.projectId END AS project_key,
    CASE WHEN nullif(j.taskId, '') IS NOT NULL THEN e.source || ':' || j.taskId END AS task_key,
    t.name AS task_name,
    j.timeInterval.start::TIMESTAMPTZ AS started_at,
    (j.timeInterval.start::TIMESTAMPTZ AT TIME ZONE coalesce(u.timezone, o.timezone))::DATE AS entry_date,
    round((epoch_ms(j.timeInterval."end"::TIMESTAMPTZ) - epoch_ms(j.timeInterval.start::TIMESTAMPTZ)) / 3600000.0, 4)::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce(j.billable, false) AS billable,
    (j.hourlyRate.amount::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS bill_rate,
    (j.costRate.amount::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    coalesce(j.isLocked, false) AS locked,
    CASE WHEN j.isLocked THEN 'approved' ELSE 'open' END AS approval_status,
    j.timeInterval."end" IS NULL AS is_running,
    coalesce(j.type, 'REGULAR') IN ('TIME_OFF', 'HOLIDAY') AS time_off_hint,
    j.description AS notes,
    'https://app.clockify.me/projects/' || j.projectId || '/edit' AS source_url
FROM e
LEFT JOIN {{ ref "staging.clockify_users" }} u ON u.person_key = e.source || ':' || j.userId
LEFT JOIN {{ ref "staging.clockify_tasks" }} t ON t.task_key = e.source || ':' || j.taskId
CROSS JOIN seeds.org o
WHERE coalesce(j.type, 'REGULAR') <> 'BREAK'
  AND j.timeInterval."end" IS NOT NULL
