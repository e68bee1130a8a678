-- title: Earned and invoiced revenue by month
-- param: from date
-- param: to date
-- param: client string
-- param: currency string
-- Per calendar month, in the reporting currency: revenue earned from time
-- (T&M and retainers at the stamped rates, fixed fees by percent complete), its cost
-- and margin, and what the ledger invoiced net of tax and credit notes
-- (marts.client_month_reported).
SELECT
    month,
    strftime(month, '%Y-%m') AS period,
    any_value(currency) AS currency,
    sum(hours)::DECIMAL(14,2) AS hours,
    sum(revenue)::DECIMAL(18,2) AS revenue,
    sum(cost_amount)::DECIMAL(18,2) AS cost,
    sum(margin)::DECIMAL(18,2) AS margin,
    sum(invoiced_amount)::DECIMAL(18,2) AS invoiced,
    sum(credited_amount)::DECIMAL(18,2) AS credited
FROM marts.client_month_reported
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR client_key = $client::VARCHAR OR client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
GROUP BY month
ORDER BY month
