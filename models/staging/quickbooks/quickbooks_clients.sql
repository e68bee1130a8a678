-- test: unique(client_key)
SELECT source, source_id, customer_key AS client_key, name, currency, active, updated_at
FROM {{ ref "staging.quickbooks_customers" }}
WHERE NOT is_job
