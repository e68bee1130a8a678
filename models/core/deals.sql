-- The canonical deal, from every CRM. amount_reporting translates the amount
-- into org.currency at the latest fx_rates row on or before org.as_of (a
-- forecast is translated at the snapshot date, metrics §9.4); without a
-- rate the amount is kept as it is.
-- test: unique(deal_key)
-- test: not_null(deal_key, name)
WITH d AS (
    SELECT * FROM {{ ref "staging.hubspot_deals" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.pipedrive_deals" }}
)
SELECT d.deal_key, d.source, d.source_id, d.client_key, d.name, d.amount, d.currency,
    (d.amount::DECIMAL(38,6) * CASE WHEN d.currency IS NULL OR d.currency = o.currency THEN 1 ELSE coalesce((
        SELECT f.rate FROM seeds.fx_rates f
        WHERE f.from_currency = d.currency AND f.to_currency = o.currency AND f.date <= o.as_of
        ORDER BY f.date DESC LIMIT 1), 1) END)::DECIMAL(18,2) AS amount_reporting,
    d.stage, d.probability, d.close_date, d.is_won, d.is_closed, d.owner, d.project_code, d.source_url
FROM d
CROSS JOIN seeds.org o
