-- How each client pays, from the ledger's payments of the last 365 days to
-- org.as_of, each weighed by its amount:
--   days_to_pay  Σ amount × (payment date − issue date) ÷ Σ amount
--   days_late    Σ amount × (payment date − due date) ÷ Σ amount (negative: early)
-- The agency's own figures (all clients) are the row with client_key NULL,
-- the fallback for a client with no payment history. The cash forecast
-- expects each open invoice days_to_pay after it was issued.
-- test: unique(client_key)
WITH p AS (
    SELECT p.client_key, p.amount_reporting AS amount, p.payment_date - i.issue_date AS to_pay, p.payment_date - coalesce(i.due_date, i.issue_date) AS late
    FROM {{ ref "core.payments" }} p
    JOIN {{ ref "core.invoices" }} i USING (invoice_key)
    CROSS JOIN seeds.org o
    WHERE p.is_ledger AND p.amount_reporting > 0 AND p.payment_date > o.as_of - INTERVAL 365 DAY AND p.payment_date <= o.as_of
)
SELECT
    client_key,
    count(*) AS payments,
    sum(amount)::DECIMAL(18,6) AS paid_reporting,
    (sum(amount * to_pay) / sum(amount))::DECIMAL(9,2) AS days_to_pay,
    (sum(amount * late) / sum(amount))::DECIMAL(9,2) AS days_late
FROM p
GROUP BY GROUPING SETS ((client_key), ())
