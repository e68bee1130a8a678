-- Harvest expenses. total_cost is in the project's currency; billable
-- expenses are rebilled to the client (pass-through, metrics §4.7), the
-- others are project costs the agency keeps (direct non-labour, §5.1).
-- test: unique(expense_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS expense_key,
    source || ':' || (payload->'project'->>'id') AS project_key,
    CASE WHEN (payload->'user'->>'id') IS NOT NULL THEN source || ':' || (payload->'user'->>'id') END AS person_key,
    (payload->>'spent_date')::DATE AS expense_date,
    payload->'expense_category'->>'name' AS category,
    (payload->>'total_cost')::DECIMAL(18,6) AS amount,
    payload->'client'->>'currency' AS currency,
    coalesce((payload->>'billable')::BOOLEAN, false) AS billable,
    coalesce((payload->>'is_billed')::BOOLEAN, false) AS is_billed,
    payload->>'notes' AS notes,
    co.base_uri || '/expenses/' || strftime((payload->>'spent_date')::DATE, '%Y/%m/%d') || '/' || (payload->'user'->>'id') AS source_url,
    updated_at
FROM {{ source "harvest" "expenses" }}
LEFT JOIN {{ ref "staging.harvest_company" }} co USING (source)
