-- Harvest projects. Harvest has no retainer type: a budget that resets every
-- month (budget_is_monthly) is read as a retainer. Budgets in hours apply when
-- budget_by is project, task or person; project_cost budgets are money.
-- test: unique(project_key)
-- test: accepted_values(billing_model: tm, fixed_fee, retainer, non_billable)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS project_key,
    source || ':' || (payload->'client'->>'id') AS client_key,
    payload->>'name' AS name,
    nullif(payload->>'code', '') AS code,
    CASE
        WHEN NOT coalesce((payload->>'is_billable')::BOOLEAN, true) THEN 'non_billable'
        WHEN (payload->>'is_fixed_fee')::BOOLEAN THEN 'fixed_fee'
        WHEN (payload->>'budget_is_monthly')::BOOLEAN THEN 'retainer'
        ELSE 'tm'
    END AS billing_model,
    CASE WHEN coalesce((payload->>'is_active')::BOOLEAN, true) THEN 'active' ELSE 'archived' END AS status,
    (payload->>'starts_on')::DATE AS start_date,
    (payload->>'ends_on')::DATE AS end_date,
    CASE WHEN payload->>'budget_by' IN ('project', 'task', 'person') THEN (payload->>'budget')::DECIMAL(12,4) END AS budget_hours,
    CASE
        WHEN (payload->>'is_fixed_fee')::BOOLEAN THEN (payload->>'fee')::DECIMAL(18,6)
        WHEN payload->>'budget_by' IN ('project_cost', 'task_fees') THEN (payload->>'cost_budget')::DECIMAL(18,6)
    END AS budget_amount,
    payload->'client'->>'currency' AS currency,
    payload->>'bill_by' AS bill_by,
    (payload->>'hourly_rate')::DECIMAL(18,6) AS hourly_rate,
    coalesce((payload->>'budget_is_monthly')::BOOLEAN, false) AS budget_is_monthly,
    updated_at
FROM {{ source "harvest" "projects" }}
