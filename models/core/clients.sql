-- test: unique(client_key)
SELECT client_key, source, source_id, name, currency, active
FROM {{ ref "staging.harvest_clients" }}
