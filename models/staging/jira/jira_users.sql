-- Jira users: only Atlassian accounts are people (apps and customers are not).
-- Email may be hidden by the person's privacy settings.
-- test: unique(person_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS person_key,
    payload->>'displayName' AS name,
    lower(nullif(payload->>'emailAddress', '')) AS email,
    CAST(NULL AS VARCHAR) AS role,
    'employee' AS employment_type,
    payload->>'timeZone' AS timezone,
    CAST(NULL AS DECIMAL(12,4)) AS weekly_capacity_h,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    CAST(NULL AS DECIMAL(18,6)) AS default_bill_rate,
    coalesce((payload->>'active')::BOOLEAN, true) AS active,
    CAST(NULL AS DATE) AS start_date,
    updated_at
FROM {{ source "jira" "users" }}
WHERE coalesce((payload->>'accountType'), 'atlassian') = 'atlassian'
