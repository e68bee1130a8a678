-- HubSpot deals. Every property is a string; amount is in the deal's
-- currency. The client is the primary associated company (association type
-- 5), else the first; project_code (a custom property) links a deal to the
-- project it became.
-- test: unique(deal_key)
WITH assoc AS (
    SELECT source, id AS deal_id,
        coalesce(
            (SELECT t->>'toObjectId' FROM (SELECT unnest(from_json(payload->'to', '["JSON"]')) AS t)
             WHERE (t->'associationTypes'->0->>'typeId') = '5' LIMIT 1),
            payload->'to'->0->>'toObjectId') AS company_id
    FROM {{ source "hubspot" "deal_companies" }}
),
owners AS (
    SELECT source, id, payload->>'email' AS email FROM {{ source "hubspot" "owners" }}
),
portal AS (
    SELECT source, min(id) AS portal_id FROM {{ source "hubspot" "account" }} GROUP BY source
)
SELECT
    d.source,
    d.id AS source_id,
    d.source || ':' || d.id AS deal_key,
    CASE WHEN a.company_id IS NOT NULL THEN d.source || ':' || a.company_id END AS client_key,
    d.payload->'properties'->>'dealname' AS name,
    nullif(d.payload->'properties'->>'amount', '')::DECIMAL(18,6) AS amount,
    coalesce(nullif(d.payload->'properties'->>'deal_currency_code', ''), o.currency) AS currency,
    s.label AS stage,
    coalesce(s.probability, nullif(d.payload->'properties'->>'hs_deal_stage_probability', '')::DECIMAL(5,4)) AS probability,
    (d.payload->'properties'->>'closedate')::TIMESTAMPTZ::DATE AS close_date,
    coalesce(s.is_closed AND s.probability = 1, (d.payload->'properties'->>'hs_is_closed_won') = 'true') AS is_won,
    coalesce(s.is_closed, (d.payload->'properties'->>'hs_is_closed') = 'true') AS is_closed,
    ow.email AS owner,
    nullif(d.payload->'properties'->>'project_code', '') AS project_code,
    'https://app.hubspot.com/contacts/' || pt.portal_id || '/record/0-3/' || d.id AS source_url,
    d.updated_at
FROM {{ source "hubspot" "deals" }} d
LEFT JOIN assoc a ON a.source = d.source AND a.deal_id = d.id
LEFT JOIN {{ ref "staging.hubspot_stages" }} s ON s.source = d.source AND s.stage_id = (d.payload->'properties'->>'dealstage')
LEFT JOIN owners ow ON ow.source = d.source AND ow.id = (d.payload->'properties'->>'hubspot_owner_id')
LEFT JOIN portal pt ON pt.source = d.source
CROSS JOIN seeds.org o
