-- The canonical invoice, from every tool that holds invoices. project_key is
-- set when every line names the same project. Voided and deleted documents
-- are kept with their status; credit notes are negative. net_amount_reporting
-- sums the lines' (see core.invoice_lines). amount_due is what the client
-- still owes as the tool says it (Xero AmountDue, QuickBooks Balance, Harvest
-- due_amount; an open credit note's remaining credit, negative).
-- test: unique(invoice_key)
-- test: relationships(client_key -> core.clients.client_key)
WITH i AS (
    SELECT * EXCLUDE (line_items, paid_date) FROM {{ ref "staging.harvest_invoices" }}
    UNION ALL BY NAME
    SELECT * EXCLUDE (paid_date) FROM {{ ref "staging.productive_invoices" }}
    UNION ALL BY NAME
    SELECT * EXCLUDE (line_items, line_amount_types, is_credit_note, fx_quote) FROM {{ ref "staging.xero_invoices" }}
    UNION ALL BY NAME
    SELECT * EXCLUDE (lines, job_name, is_credit_note, fx_quote) FROM {{ ref "staging.quickbooks_invoices" }}
)
SELECT
    i.invoice_key,
    i.source,
    i.source_id,
    i.client_key,
    CASE WHEN count(DISTINCT l.project_key) = 1 THEN min(l.project_key) END AS project_key,
    i.number,
    i.issue_date,
    i.due_date,
    i.status,
    i.currency,
    i.fx_rate,
    (i.total - i.tax_amount)::DECIMAL(18,6) AS net_amount,
    sum(l.net_amount_reporting)::DECIMAL(18,6) AS net_amount_reporting,
    i.tax_amount,
    i.total,
    i.amount_paid,
    i.amount_due,
    i.source_url,
    i.total < 0 AS is_credit_note,
    bool_or(l.is_ledger) AS is_ledger
FROM i
LEFT JOIN {{ ref "core.invoice_lines" }} l USING (invoice_key)
GROUP BY ALL
