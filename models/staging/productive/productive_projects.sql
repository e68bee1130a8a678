-- Productive projects, with their budget (a deal with budget: true): a
-- fixed-price service makes the project fixed fee, a billable one T&M.
-- test: unique(project_key)
WITH budget AS (
    SELECT source, payload->'relationships'->'project'->'data'->>'id' AS project_id,
        min((payload->'attributes'->>'date')::DATE) AS start_date,
        max(nullif(payload->'attributes'->>'end_date', '')::DATE) AS end_date,
        sum((payload->'attributes'->>'budgeted_time')::BIGINT) AS budgeted_minutes,
        sum((payload->'attributes'->>'budget_total')::DECIMAL(20,0)) AS budget_cents,
        min(payload->'attributes'->>'currency') AS currency
    FROM {{ source "productive" "deals" }}
    WHERE coalesce((payload->'attributes'->>'budget')::BOOLEAN, false)
    GROUP BY ALL
),
kind AS (
    SELECT project_key, max(billing_type_id = 1) AS fixed, max(billing_type_id = 2) AS actuals
    FROM {{ ref "staging.productive_services" }}
    GROUP BY project_key
)
SELECT
    p.source,
    p.id AS source_id,
    p.source || ':' || p.id AS project_key,
    CASE WHEN (p.payload->'relationships'->'company'->'data'->>'id') IS NOT NULL THEN p.source || ':' || (p.payload->'relationships'->'company'->'data'->>'id') END AS client_key,
    p.payload->'attributes'->>'name' AS name,
    p.payload->'attributes'->>'project_number' AS code,
    CASE WHEN k.fixed THEN 'fixed_fee' WHEN k.actuals THEN 'tm' ELSE 'non_billable' END AS billing_model,
    CASE WHEN (p.payload->'attributes'->>'archived_at') IS NULL THEN 'active' ELSE 'archived' END AS status,
    b.start_date,
    b.end_date,
    round(b.budgeted_minutes / 60.0, 4)::DECIMAL(12,4) AS budget_hours,
    (b.budget_cents * 0.01)::DECIMAL(18,6) AS budget_amount,
    b.currency,
    CAST(NULL AS VARCHAR) AS bill_by,
    CAST(NULL AS DECIMAL(18,6)) AS hourly_rate,
    false AS budget_is_monthly,
    CAST(NULL AS VARCHAR) AS source_url,
    p.updated_at
FROM {{ source "productive" "projects" }} p
LEFT JOIN budget b ON b.source = p.source AND b.project_id = p.id
LEFT JOIN kind k ON k.project_key = p.source || ':' || p.id
