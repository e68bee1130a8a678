-- The canonical time entry. time_category routes hours: time off never
-- counts as worked (metrics §1.4, §2.1); entries on non-billable projects are
-- internal. billable_hours is the source's billable quantity where it keeps one
-- (Productive), else the hours of a billable entry. Amounts are billable hours
-- × the stamped rate, NULL when unpriced (§3.1).
-- Entries from every time tool are unioned; each keeps its link back.
-- approval_status is approved, open, draft, submitted or rejected where the
-- tool has an approval workflow, none where it has not (Toggl, Jira).
--
-- Overlapping tools (README "Many tools, one agency"): person_key is the
-- canonical person (core.xref: one person across tools by email), and an
-- entry on a project another tool also has carries the project's time-tool
-- record (the first by key when two time tools have it, e.g. Harvest and
-- Toggl), whose client, budget and terms it counts under. Every source
-- row is kept; counted says whether it adds to any figure, and an entry not
-- counted names the row it duplicates (duplicate_of) and why (not_counted):
--   referenced — an entry whose external_reference points at a Jira issue or
--     worklog Conflux reads, by the same person on the same day, is the same
--     hour: the copy in time.prefer's tool counts (default the time tool);
--   matched — the same person, project, day and hours in two tools with no
--     reference: one counts, the other is C34 "time logged twice across tools";
--   outside the system of record — time.sources names a tool for the
--     person's team or the project, and the entry was logged in another.
-- A files source's rows (a spreadsheet of time) count like a project
-- tool's: adopted by the time tool's project when it has the code or name,
-- the tool's copy preferred, but a row that states billable or a rate keeps
-- it. A project tool keeps no rates or billable flag, so its hour on a time
-- tool's project is priced with that project's terms (metrics §3.1): billable
-- as the project's task of the same name (a Jira issue named like a Harvest
-- task; else as the project), at the person's rate on the project (Harvest
-- bill_by People), the task's (Tasks) or the project's (Project), else the
-- person's default rate; costed at the person's cost rate.
-- Partitioned by day and canonical person: every rule above compares
-- entries of one person on one day, so a build that changed some people's
-- days of time rebuilds those (its inputs know the tool's person, kept as
-- source_person_key).
-- materialized: incremental
-- partition: entry_date, person_key via source_person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, currency, approval_status, time_category, source_person_key, not_counted)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours, time_category)
-- test: relationships(person_key -> core.people.person_key)
-- test: relationships(project_key -> core.projects.project_key)
-- test: accepted_values(time_category: client, internal, time_off)
WITH raw_e AS NOT MATERIALIZED ( -- read where used: each rule reads few entries, and a copy of all costs more
    SELECT * FROM {{ ref "staging.harvest_time_entries" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.clockify_time_entries" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.toggl_time_entries" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.jira_worklogs" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.asana_time_entries" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_time_entries" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.files_time_entries" }}
),
src AS (SELECT name, type, coalesce(kind, 'work') AS kind FROM seeds.sources),
people_x AS (SELECT record_key, canonical_key FROM {{ ref "core.xref" }} WHERE entity = 'people'),
-- Per canonical project, the time tool's record (which carries billing,
-- budget and client); a project tool's record maps to it.
project_x AS (
    SELECT x.record_key, x.canonical_key, coalesce(s.kind, 'work') AS kind FROM {{ ref "core.xref" }} x
    LEFT JOIN src s ON s.name = x.source WHERE x.entity = 'projects'
),
project_master AS (
    SELECT canonical_key, min(record_key) AS master FROM project_x WHERE kind = 'work' GROUP BY 1
),
e0 AS NOT MATERIALIZED (
    SELECT r.* REPLACE (
            coalesce(px.canonical_key, r.person_key) AS person_key,
            coalesce(pm.master, r.project_key) AS project_key),
        r.person_key AS source_person_key,
        coalesce(s.kind, 'work') AS kind,
        coalesce(s.type, r.source) AS source_type,
        coalesce(pr.kind <> 'work' AND pm.master IS NOT NULL, false) AS adopted
    FROM raw_e r
    LEFT JOIN src s ON s.name = r.source
    LEFT JOIN people_x px ON px.record_key = r.person_key
    LEFT JOIN project_x pr ON pr.record_key = r.project_key
    LEFT JOIN project_master pm ON pm.canonical_key = pr.canonical_key
),
-- The time tool's terms for a project tool's hours on its projects.
task_terms AS (
    SELECT t.project_key, lower(t.name) AS task, bool_or(t.billable) AS billable, any_value(h.hourly_rate) AS rate
    FROM {{ ref "core.tasks" }} t
    LEFT JOIN {{ ref "staging.harvest_task_assignments" }} h USING (task_key)
    WHERE t.project_key IN (SELECT master FROM project_master)
    GROUP BY ALL
),
person_terms AS (
    SELECT ua.project_key, coalesce(px.canonical_key, ua.person_key) AS person_key, any_value(ua.hourly_rate) AS rate
    FROM {{ ref "staging.harvest_user_assignments" }} ua
    LEFT JOIN people_x px ON px.record_key = ua.person_key
    GROUP BY ALL
),
adopted AS (
    SELECT e.* REPLACE (
            coalesce(e.billable_stated, tt.billable, p.billing_model <> 'non_billable') AS billable,
            CASE WHEN coalesce(e.billable_stated, tt.billable, p.billing_model <> 'non_billable') THEN
                coalesce(CASE WHEN e.source_type = 'files' THEN e.bill_rate END,
                    CASE hp.bill_by WHEN 'People' THEN pt.rate WHEN 'Tasks' THEN tt.rate WHEN 'Project' THEN hp.hourly_rate END,
                    pe.default_bill_rate) END::DECIMAL(18,6) AS bill_rate,
            coalesce(e.cost_rate, pe.cost_rate)::DECIMAL(18,6) AS cost_rate)
    FROM e0 e
    LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
    LEFT JOIN {{ ref "staging.harvest_projects" }} hp USING (project_key)
    LEFT JOIN task_terms tt ON tt.project_key = e.project_key AND tt.task = lower(e.task_name)
    LEFT JOIN person_terms pt ON pt.project_key = e.project_key AND pt.person_key = e.person_key
    LEFT JOIN {{ ref "core.people" }} pe ON pe.person_key = e.person_key
    WHERE e.adopted
),
e AS NOT MATERIALIZED (
    SELECT * FROM e0 WHERE NOT adopted
    UNION ALL BY NAME
    SELECT * FROM adopted
),
-- How much each copy is preferred: inside its system of record first, then
-- the tool time.prefer names, then a time tool over a project tool.
-- (Only entries a time.sources rule governs are here: without rules, none.)
sor AS (
    SELECT e.entry_key, t.tool IN (e.source, e.source_type) AS inside
    FROM e
    JOIN {{ ref "core.people" }} pe ON pe.person_key = e.person_key
    JOIN seeds.time_sources t ON t.team = pe.team
    UNION ALL
    SELECT e.entry_key, t.tool IN (e.source, e.source_type) AS inside
    FROM e
    JOIN {{ ref "core.projects" }} pj ON pj.project_key = e.project_key
    JOIN seeds.time_sources t ON t.project_code = lower(pj.code)
),
sor_entry AS (SELECT entry_key, bool_or(inside) AS inside FROM sor GROUP BY entry_key),
-- Two tools can hold the same hour only with two sources of time.
many AS (SELECT count(*) > 1 AS yes FROM src WHERE kind IN ('work', 'pm', 'files')),
-- Copied once for the few entries of a build from changes, read where
-- used in a whole build.
ranked AS {{ if from_changes }}MATERIALIZED{{ else }}NOT MATERIALIZED{{ end }} (
    SELECT e.*, coalesce(sor.inside, true) AS in_record,
        (CASE WHEN coalesce(sor.inside, true) THEN 0 ELSE 2 END
         + CASE WHEN tp.prefer IS NOT NULL THEN CASE WHEN tp.prefer IN (e.source, e.source_type) THEN 0 ELSE 1 END
                WHEN e.kind = 'work' THEN 0 ELSE 1 END) AS preference
    FROM e LEFT JOIN sor_entry sor USING (entry_key) CROSS JOIN seeds.time_params tp
),
-- Rule 1: an entry that references a Jira issue or worklog, and the Jira
-- worklogs it references by the same person on the same day.
referenced AS (
    SELECT a.entry_key AS a_key, b.entry_key AS b_key
    FROM ranked a JOIN ranked b
      ON b.source_type = 'jira' AND a.source <> b.source AND a.person_key = b.person_key AND a.entry_date = b.entry_date
     AND (a.ref_worklog_id = b.ref_worklog_id OR a.ref_issue_key = b.ref_issue_key OR a.ref_issue_id = b.ref_issue_id)
    WHERE a.source_type <> 'jira' AND (a.ref_worklog_id IS NOT NULL OR a.ref_issue_key IS NOT NULL OR a.ref_issue_id IS NOT NULL)
),
ref_groups AS (
    -- Each pair's two copies: the preferred one counts, the other points at it.
    SELECT r.a_key, r.b_key,
        CASE WHEN (a.preference, a.entry_key) <= (b.preference, b.entry_key) THEN r.a_key ELSE r.b_key END AS kept,
        CASE WHEN (a.preference, a.entry_key) <= (b.preference, b.entry_key) THEN r.b_key ELSE r.a_key END AS dropped
    FROM referenced r JOIN ranked a ON a.entry_key = r.a_key JOIN ranked b ON b.entry_key = r.b_key
),
ref_dropped AS (
    SELECT dropped AS entry_key, min(kept) AS duplicate_of FROM ref_groups
    WHERE dropped NOT IN (SELECT kept FROM ref_groups)
    GROUP BY dropped
),
-- Rule 2: the same person, project, day and hours in two tools, matched
-- one to one (the n-th copy in one tool with the n-th in the other). Only
-- a person, project, day and hours found in two tools can match: the rest
-- are left out before the windows sort.
in_two AS (
    SELECT person_key, project_key, entry_date, hours
    FROM ranked CROSS JOIN many
    WHERE many.yes AND hours > 0
    GROUP BY ALL HAVING count(DISTINCT source) > 1
),
unreferenced AS (
    SELECT r.*, row_number() OVER (PARTITION BY person_key, project_key, entry_date, hours, source ORDER BY source_id) AS nth
    FROM ranked r SEMI JOIN in_two t
        ON t.person_key IS NOT DISTINCT FROM r.person_key AND t.project_key IS NOT DISTINCT FROM r.project_key
       AND t.entry_date = r.entry_date AND t.hours = r.hours
    WHERE entry_key NOT IN (SELECT a_key FROM referenced) AND entry_key NOT IN (SELECT b_key FROM referenced)
),
matched AS (
    SELECT entry_key,
        first_value(entry_key) OVER w AS kept,
        count(DISTINCT source) OVER (PARTITION BY person_key, project_key, entry_date, hours, nth) AS tools
    FROM unreferenced
    WINDOW w AS (PARTITION BY person_key, project_key, entry_date, hours, nth ORDER BY preference, entry_key)
),
match_dropped AS (
    SELECT entry_key, kept AS duplicate_of FROM matched WHERE tools > 1 AND entry_key <> kept
)
SELECT
    e.entry_key,
    e.source,
    e.source_id,
    e.person_key,
    e.project_key,
    e.task_key,
    e.entry_date,
    e.started_at,
    e.hours,
    e.hours_rounded,
    e.billable,
    coalesce(e.billable_hours, CASE WHEN e.billable THEN e.hours ELSE 0 END)::DECIMAL(12,4) AS billable_hours,
    e.bill_rate,
    e.cost_rate,
    CASE WHEN e.billable THEN (coalesce(e.billable_hours, e.hours) * e.bill_rate)::DECIMAL(18,6) END AS billable_amount,
    (e.hours * e.cost_rate)::DECIMAL(18,6) AS cost_amount,
    p.currency,
    e.is_billed,
    e.invoice_key,
    e.locked,
    e.approval_status,
    e.is_running,
    CASE
        WHEN e.time_off_hint OR regexp_matches(lower(coalesce(e.task_name, '')), '(time off|holiday|vacation|annual leave|pto|sick|leave)') THEN 'time_off'
        WHEN p.billing_model = 'non_billable' THEN 'internal'
        ELSE 'client'
    END AS time_category,
    e.notes,
    e.source_url,
    e.source_person_key,
    coalesce(rd.duplicate_of, md.duplicate_of) AS duplicate_of,
    CASE WHEN rd.entry_key IS NOT NULL THEN 'referenced'
         WHEN md.entry_key IS NOT NULL THEN 'matched'
         WHEN NOT e.in_record THEN 'outside the system of record' END AS not_counted,
    rd.entry_key IS NULL AND md.entry_key IS NULL AND e.in_record AS counted
FROM ranked e
LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
LEFT JOIN ref_dropped rd USING (entry_key)
LEFT JOIN match_dropped md USING (entry_key)
