-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->>'name' AS name,
    payload->>'currency' AS currency,
    coalesce((payload->>'is_active')::BOOLEAN, true) AS active,
    updated_at
FROM {{ source "harvest" "clients" }}
