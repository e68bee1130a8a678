-- The canonical project; currency is its client's.
-- test: unique(project_key)
-- test: not_null(project_key, billing_model)
-- test: relationships(client_key -> core.clients.client_key)
-- test: accepted_values(billing_model: tm, fixed_fee, retainer, non_billable)
SELECT
    p.project_key, p.source, p.source_id, p.client_key, p.name, p.code, p.billing_model, p.status,
    p.start_date, p.end_date, p.budget_hours, p.budget_amount,
    coalesce(p.currency, c.currency) AS currency,
    CAST(NULL AS VARCHAR) AS deal_key,
    co.base_uri || '/projects/' || p.source_id AS source_url
FROM {{ ref "staging.harvest_projects" }} p
LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
LEFT JOIN {{ ref "staging.harvest_company" }} co ON co.source = p.source
