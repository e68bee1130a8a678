-- title: Budgets at risk
-- param: client string
-- param: currency string
-- Running projects in the amber or red band of metrics §6.6 (used ≥ 75%,
-- estimate at completion over budget, or burn running 15 points ahead of
-- progress), red first: used, burn per week over the last four, runway,
-- estimate at completion and the variance (negative: forecast overrun).
SELECT
    f.project_key,
    p.project_name AS project,
    p.client_name AS client,
    p.billing_model,
    f.budget_unit,
    f.budget::DECIMAL(18,2) AS budget,
    f.consumed::DECIMAL(18,2) AS consumed,
    round(f.budget_used_pct, 4) AS budget_used_pct,
    f.burn_rate_week::DECIMAL(18,2) AS burn_per_week,
    round(f.runway_weeks, 1) AS runway_weeks,
    f.eac::DECIMAL(18,2) AS eac,
    f.vac::DECIMAL(18,2) AS vac,
    f.status,
    p.source_url
FROM marts.project_forecast f
JOIN marts.project_financials p USING (project_key)
WHERE p.status = 'active' AND f.status IN ('red', 'amber')
  AND ($client::VARCHAR IS NULL OR p.client_key = $client::VARCHAR OR p.client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR p.client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
ORDER BY f.status DESC, f.budget_used_pct DESC, project
