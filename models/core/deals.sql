-- The canonical deal, from every CRM.
-- test: unique(deal_key)
-- test: not_null(deal_key, name)
SELECT deal_key, source, source_id, client_key, name, amount, currency, stage, probability, close_date,
    is_won, is_closed, owner, project_code
FROM {{ ref "staging.hubspot_deals" }}
