-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->'attributes'->>'name' AS name,
    payload->'attributes'->>'default_currency' AS currency,
    (payload->'attributes'->>'archived_at') IS NULL AS active,
    updated_at
FROM {{ source "productive" "companies" }}
