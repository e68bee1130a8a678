-- Productive invoices: amounts are cents, often as strings; `amount` is net.
-- test: unique(invoice_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS invoice_key,
    source || ':' || (payload->'relationships'->'company'->'data'->>'id') AS client_key,
    payload->'attributes'->>'number' AS number,
    (payload->'attributes'->>'invoiced_on')::DATE AS issue_date,
    (payload->'attributes'->>'pay_on')::DATE AS due_date,
    CASE WHEN (payload->'attributes'->>'invoiced_on') IS NULL THEN 'draft'
         WHEN (payload->'attributes'->>'amount_paid')::DECIMAL(20,0) >= (payload->'attributes'->>'amount_with_tax')::DECIMAL(20,0) THEN 'paid'
         ELSE 'open' END AS status,
    payload->'attributes'->>'currency' AS currency,
    ((payload->'attributes'->>'amount_with_tax')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS total,
    ((payload->'attributes'->>'amount_tax')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS tax_amount,
    ((payload->'attributes'->>'amount_paid')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS amount_paid,
    (((payload->'attributes'->>'amount_with_tax')::DECIMAL(20,0) - coalesce((payload->'attributes'->>'amount_paid')::DECIMAL(20,0), 0)) * 0.01)::DECIMAL(18,6) AS amount_due,
    (payload->'attributes'->>'paid_on')::DATE AS paid_date,
    updated_at
FROM {{ source "productive" "invoices" }}
