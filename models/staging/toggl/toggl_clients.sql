-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->>'name' AS name,
    CAST(NULL AS VARCHAR) AS currency,
    NOT coalesce((payload->>'archived')::BOOLEAN, false) AS active,
    updated_at
FROM {{ source "toggl" "clients" }}
