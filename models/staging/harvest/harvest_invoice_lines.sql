-- Harvest invoice line items come inline with each invoice; each invoice's
-- lines are parsed once into the fields read (unnested in the select list:
-- a lateral join would match every invoice's lines back by their text),
-- and kept as a table for core.invoice_lines and its test.
-- materialized: table
-- test: unique(line_key)
WITH l AS (
    SELECT source, source_id, invoice_key,
        unnest(from_json(line_items, '[{"id": "VARCHAR", "project": {"id": "VARCHAR"}, "kind": "VARCHAR",
            "description": "VARCHAR", "quantity": "VARCHAR", "unit_price": "VARCHAR", "amount": "VARCHAR"}]')) AS line
    FROM {{ ref "staging.harvest_invoices" }}
)
SELECT
    source,
    source_id || ':' || line.id AS source_id,
    source || ':' || line.id AS line_key,
    invoice_key,
    CASE WHEN line.project.id IS NOT NULL THEN source || ':' || line.project.id END AS project_key,
    line.kind,
    line.description,
    line.quantity::DECIMAL(18,6) AS quantity,
    line.unit_price::DECIMAL(18,6) AS unit_price,
    line.amount::DECIMAL(18,6) AS net_amount
FROM l
