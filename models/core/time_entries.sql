-- The canonical time entry. time_category routes hours: time off never
-- counts as worked (metrics §1.4, §2.1); entries on non-billable projects are
-- internal. Amounts are hours × the stamped rate, NULL when unpriced (§3.1).
-- source_url opens the person's day in Harvest, where the entry is.
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, project_key, entry_date, hours, time_category)
-- test: relationships(person_key -> core.people.person_key)
-- test: relationships(project_key -> core.projects.project_key)
-- test: accepted_values(time_category: client, internal, time_off)
SELECT
    e.entry_key,
    e.source,
    e.source_id,
    e.person_key,
    e.project_key,
    e.task_key,
    e.entry_date,
    e.hours,
    e.hours_rounded,
    e.billable,
    e.bill_rate,
    e.cost_rate,
    CASE WHEN e.billable THEN (e.hours * e.bill_rate)::DECIMAL(18,6) END AS billable_amount,
    (e.hours * e.cost_rate)::DECIMAL(18,6) AS cost_amount,
    p.currency,
    e.is_billed,
    e.invoice_key,
    e.locked,
    e.is_running,
    CASE
        WHEN regexp_matches(lower(coalesce(e.task_name, '')), '(time off|holiday|vacation|annual leave|pto|sick|leave)') THEN 'time_off'
        WHEN p.billing_model = 'non_billable' THEN 'internal'
        ELSE 'client'
    END AS time_category,
    e.notes,
    co.base_uri || '/time/day/' || strftime(e.entry_date, '%Y/%m/%d') || '/' || e.user_source_id AS source_url
FROM {{ ref "staging.harvest_time_entries" }} e
LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
LEFT JOIN {{ ref "staging.harvest_company" }} co ON co.source = e.source
