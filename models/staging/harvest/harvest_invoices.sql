-- Harvest invoices: amount is the total with tax; net = amount − taxes.
-- test: unique(invoice_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS invoice_key,
    source || ':' || (payload->'client'->>'id') AS client_key,
    payload->>'number' AS number,
    (payload->>'issue_date')::DATE AS issue_date,
    (payload->>'due_date')::DATE AS due_date,
    payload->>'state' AS status,
    payload->>'currency' AS currency,
    (payload->>'amount')::DECIMAL(18,6) AS total,
    (coalesce((payload->>'tax_amount')::DECIMAL(18,6), 0) + coalesce((payload->>'tax2_amount')::DECIMAL(18,6), 0))::DECIMAL(18,6) AS tax_amount,
    ((payload->>'amount')::DECIMAL(18,6) - coalesce((payload->>'due_amount')::DECIMAL(18,6), 0))::DECIMAL(18,6) AS amount_paid,
    coalesce((payload->>'due_amount')::DECIMAL(18,6), 0) AS amount_due,
    (payload->>'paid_date')::DATE AS paid_date,
    payload->'line_items' AS line_items,
    co.base_uri || '/invoices/' || id AS source_url,
    updated_at
FROM {{ source "harvest" "invoices" }}
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
