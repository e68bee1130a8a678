-- Clockify time entries are instants: an entry belongs to the local date of
-- its start in the person's time zone (metrics §9.1 rule 2). Hours are end −
-- start; rates are the entry's own, in cents. Breaks are not work and are
-- left out; TIME_OFF and HOLIDAY entries are marked as time off. Clockify has
-- no link to one entry, so the link opens the entry's project.
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || (e.payload->>'userId') AS person_key,
    CASE WHEN nullif(e.payload->>'projectId', '') IS NOT NULL THEN e.source || ':' || (e.payload->>'projectId') END AS project_key,
    CASE WHEN nullif(e.payload->>'taskId', '') IS NOT NULL THEN e.source || ':' || (e.payload->>'taskId') END AS task_key,
    t.name AS task_name,
    (e.payload->'timeInterval'->>'start')::TIMESTAMPTZ AS started_at,
    ((e.payload->'timeInterval'->>'start')::TIMESTAMPTZ AT TIME ZONE coalesce(u.timezone, o.timezone))::DATE AS entry_date,
    round((epoch_ms((e.payload->'timeInterval'->>'end')::TIMESTAMPTZ) - epoch_ms((e.payload->'timeInterval'->>'start')::TIMESTAMPTZ)) / 3600000.0, 4)::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce((e.payload->>'billable')::BOOLEAN, false) AS billable,
    ((e.payload->'hourlyRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS bill_rate,
    ((e.payload->'costRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    coalesce((e.payload->>'isLocked')::BOOLEAN, false) AS locked,
    CASE WHEN (e.payload->>'isLocked')::BOOLEAN THEN 'approved' ELSE 'open' END AS approval_status,
    (e.payload->'timeInterval'->>'end') IS NULL AS is_running,
    coalesce(e.payload->>'type', 'REGULAR') IN ('TIME_OFF', 'HOLIDAY') AS time_off_hint,
    e.payload->>'description' AS notes,
    'https://app.clockify.me/projects/' || (e.payload->>'projectId') || '/edit' AS source_url,
    e.updated_at
FROM {{ source "clockify" "time_entries" }} e
LEFT JOIN {{ ref "staging.clockify_users" }} u ON u.person_key = e.source || ':' || (e.payload->>'userId')
LEFT JOIN {{ ref "staging.clockify_tasks" }} t ON t.task_key = e.source || ':' || (e.payload->>'taskId')
CROSS JOIN seeds.org o
WHERE coalesce((e.payload->>'type'), 'REGULAR') <> 'BREAK'
  AND (e.payload->'timeInterval'->>'end') IS NOT NULL
