-- The people a files source's time entries name: by email, or by name
-- from Harvest's export. They are the same people as the tools' by email or
-- name (core.xref); one only a spreadsheet knows is a person of its own.
-- test: unique(person_key)
SELECT
    any_value(source) AS source,
    lower(coalesce(payload->>'person', payload->>'person_name')) AS source_id,
    any_value(source) || ':' || lower(coalesce(payload->>'person', payload->>'person_name')) AS person_key,
    coalesce(any_value(payload->>'person_name'), any_value(payload->>'person')) AS name,
    lower(any_value(payload->>'person')) AS email,
    CAST(NULL AS VARCHAR) AS role,
    'employee' AS employment_type,
    CAST(NULL AS VARCHAR) AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    CAST(NULL AS DECIMAL(18,6)) AS default_bill_rate,
    true AS active,
    CAST(NULL AS DATE) AS start_date,
    max(updated_at) AS updated_at
FROM {{ source "files" "time_entries" }}
GROUP BY source, lower(coalesce(payload->>'person', payload->>'person_name'))
