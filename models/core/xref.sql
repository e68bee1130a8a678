-- Identity across tools (design §6): every client, project and person
-- record of every source mapped to one canonical key. The ladder:
-- mappings.yaml's "same" pairs (method override, confidence 1), then strong
-- keys — a project's code (method code), a person's email (method email),
-- 0.95 — then equal normalized names across sources
-- (method name, 0.9): lower-cased, accents, punctuation and legal suffixes
-- (Ltd, Inc, LLC, GmbH, Corp, d.o.o., …) removed. A "different" pair in
-- mappings.yaml cuts a code or name match. Records linked this way are one
-- entity, keyed by its first record in the masters' order: for a client
-- the ledger's, else the CRM's, else a work tool's; for a project the
-- project tool's (Jira, Asana), else the time tool's, else a spreadsheet's
-- (a files source); for a person the time tool's, else the project tool's,
-- else the CRM's or a spreadsheet's. Fuzzy look-alikes are
-- never merged here: they go to marts.identity_review. method 'unmatched'
-- means no other source's record was found.
-- test: unique(record_key)
-- test: not_null(entity, record_key, canonical_key, method)
WITH RECURSIVE records AS (
    SELECT 'clients' AS entity, client_key AS record_key, source, source_id, name, NULL::VARCHAR AS code
    FROM {{ ref "core.clients" }}
    UNION ALL
    SELECT 'projects', project_key, source, source_id, name, nullif(lower(trim(code)), '')
    FROM {{ ref "core.projects" }}
    UNION ALL
    SELECT 'people', person_key, source, source_id, name, nullif(lower(trim(email)), '')
    FROM {{ ref "core.people" }}
),
r AS (
    SELECT
        x.*,
        coalesce(s.kind, 'work') AS kind,
        CASE x.entity
            WHEN 'clients' THEN CASE coalesce(s.kind, 'work') WHEN 'accounting' THEN 1 WHEN 'crm' THEN 2 ELSE 3 END
            WHEN 'projects' THEN CASE coalesce(s.kind, 'work') WHEN 'pm' THEN 1 WHEN 'files' THEN 3 ELSE 2 END
            ELSE CASE coalesce(s.kind, 'work') WHEN 'work' THEN 1 WHEN 'pm' THEN 2 ELSE 3 END END AS rank,
        trim(regexp_replace(
            regexp_replace(
                regexp_replace(replace(lower(strip_accents(coalesce(x.name, ''))), '.', ''), '[^a-z0-9]+', ' ', 'g'),
                '(\s(ltd|limited|llc|inc|incorporated|gmbh|plc|corp|corporation|co|company|doo|bv|ag|sa|srl|pty|oy|ab|llp|group))+\s*$', ''),
            '\s+', ' ', 'g')) AS norm
    FROM records x
    LEFT JOIN seeds.sources s ON s.name = x.source
),
different AS (
    SELECT entity, a, b FROM seeds.mappings WHERE decision = 'different'
    UNION ALL
    SELECT entity, b, a FROM seeds.mappings WHERE decision = 'different'
),
edges AS (
    SELECT m.a, m.b, 'override' AS method, 1.0 AS confidence FROM seeds.mappings m
    WHERE m.decision = 'same'
      AND (m.entity, m.a) IN (SELECT (entity, record_key) FROM r) AND (m.entity, m.b) IN (SELECT (entity, record_key) FROM r)
    UNION ALL
    SELECT x.record_key, y.record_key, CASE x.entity WHEN 'people' THEN 'email' ELSE 'code' END, 0.95
    FROM r x JOIN r y ON x.entity = y.entity AND x.entity IN ('projects', 'people') AND x.code = y.code AND x.source < y.source
    WHERE (x.entity, x.record_key, y.record_key) NOT IN (SELECT (entity, a, b) FROM different)
    UNION ALL
    SELECT x.record_key, y.record_key, 'name', 0.9
    FROM r x JOIN r y ON x.entity = y.entity AND x.norm = y.norm AND x.source < y.source
    WHERE x.norm <> '' AND (x.entity, x.record_key, y.record_key) NOT IN (SELECT (entity, a, b) FROM different)
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
    SELECT c.component, arg_min(r.record_key, (r.rank, r.record_key)) AS canonical_key, count(*) AS records
    FROM component c JOIN r USING (record_key)
    GROUP BY c.component
),
best AS (
    SELECT record_key, arg_max(method, confidence) AS method, max(confidence) AS confidence
    FROM (SELECT a AS record_key, method, confidence FROM edges UNION ALL SELECT b, method, confidence FROM edges)
    GROUP BY record_key
)
SELECT
    r.entity,
    r.record_key, r.source, r.source_id, r.name, r.norm AS normalized_name,
    m.canonical_key,
    CASE WHEN m.records = 1 THEN 'unmatched' ELSE b.method END AS method,
    CASE WHEN m.records = 1 THEN NULL ELSE b.confidence END::DECIMAL(4,2) AS confidence
FROM r
JOIN component c USING (record_key)
JOIN master m USING (component)
LEFT JOIN best b USING (record_key)
