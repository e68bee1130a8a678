-- Every invoice line belongs to an invoice in core.invoices.
SELECT l.line_key FROM core.invoice_lines l
LEFT JOIN core.invoices i USING (invoice_key)
WHERE i.invoice_key IS NULL
