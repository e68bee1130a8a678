-- The gaps ledger's findings about single entries and single person-days
-- (metrics §8), which marts.gaps lists with the rest: C22, time entered
-- twice, and C23, implausible entries and days. Both read the counted
-- entries (core.time_entries.counted), and each finding is made from one
-- person's entries of one day (its entry_date and person_key), so a build
-- that changed some people's days of time finds them again on those only.
-- materialized: incremental
-- partition: entry_date, person_key
-- test: not_null(check_id, canonical_key, entry_date)
WITH org AS (SELECT as_of FROM seeds.org),
-- The entries are read where used in a whole build (a copy of all costs
-- more), copied once in a build from changes (each use would scan the
-- whole table for the few changed people's days).
e AS {{ if from_changes }}MATERIALIZED{{ else }}NOT MATERIALIZED{{ end }} (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted),
-- C22: entries alike in person, day, project, task, hours and notes (the
-- task too: the same hours on two tasks are two pieces of work); each copy
-- after the first is at stake (billed twice, or its cost counted twice).
-- Only entries whose kind appears twice are numbered (the window sorts what
-- it reads); their kinds are found by a hash of the six, which groups
-- three times faster than the six do. A collision only numbers entries
-- the window then tells apart.
dup_keys AS (
    SELECT hash(person_key, entry_date, project_key, task_key, hours, lower(trim(coalesce(notes, '')))) AS kind
    FROM e WHERE e.time_category <> 'time_off' AND e.hours > 0
    GROUP BY kind HAVING count(*) > 1
),
dup AS (
    SELECT e.*, row_number() OVER (PARTITION BY e.person_key, e.entry_date, e.project_key, e.task_key, e.hours, lower(trim(coalesce(e.notes, '')))
                                   ORDER BY e.source, e.source_id) AS copy
    FROM e
    WHERE e.time_category <> 'time_off' AND e.hours > 0
      AND hash(e.person_key, e.entry_date, e.project_key, e.task_key, e.hours, lower(trim(coalesce(e.notes, '')))) IN (SELECT kind FROM dup_keys)
),
c22 AS (
    SELECT 'C22' AS check_id, 'time_entry' AS entity, entry_key AS canonical_key, source, source_id,
        coalesce(billable_amount, hours * cost_rate) AS amount_at_stake, hours AS hours_at_stake, entry_date AS first_seen,
        format('duplicate of another {} h entry by the same person on {} for the same project', hours, entry_date) AS detail,
        'medium' AS severity, 'ops' AS owner_role, source_url, entry_date, person_key
    FROM dup WHERE copy > 1
),
-- C23: implausible entries: zero or negative hours, timers running for
-- more than a day, and person-days with more than 16 hours (one finding per
-- day) without the entries already found: a running timer is one cause,
-- one finding.
implausible AS (
    SELECT e.entry_key FROM e CROSS JOIN org
    WHERE e.hours <= 0 OR (coalesce(e.is_running, false) AND e.entry_date < org.as_of - INTERVAL 1 DAY)
),
-- The days over 16 hours, found on their hours alone: the amounts at
-- stake are summed for those days only.
long_days AS (
    SELECT person_key, entry_date FROM e
    WHERE time_category <> 'time_off' AND entry_key NOT IN (SELECT entry_key FROM implausible)
    GROUP BY ALL HAVING sum(hours) > 16
),
c23 AS (
    SELECT 'C23', 'time_entry', e.entry_key, e.source, e.source_id,
        e.hours * coalesce(e.bill_rate, e.cost_rate), e.hours, e.entry_date,
        CASE WHEN e.hours <= 0 THEN format('an entry of {} hours', e.hours)
             ELSE format('timer running since {}', e.entry_date) END,
        'low', 'ops', e.source_url, e.entry_date, e.person_key
    FROM e CROSS JOIN org
    WHERE e.hours <= 0 OR (coalesce(e.is_running, false) AND e.entry_date < org.as_of - INTERVAL 1 DAY)
    UNION ALL
    SELECT 'C23', 'person_day', e.person_key || '@' || e.entry_date, min(e.source), NULL,
        sum(e.hours * coalesce(e.bill_rate, e.cost_rate)), sum(e.hours), e.entry_date,
        format('{} hours logged on {} in {} entries', sum(e.hours), e.entry_date, count(*)),
        'low', 'ops', NULL, e.entry_date, e.person_key
    FROM e SEMI JOIN long_days d USING (person_key, entry_date)
    WHERE e.time_category <> 'time_off' AND e.entry_key NOT IN (SELECT entry_key FROM implausible)
    GROUP BY e.person_key, e.entry_date
)
SELECT * FROM c22
UNION ALL
SELECT * FROM c23
