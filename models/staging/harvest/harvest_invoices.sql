-- Harvest invoices: amount is the total with tax; net = amount − taxes.
-- Each payload is parsed once (json_transform into the fields read, as
-- the time entries are; numbers are read as text and cast, so an amount is
-- never rounded through a double), and kept as a table: the invoices,
-- their lines and their tests each read it.
-- materialized: table
-- test: unique(invoice_key)
WITH i AS (
    SELECT source, id, updated_at, json_transform(payload, '{
        "client": {"id": "VARCHAR"}, "number": "VARCHAR", "issue_date": "DATE", "due_date": "DATE",
        "state": "VARCHAR", "currency": "VARCHAR", "amount": "VARCHAR", "tax_amount": "VARCHAR",
        "tax2_amount": "VARCHAR", "due_amount": "VARCHAR", "paid_date": "DATE",
        "line_items": "JSON"}') AS j
    FROM {{ source "harvest" "invoices" }}
)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS invoice_key,
    source || ':' || j.client.id AS client_key,
    j.number,
    j.issue_date,
    j.due_date,
    j.state AS status,
    j.currency,
    j.amount::DECIMAL(18,6) AS total,
    (coalesce(j.tax_amount::DECIMAL(18,6), 0) + coalesce(j.tax2_amount::DECIMAL(18,6), 0))::DECIMAL(18,6) AS tax_amount,
    (j.amount::DECIMAL(18,6) - coalesce(j.due_amount::DECIMAL(18,6), 0))::DECIMAL(18,6) AS amount_paid,
    coalesce(j.due_amount::DECIMAL(18,6), 0) AS amount_due,
    j.paid_date,
    j.line_items,
    co.base_uri || '/invoices/' || id AS source_url,
    updated_at
FROM i
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
