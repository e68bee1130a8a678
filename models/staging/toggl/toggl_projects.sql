-- Toggl projects: a fixed fee makes a fixed-fee project, else billable is
-- T&M; estimated_seconds is the hour budget.
-- test: unique(project_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS project_key,
    CASE WHEN (payload->>'client_id') IS NOT NULL THEN source || ':' || (payload->>'client_id') END AS client_key,
    payload->>'name' AS name,
    CAST(NULL AS VARCHAR) AS code,
    CASE
        WHEN (payload->>'fixed_fee') IS NOT NULL THEN 'fixed_fee'
        WHEN coalesce((payload->>'billable')::BOOLEAN, false) THEN 'tm'
        ELSE 'non_billable'
    END AS billing_model,
    CASE WHEN coalesce((payload->>'active')::BOOLEAN, true) THEN 'active' ELSE 'archived' END AS status,
    nullif(payload->>'start_date', '')::DATE AS start_date,
    nullif(payload->>'end_date', '')::DATE AS end_date,
    round((payload->>'estimated_seconds')::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS budget_hours,
    (payload->>'fixed_fee')::DECIMAL(18,6) AS budget_amount,
    payload->>'currency' AS currency,
    CAST(NULL AS VARCHAR) AS bill_by,
    (payload->>'rate')::DECIMAL(18,6) AS hourly_rate,
    false AS budget_is_monthly,
    'https://track.toggl.com/' || (payload->>'workspace_id') || '/projects/' || id || '/team' AS source_url,
    updated_at
FROM {{ source "toggl" "projects" }}
