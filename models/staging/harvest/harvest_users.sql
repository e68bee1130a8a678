-- Harvest users: capacity from weekly_capacity (seconds), rates as DECIMAL.
-- Harvest has no employment start date; the account's creation date stands in.
-- test: unique(person_key)
-- test: not_null(person_key, name)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS person_key,
    trim(concat_ws(' ', payload->>'first_name', payload->>'last_name')) AS name,
    lower(payload->>'email') AS email,
    payload->'roles'->>0 AS role,
    CASE WHEN (payload->>'is_contractor')::BOOLEAN THEN 'contractor' ELSE 'employee' END AS employment_type,
    payload->>'timezone' AS timezone,
    round((payload->>'weekly_capacity')::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS weekly_capacity_h,
    (payload->>'cost_rate')::DECIMAL(18,6) AS cost_rate,
    (payload->>'default_hourly_rate')::DECIMAL(18,6) AS default_bill_rate,
    coalesce((payload->>'is_active')::BOOLEAN, true) AS active,
    ((payload->>'created_at')::TIMESTAMPTZ AT TIME ZONE 'UTC')::DATE AS start_date,
    updated_at
FROM {{ source "harvest" "users" }}
