-- Asana projects. Asana knows nothing of billing: a project whose team name
-- says "internal" is non-billable, every other one client (T&M) work.
-- test: unique(project_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS project_key,
    CAST(NULL AS VARCHAR) AS client_key,
    payload->>'name' AS name,
    CAST(NULL AS VARCHAR) AS code,
    CASE WHEN lower(coalesce((payload->'team'->>'name'), '')) LIKE '%internal%' THEN 'non_billable' ELSE 'tm' END AS billing_model,
    CASE WHEN coalesce((payload->>'archived')::BOOLEAN, false) THEN 'archived' ELSE 'active' END AS status,
    nullif(payload->>'start_on', '')::DATE AS start_date,
    nullif(payload->>'due_on', '')::DATE AS end_date,
    CAST(NULL AS DECIMAL(12,4)) AS budget_hours,
    CAST(NULL AS DECIMAL(18,6)) AS budget_amount,
    CAST(NULL AS VARCHAR) AS currency,
    CAST(NULL AS VARCHAR) AS bill_by,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    false AS budget_is_monthly,
    'https://app.asana.com/0/' || id || '/list' AS source_url,
    updated_at
FROM {{ source "asana" "projects" }}
