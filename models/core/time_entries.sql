-- The canonical time entry. time_category routes hours: time off never
-- counts as worked (metrics §1.4, §2.1); entries on non-billable projects are
-- internal. billable_hours is the source's billable quantity where it keeps one
-- (Productive), else the hours of a billable entry. Amounts are billable hours
-- × the stamped rate, NULL when unpriced (§3.1).
-- Entries from every time tool are unioned; each keeps its link back.
-- approval_status is approved, open, draft, submitted or rejected where the
-- tool has an approval workflow, none where it has not (Toggl, Jira).
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours, time_category)
-- test: relationships(person_key -> core.people.person_key)
-- test: relationships(project_key -> core.projects.project_key)
-- test: accepted_values(time_category: client, internal, time_off)
WITH e AS (
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
    e.source_url
FROM e
LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
