-- Harvest time entries. spent_date is already the person's local date
-- (metrics §9.1 rule 1); hours are decimal hours, raw not rounded (§2.1).
-- billable_rate and cost_rate are the rates Harvest stamped on the entry;
-- source_url opens the person's day in Harvest, where the entry is.
-- external_reference is what an integration (Harvest for Jira) logged the
-- time against: the Jira issue (its id, and its key in the permalink) or
-- worklog, so the same hour in both tools counts once (core.time_entries).
-- Each payload is parsed once (json_transform into the fields read), not
-- once per field: the largest table of most syncs (numbers are read as
-- text and cast, so a rate or an hour is never rounded through a double).
-- The largest table of most agencies, so it is kept as a table and each
-- build parses only the entries synced or deleted since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, project_key, entry_date, hours)
WITH e AS (
    SELECT source, id, json_transform(payload, '{
        "user": {"id": "VARCHAR"}, "project": {"id": "VARCHAR"}, "task": {"id": "VARCHAR", "name": "VARCHAR"},
        "spent_date": "DATE", "hours": "VARCHAR", "rounded_hours": "VARCHAR", "billable": "BOOLEAN",
        "billable_rate": "VARCHAR", "cost_rate": "VARCHAR", "is_billed": "BOOLEAN", "invoice": {"id": "VARCHAR"},
        "is_locked": "BOOLEAN", "is_closed": "BOOLEAN", "is_running": "BOOLEAN", "notes": "VARCHAR",
        "external_reference": {"id": "VARCHAR", "permalink": "VARCHAR"}}') AS j
    FROM {{ source "harvest" "time_entries" }}
)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS entry_key,
    source || ':' || j.user.id AS person_key,
    source || ':' || j.project.id AS project_key,
    source || ':' || j.project.id || ':' || j.task.id AS task_key,
    j.task.name AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    j.spent_date AS entry_date,
    j.hours::DECIMAL(12,4) AS hours,
    j.rounded_hours::DECIMAL(12,4) AS hours_rounded,
    coalesce(j.billable, false) AS billable,
    j.billable_rate::DECIMAL(18,6) AS bill_rate,
    j.cost_rate::DECIMAL(18,6) AS cost_rate,
    coalesce(j.is_billed, false) AS is_billed,
    CASE WHEN j.invoice.id IS NOT NULL THEN source || ':' || j.invoice.id END AS invoice_key,
    coalesce(j.is_locked, false) AS locked,
    CASE WHEN j.is_closed THEN 'approved' ELSE 'open' END AS approval_status,
    coalesce(j.is_running, false) AS is_running,
    false AS time_off_hint,
    j.notes,
    j.external_reference.id AS ref_issue_id,
    upper(nullif(regexp_extract(j.external_reference.permalink, '/browse/([A-Za-z][A-Za-z0-9_]*-[0-9]+)', 1), '')) AS ref_issue_key,
    nullif(regexp_extract(j.external_reference.permalink, 'focusedWorklogId=([0-9]+)', 1), '') AS ref_worklog_id,
    co.base_uri || '/time/day/' || strftime(j.spent_date, '%Y/%m/%d') || '/' || j.user.id AS source_url
FROM e
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
