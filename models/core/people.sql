-- The canonical person, from every time tool. Cost is in the organisation's
-- currency; a source without a weekly capacity (Clockify) leaves it NULL and
-- marts.person_day falls back to org.standard_week_h. team is the team of
-- the person's latest cost row (finance.costs, or a files source's costs
-- file), else their role.
-- test: unique(person_key)
-- test: not_null(person_key, name)
WITH u AS (
    SELECT * FROM {{ ref "staging.harvest_users" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.clockify_users" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.toggl_users" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.jira_users" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.asana_users" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_people" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.files_people" }}
)
SELECT
    u.person_key,
    u.source,
    u.source_id,
    u.name,
    u.email,
    u.role,
    coalesce(ct.team, u.role) AS team,
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
FROM u
CROSS JOIN seeds.org o
-- A person's team is their latest cost row's team (finance.costs or a
-- costs file), else their role.
LEFT JOIN (
    SELECT person, arg_max(team, valid_from) AS team FROM seeds.costs
    WHERE coalesce(person, '') <> '' AND coalesce(team, '') <> '' GROUP BY person
) ct ON ct.person = lower(u.email)
