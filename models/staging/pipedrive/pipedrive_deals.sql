-- Pipedrive deals. Won and lost are the deal's status; the probability is
-- the deal's own, else its stage's (0–100). Deleted deals are left out. The
-- project code is the custom field named "Project code" (its 40-character
-- key differs per company, so it is looked up in the deal fields).
-- test: unique(deal_key)
WITH code_field AS (
    SELECT source, min(payload->>'key') AS field_key
    FROM {{ source "pipedrive" "deal_fields" }}
    WHERE lower(payload->>'name') IN ('project code', 'project', 'job code')
    GROUP BY source
),
users AS (
    SELECT source, id, lower(payload->>'email') AS email FROM {{ source "pipedrive" "users" }}
),
stages AS (
    SELECT source, id, payload->>'name' AS name, (payload->>'deal_probability')::DECIMAL(7,4) / 100 AS probability
    FROM {{ source "pipedrive" "stages" }}
)
SELECT
    d.source,
    d.id AS source_id,
    d.source || ':' || d.id AS deal_key,
    CASE WHEN (d.payload->>'org_id') IS NOT NULL THEN d.source || ':' || (d.payload->>'org_id') END AS client_key,
    d.payload->>'title' AS name,
    (d.payload->>'value')::DECIMAL(18,6) AS amount,
    coalesce(d.payload->>'currency', o.currency) AS currency,
    CASE (d.payload->>'status') WHEN 'won' THEN 'Closed won' WHEN 'lost' THEN 'Closed lost' ELSE s.name END AS stage,
    CASE (d.payload->>'status') WHEN 'won' THEN 1 WHEN 'lost' THEN 0
         ELSE coalesce((d.payload->>'probability')::DECIMAL(7,4) / 100, s.probability) END::DECIMAL(5,4) AS probability,
    coalesce((d.payload->>'won_time')::TIMESTAMPTZ::DATE, (d.payload->>'lost_time')::TIMESTAMPTZ::DATE,
             (d.payload->>'expected_close_date')::DATE) AS close_date,
    (d.payload->>'status') = 'won' AS is_won,
    (d.payload->>'status') IN ('won', 'lost') AS is_closed,
    u.email AS owner,
    nullif(json_extract_string(d.payload->'custom_fields', '$."' || f.field_key || '"'), '') AS project_code,
    'https://' || acc.company_domain || '.pipedrive.com/deal/' || d.id AS source_url,
    d.updated_at
FROM {{ source "pipedrive" "deals" }} d
LEFT JOIN code_field f ON f.source = d.source
LEFT JOIN users u ON u.source = d.source AND u.id = (d.payload->>'owner_id')
LEFT JOIN stages s ON s.source = d.source AND s.id = (d.payload->>'stage_id')
LEFT JOIN (SELECT source, any_value(payload->>'company_domain') AS company_domain FROM {{ source "pipedrive" "account" }} GROUP BY source) acc
    ON acc.source = d.source
CROSS JOIN seeds.org o
WHERE (d.payload->>'status') <> 'deleted' AND NOT coalesce((d.payload->>'is_deleted')::BOOLEAN, false)
