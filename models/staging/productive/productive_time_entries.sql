-- Productive time entries: `date` is the person's own date; `time` and
-- `billable_time` are minutes and may differ (billable time can be more or
-- less than worked, metrics §2.1). The rate is the service's price.
-- Productive's web addresses are not derivable from the API, so no link.
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || (e.payload->'relationships'->'person'->'data'->>'id') AS person_key,
    s.project_key,
    s.task_key,
    s.name AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    (e.payload->'attributes'->>'date')::DATE AS entry_date,
    round((e.payload->'attributes'->>'time')::BIGINT / 60.0, 4)::DECIMAL(12,4) AS hours,
    round(coalesce((e.payload->'attributes'->>'billable_time')::BIGINT, 0) / 60.0, 4)::DECIMAL(12,4) AS billable_hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce((e.payload->'attributes'->>'billable_time')::BIGINT, 0) > 0 AS billable,
    s.hourly_rate AS bill_rate,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    coalesce((e.payload->'attributes'->>'invoiced')::BOOLEAN, false) AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    coalesce((e.payload->'attributes'->>'approved')::BOOLEAN, false) AS locked,
    CASE WHEN (e.payload->'attributes'->>'rejected')::BOOLEAN THEN 'rejected'
         WHEN (e.payload->'attributes'->>'approved')::BOOLEAN THEN 'approved' ELSE 'open' END AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    e.payload->'attributes'->>'note' AS notes,
    CAST(NULL AS VARCHAR) AS source_url,
    e.updated_at
FROM {{ source "productive" "time_entries" }} e
LEFT JOIN {{ ref "staging.productive_services" }} s ON s.task_key = e.source || ':' || (e.payload->'relationships'->'service'->'data'->>'id')
