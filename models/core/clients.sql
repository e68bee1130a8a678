-- test: unique(client_key)
WITH c AS (
    SELECT * FROM {{ ref "staging.harvest_clients" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.clockify_clients" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.toggl_clients" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_companies" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.xero_contacts" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.hubspot_companies" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.pipedrive_organizations" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.quickbooks_clients" }}
)
SELECT client_key, source, source_id, name, currency, active FROM c
