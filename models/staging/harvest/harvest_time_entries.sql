-- Harvest time entries. spent_date is already the person's local date
-- (metrics §9.1 rule 1); hours are decimal hours, raw not rounded (§2.1).
-- billable_rate and cost_rate are the rates Harvest stamped on the entry;
-- source_url opens the person's day in Harvest, where the entry is.
-- external_reference is what an integration (Harvest for Jira) logged the
-- time against: the Jira issue (its id, and its key in the permalink) or
-- worklog, so the same hour in both tools counts once (core.time_entries).
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, project_key, entry_date, hours)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS entry_key,
    source || ':' || (payload->'user'->>'id') AS person_key,
    source || ':' || (payload->'project'->>'id') AS project_key,
    source || ':' || (payload->'project'->>'id') || ':' || (payload->'task'->>'id') AS task_key,
    payload->'task'->>'name' AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    (payload->>'spent_date')::DATE AS entry_date,
    (payload->>'hours')::DECIMAL(12,4) AS hours,
    (payload->>'rounded_hours')::DECIMAL(12,4) AS hours_rounded,
    coalesce((payload->>'billable')::BOOLEAN, false) AS billable,
    (payload->>'billable_rate')::DECIMAL(18,6) AS bill_rate,
    (payload->>'cost_rate')::DECIMAL(18,6) AS cost_rate,
    coalesce((payload->>'is_billed')::BOOLEAN, false) AS is_billed,
    CASE WHEN (payload->'invoice'->>'id') IS NOT NULL THEN source || ':' || (payload->'invoice'->>'id') END AS invoice_key,
    coalesce((payload->>'is_locked')::BOOLEAN, false) AS locked,
    CASE WHEN (payload->>'is_closed')::BOOLEAN THEN 'approved' ELSE 'open' END AS approval_status,
    coalesce((payload->>'is_running')::BOOLEAN, false) AS is_running,
    false AS time_off_hint,
    payload->>'notes' AS notes,
    payload->'external_reference'->>'id' AS ref_issue_id,
    upper(nullif(regexp_extract(payload->'external_reference'->>'permalink', '/browse/([A-Za-z][A-Za-z0-9_]*-[0-9]+)', 1), '')) AS ref_issue_key,
    nullif(regexp_extract(payload->'external_reference'->>'permalink', 'focusedWorklogId=([0-9]+)', 1), '') AS ref_worklog_id,
    co.base_uri || '/time/day/' || strftime((payload->>'spent_date')::DATE, '%Y/%m/%d') || '/' || (payload->'user'->>'id') AS source_url,
    updated_at
FROM {{ source "harvest" "time_entries" }}
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
