-- test: unique(person_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS person_key,
    payload->>'name' AS name,
    lower(nullif(payload->>'email', '')) AS email,
    CAST(NULL AS VARCHAR) AS role,
    'employee' AS employment_type,
    CAST(NULL AS VARCHAR) AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    CAST(NULL AS DECIMAL(18,6)) AS default_bill_rate,
    true AS active,
    CAST(NULL AS DATE) AS start_date,
    updated_at
FROM {{ source "asana" "users" }}
