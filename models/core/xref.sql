-- Identity across tools (design §6): every client record of every source
-- mapped to one canonical key. The ladder: mappings.yaml's "same" pairs
-- (method override, confidence 1), then equal normalized names across
-- sources (method name, 0.9): lower-cased, accents, punctuation and legal
-- suffixes (Ltd, Inc, LLC, GmbH, Corp, d.o.o., …) removed. A "different"
-- pair in mappings.yaml cuts a name match. Records linked this way form one
-- client, keyed by its accounting record, else its CRM record, else its
-- time-tool record. Fuzzy look-alikes are never merged here: they go to
-- marts.identity_review. method 'unmatched' means no other source's record
-- was found.
-- test: unique(record_key)
-- test: not_null(record_key, canonical_key, method)
WITH RECURSIVE r AS (
    SELECT
        c.client_key AS record_key, c.source, c.source_id, c.name,
        coalesce(s.kind, 'work') AS kind,
        trim(regexp_replace(
            regexp_replace(
                regexp_replace(replace(lower(strip_accents(coalesce(c.name, ''))), '.', ''), '[^a-z0-9]+', ' ', 'g'),
                '(\s(ltd|limited|llc|inc|incorporated|gmbh|plc|corp|corporation|co|company|doo|bv|ag|sa|srl|pty|oy|ab|llp|group))+\s*$', ''),
            '\s+', ' ', 'g')) AS norm
    FROM {{ ref "core.clients" }} c
    LEFT JOIN seeds.sources s ON s.name = c.source
),
different AS (
    SELECT a, b FROM seeds.mappings WHERE entity = 'clients' AND decision = 'different'
    UNION ALL
    SELECT b, a FROM seeds.mappings WHERE entity = 'clients' AND decision = 'different'
),
edges AS (
    SELECT a, b, 'override' AS method, 1.0 AS confidence FROM seeds.mappings
    WHERE entity = 'clients' AND decision = 'same'
      AND a IN (SELECT record_key FROM r) AND b IN (SELECT record_key FROM r)
    UNION ALL
    SELECT x.record_key, y.record_key, 'name', 0.9
    FROM r x JOIN r y ON x.norm = y.norm AND x.source < y.source
    WHERE x.norm <> '' AND (x.record_key, y.record_key) NOT IN (SELECT (a, b) FROM different)
),
both_ways AS (
    SELECT a, b FROM edges UNION SELECT b, a FROM edges
),
reach(node, label) AS (
    SELECT record_key, record_key FROM r
    UNION
    SELECT w.b, reach.label FROM reach JOIN both_ways w ON w.a = reach.node
),
component AS (
    SELECT node AS record_key, min(label) AS component FROM reach GROUP BY node
),
master AS (
    SELECT c.component, arg_min(r.record_key, (CASE r.kind WHEN 'accounting' THEN 1 WHEN 'crm' THEN 2 ELSE 3 END, r.record_key)) AS canonical_key,
        count(*) AS records
    FROM component c JOIN r USING (record_key)
    GROUP BY c.component
),
best AS (
    SELECT record_key, arg_max(method, confidence) AS method, max(confidence) AS confidence
    FROM (SELECT a AS record_key, method, confidence FROM edges UNION ALL SELECT b, method, confidence FROM edges)
    GROUP BY record_key
)
SELECT
    'client' AS entity,
    r.record_key, r.source, r.source_id, r.name, r.norm AS normalized_name,
    m.canonical_key,
    CASE WHEN m.records = 1 THEN 'unmatched' ELSE b.method END AS method,
    CASE WHEN m.records = 1 THEN NULL ELSE b.confidence END::DECIMAL(4,2) AS confidence
FROM r
JOIN component c USING (record_key)
JOIN master m USING (component)
LEFT JOIN best b USING (record_key)
