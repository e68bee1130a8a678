-- Xero invoice lines. Net = LineAmount, less its tax when amounts are
-- tax-inclusive. The project is named by the line's tracking option (a
-- "Project" or "Job" category, else the first); core.invoice_lines matches
-- it to a project's code or name.
-- test: unique(line_key)
WITH l AS (
    SELECT i.source, i.invoice_key, i.is_credit_note, i.line_amount_types, line
    FROM {{ ref "staging.xero_invoices" }} i, unnest(from_json(coalesce(i.line_items, '[]'), '["JSON"]')) AS t(line)
)
SELECT
    source,
    line->>'LineItemID' AS source_id,
    source || ':' || (line->>'LineItemID') AS line_key,
    invoice_key,
    CAST(NULL AS VARCHAR) AS project_key,
    coalesce(
        (SELECT o->>'Option' FROM (SELECT unnest(from_json(line->'Tracking', '["JSON"]')) AS o) WHERE regexp_matches(lower(o->>'Name'), 'project|job') LIMIT 1),
        line->'Tracking'->0->>'Option') AS project_ref,
    'service' AS kind,
    line->>'Description' AS description,
    (line->>'Quantity')::DECIMAL(18,6) AS quantity,
    (line->>'UnitAmount')::DECIMAL(18,6) AS unit_price,
    (CASE WHEN is_credit_note THEN -1 ELSE 1 END *
        CASE WHEN line_amount_types = 'Inclusive'
             THEN (line->>'LineAmount')::DECIMAL(18,6) - coalesce((line->>'TaxAmount')::DECIMAL(18,6), 0)
             ELSE (line->>'LineAmount')::DECIMAL(18,6) END)::DECIMAL(18,6) AS net_amount
FROM l
