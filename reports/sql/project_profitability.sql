-- title: Project profitability
-- param: client string
-- param: currency string
-- Every billable project to date (metrics §4–5): earned revenue, AGI (less
-- pass-through costs), labour and direct non-labour cost, contribution and
-- its % of AGI, the fully loaded margin after overhead, billing and
-- collection realization, the
-- effective rate per worked hour, and WIP (earned, not yet invoiced) or
-- deferred revenue (invoiced ahead of the work). Lowest margin first.
SELECT
    f.project_key,
    f.project_name AS project,
    f.client_name AS client,
    f.billing_model,
    f.hours::DECIMAL(14,2) AS hours,
    f.revenue::DECIMAL(18,2) AS revenue,
    f.agi::DECIMAL(18,2) AS agi,
    f.cost_amount::DECIMAL(18,2) AS labour,
    f.dnl::DECIMAL(18,2) AS direct_non_labour,
    f.margin::DECIMAL(18,2) AS contribution,
    round(f.margin_pct, 4) AS contribution_pct,
    f.fully_loaded_margin::DECIMAL(18,2) AS fully_loaded,
    round(r.billing_realization, 4) AS billing_realization,
    round(r.collection_realization, 4) AS collection_realization,
    r.effective_bill_rate::DECIMAL(18,2) AS effective_rate,
    f.invoiced_amount::DECIMAL(18,2) AS invoiced,
    f.wip_amount::DECIMAL(18,2) AS wip,
    f.deferred_amount::DECIMAL(18,2) AS deferred,
    f.source_url
FROM marts.project_financials f
LEFT JOIN marts.project_realization r USING (project_key)
WHERE f.billing_model <> 'non_billable'
  AND ($client::VARCHAR IS NULL OR f.client_key = $client::VARCHAR OR f.client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR f.client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
ORDER BY f.margin_pct NULLS LAST, f.project_name
