-- The canonical person. Cost is in the organisation's currency.
-- test: unique(person_key)
-- test: not_null(person_key, name)
SELECT
    u.person_key,
    u.source,
    u.source_id,
    u.name,
    u.email,
    u.role,
    u.role AS team,
    u.employment_type,
    true AS is_delivery,
    u.timezone,
    u.weekly_capacity_h,
    u.cost_rate,
    o.currency AS cost_currency,
    u.default_bill_rate,
    u.start_date,
    CAST(NULL AS DATE) AS end_date,
    u.active
FROM {{ ref "staging.harvest_users" }} u
CROSS JOIN seeds.org o
