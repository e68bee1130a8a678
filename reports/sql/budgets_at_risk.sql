-- title: Budgets at risk
-- Running projects that have used 75% or more of their budget (metrics
-- §6.6's first band), most used first.
SELECT
    project_key,
    project_name AS project,
    client_name AS client,
    billing_model,
    hours::DECIMAL(14,2) AS hours,
    budget_hours::DECIMAL(14,2) AS budget_hours,
    budget_amount::DECIMAL(18,2) AS budget_amount,
    round(budget_used_pct, 4) AS budget_used_pct,
    CASE WHEN budget_used_pct >= 1 THEN 'over' WHEN budget_used_pct >= 0.9 THEN 'critical' ELSE 'watch' END AS band,
    source_url
FROM marts.project_financials
WHERE status = 'active' AND budget_used_pct >= 0.75
ORDER BY budget_used_pct DESC, project
