-- The identity review queue: client records of different sources, not
-- linked in core.xref, whose normalized names look alike — Jaro-Winkler
-- similarity of at least gaps.min_similarity (0.85 by default) and an edit
-- distance within a quarter of the longer name, so "Northwind" and
-- "Northwind Studio" are not a pair. A person accepts or rejects each
-- (`conflux mappings accept|reject ID`); they are never merged on their own.
-- Pairs already decided in mappings.yaml are left out. revenue_at_stake is
-- what sits under the lower-ranked record (time tool below CRM below
-- ledger): billable value of its projects' time plus its ledger invoices.
-- test: unique(id)
WITH x AS (
    SELECT x.*, coalesce(s.kind, 'work') AS kind,
        CASE coalesce(s.kind, 'work') WHEN 'accounting' THEN 1 WHEN 'crm' THEN 2 ELSE 3 END AS rank
    FROM {{ ref "core.xref" }} x LEFT JOIN seeds.sources s ON s.name = x.source
    WHERE x.normalized_name <> '' AND x.entity = 'clients'
),
decided AS (
    SELECT a, b FROM seeds.mappings WHERE entity = 'clients'
    UNION ALL SELECT b, a FROM seeds.mappings WHERE entity = 'clients'
),
pairs AS (
    SELECT l.record_key AS left_key, l.name AS left_name, l.source AS left_source,
        r.record_key AS right_key, r.name AS right_name, r.source AS right_source,
        jaro_winkler_similarity(l.normalized_name, r.normalized_name) AS similarity,
        CASE WHEN l.rank >= r.rank THEN l.record_key ELSE r.record_key END AS lower_key
    FROM x l JOIN x r ON l.source < r.source AND l.canonical_key <> r.canonical_key
    WHERE jaro_winkler_similarity(l.normalized_name, r.normalized_name) >= (SELECT min_similarity FROM seeds.gap_params)
      AND levenshtein(l.normalized_name, r.normalized_name) <= 0.25 * greatest(length(l.normalized_name), length(r.normalized_name))
      AND (l.record_key, r.record_key) NOT IN (SELECT (a, b) FROM decided)
),
revenue AS (
    SELECT client_key, sum(v) AS revenue FROM (
        SELECT p.client_key, e.billable_amount AS v
        FROM (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted) e JOIN {{ ref "core.projects" }} p USING (project_key)
        WHERE p.client_key IN (SELECT lower_key FROM pairs)
        UNION ALL
        SELECT client_key, net_amount_reporting FROM {{ ref "core.invoice_lines" }}
        WHERE is_ledger AND status NOT IN ('draft', 'voided', 'deleted') AND client_key IN (SELECT lower_key FROM pairs)
    ) GROUP BY client_key
)
SELECT
    substr(md5(left_key || '|' || right_key), 1, 8) AS id,
    'clients' AS entity,
    left_key, left_name, left_source, right_key, right_name, right_source,
    round(similarity, 3) AS similarity,
    coalesce(v.revenue, 0)::DECIMAL(18,2) AS revenue_at_stake
FROM pairs LEFT JOIN revenue v ON v.client_key = pairs.lower_key
