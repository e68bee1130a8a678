-- The projects a files source's time entries name, by code (or name, from
-- Toggl's export): the same project as a tool's with that code or name
-- (core.xref), whose client, budget and terms then count. One only a
-- spreadsheet knows is time and materials if any of its time is billable.
-- test: unique(project_key)
SELECT
    source,
    lower(payload->>'project') AS source_id,
    source || ':' || lower(payload->>'project') AS project_key,
    CAST(NULL AS VARCHAR) AS client_key,
    coalesce(any_value(payload->>'project_name'), any_value(payload->>'project')) AS name,
    any_value(payload->>'project') AS code,
    CASE WHEN bool_or(coalesce((payload->>'billable')::BOOLEAN, true)) THEN 'tm' ELSE 'non_billable' END AS billing_model,
    'active' AS status,
    CAST(NULL AS DATE) AS start_date,
    CAST(NULL AS DATE) AS end_date,
    CAST(NULL AS DECIMAL(12,4)) AS budget_hours,
    CAST(NULL AS DECIMAL(18,6)) AS budget_amount,
    CAST(NULL AS VARCHAR) AS currency,
    CAST(NULL AS VARCHAR) AS bill_by,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    false AS budget_is_monthly,
    CAST(NULL AS VARCHAR) AS source_url,
    max(updated_at) AS updated_at
FROM {{ source "files" "time_entries" }}
GROUP BY source, lower(payload->>'project')
