-- Money received against invoices: Xero payments, QuickBooks payments by
-- the invoice each line pays, and — Harvest and Productive keep no payment
-- records a sync reads — a paid invoice's amount paid on its paid date (a
-- part payment there has no date and stays out). amount is in the invoice's
-- currency; amount_reporting at the rate the ledger stored on the invoice,
-- so receivables and payments meet exactly. is_ledger as the invoice's.
-- test: unique(payment_key)
-- test: relationships(invoice_key -> core.invoices.invoice_key)
WITH p AS (
    SELECT source, source_id, payment_key, invoice_key, payment_date, amount FROM {{ ref "staging.xero_payments" }}
    UNION ALL
    SELECT source, source_id, payment_key, invoice_key, payment_date, amount FROM {{ ref "staging.quickbooks_payments" }}
    UNION ALL
    SELECT source, source_id, invoice_key || ':paid', invoice_key, paid_date, amount_paid
    FROM {{ ref "staging.harvest_invoices" }} WHERE paid_date IS NOT NULL AND amount_paid <> 0
    UNION ALL
    SELECT source, source_id, invoice_key || ':paid', invoice_key, paid_date, amount_paid
    FROM {{ ref "staging.productive_invoices" }} WHERE paid_date IS NOT NULL AND amount_paid <> 0
)
SELECT
    p.payment_key, p.source, p.source_id, p.invoice_key, i.client_key, p.payment_date,
    p.amount::DECIMAL(18,6) AS amount, i.currency,
    (p.amount * coalesce(i.net_amount_reporting / nullif(i.net_amount, 0), CASE WHEN i.currency = o.currency THEN 1 END))::DECIMAL(18,6) AS amount_reporting,
    i.is_ledger
FROM p
JOIN {{ ref "core.invoices" }} i USING (invoice_key)
CROSS JOIN seeds.org o
