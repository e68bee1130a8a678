-- test: unique(line_key)
-- test: relationships(invoice_key -> core.invoices.invoice_key)
SELECT
    l.line_key, l.source, l.source_id, l.invoice_key, i.client_key, l.project_key,
    i.number, i.issue_date, i.status, i.currency, i.fx_rate,
    l.kind, l.description, l.quantity, l.unit_price, l.net_amount,
    i.is_credit_note
FROM {{ ref "staging.harvest_invoice_lines" }} l
JOIN {{ ref "core.invoices" }} i USING (invoice_key)
