-- Productive services are a budget's priced lines (the closest thing to a
-- task); billing_type_id 1 fixed, 2 actuals (T&M), 3 none. Prices are cents,
-- sometimes sent as strings.
-- test: unique(task_key)
SELECT
    s.source,
    s.id AS source_id,
    s.source || ':' || s.id AS task_key,
    s.source || ':' || (d.payload->'relationships'->'project'->'data'->>'id') AS project_key,
    s.payload->'attributes'->>'name' AS name,
    coalesce((s.payload->'attributes'->>'billing_type_id')::INTEGER, 3) AS billing_type_id,
    coalesce((s.payload->'attributes'->>'billing_type_id')::INTEGER, 3) IN (1, 2) AS billable,
    ((s.payload->'attributes'->>'price')::DECIMAL(20,0) * 0.01)::DECIMAL(18,6) AS hourly_rate,
    true AS active
FROM {{ source "productive" "services" }} s
LEFT JOIN {{ source "productive" "deals" }} d ON d.id = (s.payload->'relationships'->'deal'->'data'->>'id') AND d.source = s.source
