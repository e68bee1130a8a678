-- title: Client profitability
-- param: from date
-- param: to date
-- Per client over the period (marts.client_month_reported), lowest margin % first:
-- hours, earned revenue, cost, margin, margin %, invoiced.
SELECT
    client_key,
    any_value(client_name) AS client,
    sum(hours)::DECIMAL(14,2) AS hours,
    sum(revenue)::DECIMAL(18,2) AS revenue,
    sum(cost_amount)::DECIMAL(18,2) AS cost,
    sum(margin)::DECIMAL(18,2) AS margin,
    round(sum(margin) / nullif(sum(revenue), 0), 4) AS margin_pct,
    sum(invoiced_amount)::DECIMAL(18,2) AS invoiced
FROM marts.client_month_reported
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
GROUP BY client_key
HAVING sum(revenue) <> 0 OR sum(invoiced_amount) <> 0 -- not the agency's own internal time
ORDER BY margin_pct NULLS LAST, client
