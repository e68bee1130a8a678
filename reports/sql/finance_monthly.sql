-- title: Revenue, cost and margin by month
-- param: from date
-- param: to date
-- param: client string
-- param: currency string
-- Per calendar month, in the reporting currency (marts.client_month_reported): earned
-- revenue, cost of hours, margin and margin %, what the ledger invoiced,
-- and invoiced ÷ earned (above 1 when billing runs ahead of the work).
SELECT
    month,
    strftime(month, '%Y-%m') AS period,
    sum(revenue)::DECIMAL(18,2) AS revenue,
    sum(cost_amount)::DECIMAL(18,2) AS cost,
    sum(margin)::DECIMAL(18,2) AS margin,
    round(sum(margin) / nullif(sum(revenue), 0), 4) AS margin_pct,
    sum(invoiced_amount)::DECIMAL(18,2) AS invoiced,
    round(sum(invoiced_amount) / nullif(sum(revenue), 0), 4) AS invoiced_to_earned
FROM marts.client_month_reported
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR client_key = $client::VARCHAR OR client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
GROUP BY month
ORDER BY month
