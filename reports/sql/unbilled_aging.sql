-- title: Unbilled billable time by age
-- param: client string
-- param: currency string
-- Billable client time on no invoice, by how old it is: the work-in-progress
-- that waits for a bill (T&M and retainers; fixed fees bill by milestone),
-- in the reporting currency.
WITH u AS (
    SELECT
        (SELECT as_of FROM seeds.org) - e.entry_date AS age,
        e.billable_value_reporting AS billable_amount, e.billable_hours
    FROM marts.entry_values e
    JOIN core.projects p USING (project_key)
    LEFT JOIN core.clients c ON c.client_key = p.client_key
    WHERE p.billing_model IN ('tm', 'retainer') AND e.time_category = 'client' AND e.billable
      AND e.invoice_key IS NULL AND NOT coalesce(e.is_billed, false)
      AND ($client::VARCHAR IS NULL OR p.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
      AND ($currency::VARCHAR IS NULL OR p.client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
),
buckets(ord, bucket, lo, hi) AS (
    VALUES (1, '0–30 days', -100000, 30), (2, '31–60 days', 31, 60), (3, '61–90 days', 61, 90), (4, 'over 90 days', 91, 100000)
)
-- Every bucket, empty ones at zero, so the chart's axis never shifts.
SELECT b.bucket, coalesce(sum(u.billable_hours), 0)::DECIMAL(14,2) AS hours, coalesce(sum(u.billable_amount), 0)::DECIMAL(18,2) AS unbilled
FROM buckets b
LEFT JOIN u ON u.age BETWEEN b.lo AND b.hi
GROUP BY b.ord, b.bucket
ORDER BY b.ord
