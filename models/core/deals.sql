-- The canonical deal, from every CRM.
-- test: unique(deal_key)
-- test: not_null(deal_key, name)
WITH d AS (
    SELECT * FROM {{ ref "staging.hubspot_deals" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.pipedrive_deals" }}
)
SELECT deal_key, source, source_id, client_key, name, amount, currency, stage, probability, close_date,
    is_won, is_closed, owner, project_code
FROM d
