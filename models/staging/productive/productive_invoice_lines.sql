-- Productive line items; the project comes through the line's service.
-- test: unique(line_key)
SELECT
    l.source,
    l.id AS source_id,
    l.source || ':' || l.id AS line_key,
    l.source || ':' || (l.payload->'relationships'->'invoice'->'data'->>'id') AS invoice_key,
    s.project_key,
    'service' AS kind,
    l.payload->'attributes'->>'description' AS description,
    (l.payload->'attributes'->>'quantity')::DECIMAL(18,6) AS quantity,
    ((l.payload->'attributes'->>'unit_price')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS unit_price,
    ((l.payload->'attributes'->>'amount')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS net_amount
FROM {{ source "productive" "line_items" }} l
LEFT JOIN {{ ref "staging.productive_services" }} s ON s.task_key = l.source || ':' || (l.payload->'relationships'->'service'->'data'->>'id')
