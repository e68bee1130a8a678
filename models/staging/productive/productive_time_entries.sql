-- Productive time entries: `date` is the person's own date; `time` and
-- `billable_time` are minutes and may differ (billable time can be more or
-- less than worked, metrics §2.1). The rate is the service's price.
-- Productive's web addresses are not derivable from the API, so no link.
-- Each payload is parsed once (json_transform), not once per field.
-- Kept as a table; each build reads only the entries changed since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
WITH e AS (
    SELECT source, id, json_transform(payload, '{
        "relationships": {"person": {"data": {"id": "VARCHAR"}}, "service": {"data": {"id": "VARCHAR"}}},
        "attributes": {"date": "DATE", "time": "VARCHAR", "billable_time": "VARCHAR", "invoiced": "BOOLEAN",
                       "approved": "BOOLEAN", "rejected": "BOOLEAN", "note": "VARCHAR"}}') AS j
    FROM {{ source "productive" "time_entries" }}
)
SELECT
    e.source,
    e.id AS source_id,
    e.source || ':' || e.id AS entry_key,
    e.source || ':' || j.relationships.person.data.id AS person_key,
    s.project_key,
    s.task_key,
    s.name AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    j.attributes.date AS entry_date,
    round(j.attributes.time::BIGINT / 60.0, 4)::DECIMAL(12,4) AS hours,
    round(coalesce(j.attributes.billable_time::BIGINT, 0) / 60.0, 4)::DECIMAL(12,4) AS billable_hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce(j.attributes.billable_time::BIGINT, 0) > 0 AS billable,
    s.hourly_rate AS bill_rate,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    coalesce(j.attributes.invoiced, false) AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    coalesce(j.attributes.approved, false) AS locked,
    CASE WHEN j.attributes.rejected THEN 'rejected'
         WHEN j.attributes.approved THEN 'approved' ELSE 'open' END AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    j.attributes.note AS notes,
    CAST(NULL AS VARCHAR) AS source_url
FROM e
LEFT JOIN {{ ref "staging.productive_services" }} s ON s.task_key = e.source || ':' || j.relationships.service.data.id
