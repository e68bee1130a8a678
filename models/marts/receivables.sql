-- What clients owe at org.as_of, one row per ledger document with money
-- still due (metrics §4.1: accounts receivable = billed − collected −
-- credited): the ledger's own amount due (Xero AmountDue, QuickBooks Balance,
-- Harvest due_amount when Harvest is the ledger), gross of tax as the
-- client pays it; an open credit note's remaining credit is negative.
--   outstanding_reporting  at the rate the ledger stored on the document
--   days_overdue           org.as_of − due date, 0 when not yet due
--   aging_bucket           current (not yet due), 1–30, 31–60, 61–90, 90+ days overdue
-- test: unique(invoice_key)
SELECT
    i.invoice_key, i.source, i.source_id, i.client_key, c.name AS client_name, i.project_key,
    i.number, i.issue_date, i.due_date, i.currency, i.status, i.is_credit_note,
    i.total, i.amount_paid, i.amount_due AS outstanding,
    (i.amount_due * coalesce(i.net_amount_reporting / nullif(i.net_amount, 0), CASE WHEN i.currency = o.currency THEN 1 END))::DECIMAL(18,6) AS outstanding_reporting,
    greatest(0, o.as_of - coalesce(i.due_date, i.issue_date))::INTEGER AS days_overdue,
    CASE
        WHEN i.due_date IS NULL OR o.as_of <= i.due_date THEN 'current'
        WHEN o.as_of - i.due_date <= 30 THEN '1–30'
        WHEN o.as_of - i.due_date <= 60 THEN '31–60'
        WHEN o.as_of - i.due_date <= 90 THEN '61–90'
        ELSE '90+'
    END AS aging_bucket,
    i.source_url
FROM {{ ref "core.invoices" }} i
LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
CROSS JOIN seeds.org o
WHERE i.is_ledger AND i.status NOT IN ('draft', 'submitted', 'voided', 'deleted')
  AND i.amount_due <> 0 AND i.issue_date <= o.as_of
