-- Xero contacts are the ledger's clients (archived ones included).
-- test: unique(client_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS client_key,
    payload->>'Name' AS name,
    nullif(payload->>'DefaultCurrency', '') AS currency,
    coalesce((payload->>'ContactStatus'), 'ACTIVE') = 'ACTIVE' AS active,
    updated_at
FROM {{ source "xero" "contacts" }}
