-- test: unique(line_key)
-- test: relationships(invoice_key -> core.invoices.invoice_key)
WITH l AS (
    SELECT * FROM {{ ref "staging.harvest_invoice_lines" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_invoice_lines" }}
)
SELECT
    l.line_key, l.source, l.source_id, l.invoice_key, i.client_key, l.project_key,
    i.number, i.issue_date, i.status, i.currency, i.fx_rate,
    l.kind, l.description, l.quantity, l.unit_price, l.net_amount,
    i.is_credit_note
FROM l
JOIN {{ ref "core.invoices" }} i USING (invoice_key)
