-- title: Unbilled billable time by age
-- param: client string
-- param: currency string
-- Billable client time on no invoice, by how old it is: the work-in-progress
-- that waits for a bill (T&M and retainers; fixed fees bill by milestone).
WITH u AS (
    SELECT
        (SELECT as_of FROM seeds.org) - e.entry_date AS age,
        e.billable_amount, e.billable_hours
    FROM core.time_entries e
    JOIN core.projects p USING (project_key)
    LEFT JOIN core.clients c ON c.client_key = p.client_key
    WHERE p.billing_model IN ('tm', 'retainer') AND e.time_category = 'client' AND e.billable
      AND e.invoice_key IS NULL AND NOT coalesce(e.is_billed, false)
      AND ($client::VARCHAR IS NULL OR p.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
      AND ($currency::VARCHAR IS NULL OR p.client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
)
SELECT bucket, sum(billable_hours)::DECIMAL(14,2) AS hours, coalesce(sum(billable_amount), 0)::DECIMAL(18,2) AS unbilled
FROM (
    SELECT *, CASE WHEN age <= 30 THEN '0–30 days' WHEN age <= 60 THEN '31–60 days'
                   WHEN age <= 90 THEN '61–90 days' ELSE 'over 90 days' END AS bucket
    FROM u
)
GROUP BY bucket
ORDER BY min(age)
