-- title: Project margin and budget burn
-- param: client string
-- param: currency string
-- param: status string
-- Projects to date, most hours first. Money is in each project's currency.
SELECT
    project_key,
    project_name AS project,
    client_name AS client,
    billing_model,
    status,
    currency,
    hours::DECIMAL(14,2) AS hours,
    billable_h::DECIMAL(14,2) AS billable_h,
    revenue::DECIMAL(18,2) AS revenue,
    cost_amount::DECIMAL(18,2) AS cost,
    margin::DECIMAL(18,2) AS margin,
    round(margin_pct, 4) AS margin_pct,
    invoiced_amount::DECIMAL(18,2) AS invoiced,
    wip_amount::DECIMAL(18,2) AS wip,
    budget_hours::DECIMAL(14,2) AS budget_hours,
    budget_amount::DECIMAL(18,2) AS budget_amount,
    round(budget_used_pct, 4) AS budget_used_pct,
    source_url
FROM marts.project_financials
WHERE billing_model <> 'non_billable'
  AND ($client::VARCHAR IS NULL OR client_key = $client::VARCHAR OR client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
  AND ($status::VARCHAR IS NULL OR status = $status::VARCHAR)
ORDER BY hours DESC, project
