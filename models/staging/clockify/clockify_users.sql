-- Clockify workspace users. Rates come from the WORKSPACE membership and are
-- integer cents; Clockify keeps no weekly capacity, so it is left NULL and the
-- models use org.standard_week_h (or a schedules: entry).
-- test: unique(person_key)
WITH m AS (
    SELECT source, id,
        (SELECT x FROM (SELECT unnest(from_json(payload->'memberships', '["JSON"]')) AS x) WHERE (x->>'membershipType') = 'WORKSPACE' LIMIT 1) AS ws
    FROM {{ source "clockify" "users" }}
)
SELECT
    u.source,
    u.id AS source_id,
    u.source || ':' || u.id AS person_key,
    u.payload->>'name' AS name,
    lower(u.payload->>'email') AS email,
    CAST(NULL AS VARCHAR) AS role,
    'employee' AS employment_type,
    u.payload->'settings'->>'timeZone' AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    ((m.ws->'costRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS cost_rate,
    ((m.ws->'hourlyRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS default_bill_rate,
    coalesce(u.payload->>'status', 'ACTIVE') = 'ACTIVE' AS active,
    CAST(NULL AS DATE) AS start_date,
    u.updated_at
FROM {{ source "clockify" "users" }} u
LEFT JOIN m USING (source, id)
