-- Harvest projects. Harvest has no retainer type: a budget that resets every
-- month (budget_is_monthly) is read as a retainer. Budgets in hours apply when
-- budget_by is project, task or person; project_cost budgets are money.
-- test: unique(project_key)
-- test: accepted_values(billing_model: tm, fixed_fee, retainer, non_billable)
SELECT
    source,
    p.id AS source_id,
    source || ':' || p.id AS project_key,
    source || ':' || (p.payload->'client'->>'id') AS client_key,
    p.payload->>'name' AS name,
    nullif(p.payload->>'code', '') AS code,
    CASE
        WHEN NOT coalesce((p.payload->>'is_billable')::BOOLEAN, true) THEN 'non_billable'
        WHEN (p.payload->>'is_fixed_fee')::BOOLEAN THEN 'fixed_fee'
        WHEN (p.payload->>'budget_is_monthly')::BOOLEAN THEN 'retainer'
        ELSE 'tm'
    END AS billing_model,
    CASE WHEN coalesce((p.payload->>'is_active')::BOOLEAN, true) THEN 'active' ELSE 'archived' END AS status,
    (p.payload->>'starts_on')::DATE AS start_date,
    (p.payload->>'ends_on')::DATE AS end_date,
    CASE WHEN (p.payload->>'budget_by') IN ('project', 'task', 'person') THEN (p.payload->>'budget')::DECIMAL(12,4) END AS budget_hours,
    CASE
        WHEN (p.payload->>'is_fixed_fee')::BOOLEAN THEN (p.payload->>'fee')::DECIMAL(18,6)
        WHEN (p.payload->>'budget_by') IN ('project_cost', 'task_fees') THEN (p.payload->>'cost_budget')::DECIMAL(18,6)
    END AS budget_amount,
    p.payload->'client'->>'currency' AS currency,
    p.payload->>'bill_by' AS bill_by,
    (p.payload->>'hourly_rate')::DECIMAL(18,6) AS hourly_rate,
    coalesce((p.payload->>'budget_is_monthly')::BOOLEAN, false) AS budget_is_monthly,
    co.base_uri || '/projects/' || p.id AS source_url,
    p.updated_at
FROM {{ source "harvest" "projects" }} p
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
