-- Clockify projects: billable or not (Clockify has no fixed fee); a manual
-- time estimate (ISO-8601, e.g. PT120H) is the hour budget, an active budget
-- estimate (cents) the money budget.
-- test: unique(project_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS project_key,
    CASE WHEN nullif(payload->>'clientId', '') IS NOT NULL THEN source || ':' || (payload->>'clientId') END AS client_key,
    payload->>'name' AS name,
    CAST(NULL AS VARCHAR) AS code,
    CASE WHEN coalesce((payload->>'billable')::BOOLEAN, true) THEN 'tm' ELSE 'non_billable' END AS billing_model,
    CASE WHEN coalesce((payload->>'archived')::BOOLEAN, false) THEN 'archived' ELSE 'active' END AS status,
    CAST(NULL AS DATE) AS start_date,
    CAST(NULL AS DATE) AS end_date,
    CASE WHEN (payload->'estimate'->>'estimate') IS NOT NULL THEN (
        coalesce(nullif(regexp_extract(payload->'estimate'->>'estimate', '(\d+)D', 1), '')::DECIMAL(12,4) * 24, 0)
      + coalesce(nullif(regexp_extract(payload->'estimate'->>'estimate', 'T(?:.*?)(\d+)H', 1), '')::DECIMAL(12,4), 0)
      + coalesce(nullif(regexp_extract(payload->'estimate'->>'estimate', 'T(?:.*?)(\d+)M', 1), '')::DECIMAL(12,4) / 60, 0)
    )::DECIMAL(12,4) END AS budget_hours,
    CASE WHEN (payload->'budgetEstimate'->>'active')::BOOLEAN
         THEN ((payload->'budgetEstimate'->>'estimate')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) END AS budget_amount,
    payload->'hourlyRate'->>'currency' AS currency,
    CAST(NULL AS VARCHAR) AS bill_by,
    ((payload->'hourlyRate'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS hourly_rate,
    false AS budget_is_monthly,
    'https://app.clockify.me/projects/' || id || '/edit' AS source_url,
    updated_at
FROM {{ source "clockify" "projects" }}
