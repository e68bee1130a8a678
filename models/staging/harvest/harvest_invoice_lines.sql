-- Harvest invoice line items come inline with each invoice.
-- test: unique(line_key)
SELECT
    i.source,
    i.source_id || ':' || (l.line->>'id') AS source_id,
    i.source || ':' || (l.line->>'id') AS line_key,
    i.invoice_key,
    CASE WHEN (l.line->'project'->>'id') IS NOT NULL THEN i.source || ':' || (l.line->'project'->>'id') END AS project_key,
    l.line->>'kind' AS kind,
    l.line->>'description' AS description,
    (l.line->>'quantity')::DECIMAL(18,6) AS quantity,
    (l.line->>'unit_price')::DECIMAL(18,6) AS unit_price,
    (l.line->>'amount')::DECIMAL(18,6) AS net_amount
FROM {{ ref "staging.harvest_invoices" }} i,
     unnest(from_json(i.line_items, '["JSON"]')) AS l(line)
