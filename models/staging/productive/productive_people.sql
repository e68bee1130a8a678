-- test: unique(person_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS person_key,
    trim(concat_ws(' ', payload->'attributes'->>'first_name', payload->'attributes'->>'last_name')) AS name,
    lower(nullif(payload->'attributes'->>'email', '')) AS email,
    payload->'attributes'->>'title' AS role,
    'employee' AS employment_type,
    CAST(NULL AS VARCHAR) AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    CAST(NULL AS DECIMAL(18,6)) AS default_bill_rate,
    coalesce((payload->'attributes'->>'status'), '1') = '1' AS active,
    CAST(NULL AS DATE) AS start_date,
    updated_at
FROM {{ source "productive" "people" }}
