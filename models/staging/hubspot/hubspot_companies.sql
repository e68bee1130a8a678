-- HubSpot companies are the CRM's clients.
-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->'properties'->>'name' AS name,
    CAST(NULL AS VARCHAR) AS currency,
    true AS active,
    updated_at
FROM {{ source "hubspot" "companies" }}
