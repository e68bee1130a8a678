-- Pipedrive organizations are the CRM's clients.
-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->>'name' AS name,
    CAST(NULL AS VARCHAR) AS currency,
    NOT coalesce((payload->>'is_deleted')::BOOLEAN, false) AS active,
    updated_at
FROM {{ source "pipedrive" "organizations" }}
