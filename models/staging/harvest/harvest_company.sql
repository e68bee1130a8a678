-- The Harvest account: its web address builds links back to records.
SELECT source, payload->>'name' AS name, rtrim(payload->>'base_uri', '/') AS base_uri
FROM {{ source "harvest" "company" }}
