-- title: Receivables by client and age
-- param: client string
-- param: currency string
-- What each client owes at org.as_of by days overdue (marts.receivables),
-- in the reporting currency, most overdue first, with how long the client
-- usually takes to pay and how late that is against its terms
-- (marts.client_payment_terms, last 365 days). currency is the client's
-- contract currency.
SELECT
    r.client_key,
    r.client_name AS client,
    sum(r.outstanding_reporting) FILTER (WHERE r.aging_bucket = 'current')::DECIMAL(18,2) AS current,
    sum(r.outstanding_reporting) FILTER (WHERE r.aging_bucket = '1–30')::DECIMAL(18,2) AS overdue_1_30,
    sum(r.outstanding_reporting) FILTER (WHERE r.aging_bucket = '31–60')::DECIMAL(18,2) AS overdue_31_60,
    sum(r.outstanding_reporting) FILTER (WHERE r.aging_bucket = '61–90')::DECIMAL(18,2) AS overdue_61_90,
    sum(r.outstanding_reporting) FILTER (WHERE r.aging_bucket = '90+')::DECIMAL(18,2) AS overdue_90_plus,
    sum(r.outstanding_reporting)::DECIMAL(18,2) AS total,
    any_value(t.days_to_pay) AS days_to_pay,
    any_value(t.days_late) AS days_late
FROM marts.receivables r
LEFT JOIN marts.client_payment_terms t USING (client_key)
LEFT JOIN core.clients c USING (client_key)
WHERE ($client::VARCHAR IS NULL OR r.client_key = $client::VARCHAR OR r.client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
GROUP BY ALL
ORDER BY coalesce(sum(r.outstanding_reporting) FILTER (WHERE r.days_overdue > 0), 0) DESC, total DESC, client
