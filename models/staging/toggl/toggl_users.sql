-- Toggl workspace users: rate and labour_cost are major units (the
-- workspace's currency); Toggl keeps no weekly capacity.
-- test: unique(person_key)
SELECT
    source,
    id AS source_id,
    source || ':' || (payload->>'user_id') AS person_key,
    payload->>'name' AS name,
    lower(payload->>'email') AS email,
    CAST(NULL AS VARCHAR) AS role,
    'employee' AS employment_type,
    nullif(payload->>'timezone', '') AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    (payload->>'labor_cost')::DECIMAL(18,6) AS cost_rate,
    (payload->>'rate')::DECIMAL(18,6) AS default_bill_rate,
    coalesce((payload->>'active')::BOOLEAN, true) AS active,
    CAST(NULL AS DATE) AS start_date,
    updated_at
FROM {{ source "toggl" "users" }}
