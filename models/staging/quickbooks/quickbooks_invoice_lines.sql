-- QuickBooks invoice lines: only item lines count (subtotal, group and
-- description lines would count twice or not at all). A line's project is
-- its class, else the invoice's job.
-- test: unique(line_key)
WITH l AS (
    SELECT i.source, i.source_id AS invoice_id, i.invoice_key, i.job_name, i.is_credit_note, line
    FROM {{ ref "staging.quickbooks_invoices" }} i, unnest(from_json(coalesce(i.lines, '[]'), '["JSON"]')) AS t(line)
)
SELECT
    source,
    invoice_id || ':' || (line->>'Id') AS source_id,
    invoice_key || ':' || (line->>'Id') AS line_key,
    invoice_key,
    CAST(NULL AS VARCHAR) AS project_key,
    coalesce(line->'SalesItemLineDetail'->'ClassRef'->>'name', job_name) AS project_ref,
    'service' AS kind,
    line->>'Description' AS description,
    (line->'SalesItemLineDetail'->>'Qty')::DECIMAL(18,6) AS quantity,
    (line->'SalesItemLineDetail'->>'UnitPrice')::DECIMAL(18,6) AS unit_price,
    (CASE WHEN is_credit_note THEN -1 ELSE 1 END * (line->>'Amount')::DECIMAL(18,6))::DECIMAL(18,6) AS net_amount
FROM l
WHERE (line->>'DetailType') = 'SalesItemLineDetail'
