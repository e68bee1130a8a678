-- The gaps ledger (metrics §8, design §5): one row per finding, money and
-- hours at stake in the reporting currency, a link to the source record.
-- Checks run at seeds.org.as_of with the thresholds of seeds.gap_params
-- (conflux.yaml gaps:, defaults of metrics §10: unbilled grace 30 days,
-- deal lag 14 days). A check whose inputs the configured
-- sources lack is one row with status 'not_applicable' saying what it needs,
-- never silently empty. Money at stake is an estimate of exposure, not a
-- booked amount. Checks: C01, C02, C03, C04, C05, C07, C08, C09, C10, C11,
-- C12, C14, C15, C19, C20, C22, C23, C24, C25, C30, C33, C34. Checks of
-- time read the counted entries (core.time_entries.counted); C34 the copies.
-- test: not_null(check_id, status, severity, owner_role, owner, finding_key)
-- test: unique(finding_key)
-- test: accepted_values(status: open, not_applicable)
WITH org AS (SELECT as_of, currency, unbilled_grace_days, deal_lag_days, closed_grace_days FROM seeds.org, seeds.gap_params),
has_crm AS (SELECT count(*) > 0 AS yes FROM seeds.sources WHERE kind = 'crm'),
p AS (SELECT * FROM {{ ref "core.projects" }}),
-- The entries are read where used, not copied (NOT MATERIALIZED): a copy of
-- the largest table cost more than the checks that read it.
e AS NOT MATERIALIZED (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted),
all_e AS NOT MATERIALIZED (SELECT * FROM {{ ref "core.time_entries" }}),
-- The counted entries of tools that keep billing state: a project tool's
-- (Jira's) hours cannot say whether they were invoiced (C01, C24).
billing_e AS (SELECT * FROM e WHERE source NOT IN (SELECT name FROM seeds.sources WHERE kind IN ('pm', 'files'))),
-- C01: billable T&M time older than the grace and on no invoice. Fixed fees
-- are excluded (their hours stay "uninvoiced" in Harvest after the fee is billed),
-- and so are a project tool's hours (billing_e): whether they were invoiced
-- is judged per project (C12, WIP), not per hour.
-- The billable T&M time on no invoice, by project and day: C01 reads the
-- days past the grace, C24 the months.
unbilled_day AS MATERIALIZED (
    SELECT e.project_key, e.entry_date, sum(e.billable_amount) AS amount, sum(e.billable_hours) AS hours
    FROM billing_e e JOIN p USING (project_key)
    WHERE p.billing_model = 'tm' AND e.time_category = 'client' AND e.billable
      AND e.invoice_key IS NULL AND NOT coalesce(e.is_billed, false)
    GROUP BY ALL
),
c01 AS (
    SELECT 'C01' AS check_id, 'project' AS entity, p.project_key AS canonical_key, p.source, p.source_id,
        sum(u.amount) AS amount_at_stake, sum(u.hours) AS hours_at_stake,
        min(u.entry_date) AS first_seen,
        format('{} h of billable time since {} never invoiced (oldest {} days: {})', round(sum(u.hours), 2),
            min(u.entry_date), any_value(org.as_of) - min(u.entry_date),
            CASE WHEN any_value(org.as_of) - min(u.entry_date) > 90 THEN 'over 90 days'
                 WHEN any_value(org.as_of) - min(u.entry_date) > 60 THEN '61–90 days' ELSE '31–60 days' END) AS detail,
        CASE WHEN any_value(org.as_of) - min(u.entry_date) > 60 THEN 'high' ELSE 'medium' END AS severity,
        'finance' AS owner_role, p.source_url
    FROM unbilled_day u JOIN p USING (project_key) CROSS JOIN org
    WHERE u.entry_date < org.as_of - to_days(org.unbilled_grace_days)
    GROUP BY p.project_key, p.source, p.source_id, p.source_url
),
-- C02: deals won more than 14 days ago that no project carries.
c02 AS (
    SELECT 'C02', 'deal', d.deal_key, d.source, d.source_id, d.amount_reporting, NULL::DECIMAL, d.close_date,
        format('won on {} ({}), no project carries it', d.close_date, d.name), 'high', 'ops', d.source_url
    FROM {{ ref "core.deals" }} d CROSS JOIN org
    WHERE d.is_won AND d.close_date < org.as_of - to_days(org.deal_lag_days)
      AND NOT EXISTS (SELECT 1 FROM p WHERE p.deal_key = d.deal_key)
),
-- C03: billable projects started more than 14 days ago with no deal.
c03 AS (
    SELECT 'C03', 'project', p.project_key, p.source, p.source_id, p.budget_amount, p.budget_hours, p.start_date,
        format('{} project "{}" has no CRM deal', p.billing_model, p.name), 'medium', 'sales ops', p.source_url
    FROM p CROSS JOIN org CROSS JOIN has_crm
    WHERE has_crm.yes AND p.billing_model <> 'non_billable' AND p.deal_key IS NULL
      AND p.start_date < org.as_of - to_days(org.deal_lag_days)
),
-- C07: ledger invoices with lines no project claims (credit notes: C33).
c07 AS (
    SELECT 'C07', 'invoice', l.invoice_key, any_value(l.source), any_value(i.source_id),
        sum(l.net_amount_reporting), NULL::DECIMAL, min(l.issue_date),
        format('invoice {}: {} line(s) linked to no project', any_value(l.number), count(*)), 'high', 'finance', any_value(i.source_url)
    FROM {{ ref "core.invoice_lines" }} l JOIN {{ ref "core.invoices" }} i USING (invoice_key)
    WHERE l.is_ledger AND NOT l.is_credit_note AND l.project_key IS NULL AND l.status NOT IN ('draft', 'voided', 'deleted')
    GROUP BY l.invoice_key
),
-- C19: billable client time with no rate, valued at the person's default rate.
c19 AS (
    SELECT 'C19', 'project', p.project_key, p.source, p.source_id,
        sum(e.hours * coalesce(pe.default_bill_rate, 0)), sum(e.hours), min(e.entry_date),
        format('{} billable hours carry no bill rate', round(sum(e.hours), 2)), 'high', 'finance', p.source_url
    FROM e JOIN p USING (project_key) LEFT JOIN {{ ref "core.people" }} pe USING (person_key)
    WHERE e.time_category = 'client' AND e.billable AND coalesce(e.bill_rate, 0) = 0
    GROUP BY p.project_key, p.source, p.source_id, p.source_url
),
-- C22 and C23 look at one person's day at a time: marts.day_findings
-- finds them, by day, so a build that changed some days of time looks at
-- those days again, not at every entry.
c22 AS (SELECT * EXCLUDE (entry_date, person_key) FROM {{ ref "marts.day_findings" }} WHERE check_id = 'C22'),
c23 AS (SELECT * EXCLUDE (entry_date, person_key) FROM {{ ref "marts.day_findings" }} WHERE check_id = 'C23'),
-- C05: time logged after the project's end date (its cost leaks; its
-- billable value is likely unbillable).
c05 AS (
    SELECT 'C05', 'project', p.project_key, p.source, p.source_id,
        sum(e.hours * e.cost_rate), sum(e.hours), min(e.entry_date),
        format('{} h logged after the project ended on {} (billable value {})', round(sum(e.hours), 2), any_value(p.end_date),
            round(coalesce(sum(e.billable_amount), 0), 2)),
        'medium', 'ops', p.source_url
    FROM e JOIN p USING (project_key)
    WHERE e.time_category <> 'time_off' AND e.entry_date > p.end_date
    GROUP BY p.project_key, p.source, p.source_id, p.source_url
),
-- C15: a closed fixed-fee project whose ledger invoices differ from its won
-- deal by more than 1% or 100 (T&M deals carry an estimate, not a price).
c15 AS (
    SELECT 'C15', 'project', f.project_key, f.source, f.source_id,
        abs(f.invoiced_amount - d.amount_reporting), NULL::DECIMAL, p.end_date,
        format('invoiced {} against a deal of {} ({})', round(f.invoiced_amount, 2), round(d.amount_reporting, 2),
            CASE WHEN f.invoiced_amount > d.amount_reporting THEN 'change orders that never reached the CRM?' ELSE 'under-billed or scope cut?' END),
        'medium', 'finance', f.source_url
    FROM {{ ref "marts.project_financials" }} f JOIN p USING (project_key) JOIN {{ ref "core.deals" }} d ON d.deal_key = p.deal_key
    WHERE d.is_won AND f.billing_model = 'fixed_fee' AND f.status IN ('archived', 'closed', 'delivered')
      AND abs(f.invoiced_amount - d.amount_reporting) > greatest(0.01 * d.amount_reporting, 100)
),
-- C20: worked time that carries no cost rate, per person: margins are
-- overstated by its cost (the person's rate, else the staff average). An
-- hour whose cost comes from a configured salary (marts.cost_rates) has one.
c20 AS (
    SELECT 'C20', 'person', pe.person_key, pe.source, pe.source_id,
        sum(e.hours) * coalesce(nullif(any_value(pe.cost_rate), 0), (SELECT avg(cost_rate) FROM {{ ref "core.people" }} WHERE cost_rate > 0)),
        sum(e.hours), min(e.entry_date),
        format('{} worked hours of {} carry no cost rate', round(sum(e.hours), 2), any_value(pe.name)),
        'high', 'finance', NULL
    FROM e JOIN {{ ref "core.people" }} pe USING (person_key)
    WHERE e.time_category <> 'time_off' AND e.hours > 0 AND coalesce(e.cost_rate, 0) = 0
      AND NOT EXISTS (SELECT 1 FROM {{ ref "marts.cost_rates" }} cr
          WHERE cr.person_key = e.person_key AND cr.year = year(e.entry_date) AND cr.cost_rate_direct > 0)
    GROUP BY pe.person_key, pe.source, pe.source_id
),
-- C25: time the time tool calls billed whose invoice is missing, voided or
-- deleted, or — with a ledger — has no ledger invoice of the same number.
ledger_numbers AS (
    SELECT DISTINCT regexp_replace(number, '[^0-9]', '', 'g') AS digits
    FROM {{ ref "core.invoices" }}
    WHERE is_ledger AND status NOT IN ('voided', 'deleted') AND number IS NOT NULL
),
-- What the ledger holds under a number it does not count: voided or deleted.
ledger_void AS (
    SELECT regexp_replace(number, '[^0-9]', '', 'g') AS digits, min(status) AS status
    FROM {{ ref "core.invoices" }}
    WHERE is_ledger AND status IN ('voided', 'deleted') AND number IS NOT NULL
    GROUP BY 1
),
has_ledger AS (SELECT count(*) > 0 AS yes FROM seeds.sources WHERE kind = 'accounting'),
-- The time billed on each invoice, summed before the invoice is looked up.
billed_e AS (
    SELECT invoice_key, any_value(source) AS source, sum(coalesce(billable_amount, 0)) AS amount,
        sum(billable_hours) AS hours, min(entry_date) AS first_entry
    FROM e WHERE invoice_key IS NOT NULL
    GROUP BY invoice_key
),
c25 AS (
    SELECT 'C25', 'invoice', b.invoice_key, b.source, split_part(b.invoice_key, ':', 2),
        b.amount, b.hours, b.first_entry,
        CASE WHEN i.invoice_key IS NULL THEN format('{} h marked billed on invoice {}, which does not exist', round(b.hours, 2), b.invoice_key)
             WHEN i.status IN ('voided', 'deleted') THEN format('{} h billed on invoice {}, which is {}', round(b.hours, 2), i.number, i.status)
             WHEN v.status IS NOT NULL THEN format('{} h billed on invoice {}, which the ledger holds as {}', round(b.hours, 2), i.number, v.status)
             ELSE format('{} h billed on invoice {}, which the ledger does not hold', round(b.hours, 2), i.number) END,
        'high', 'finance', i.source_url
    FROM billed_e b LEFT JOIN {{ ref "core.invoices" }} i USING (invoice_key) CROSS JOIN has_ledger
    LEFT JOIN ledger_void v ON v.digits = regexp_replace(coalesce(i.number, ''), '[^0-9]', '', 'g') AND NOT i.is_ledger
    WHERE i.invoice_key IS NULL OR i.status IN ('voided', 'deleted')
        OR (has_ledger.yes AND NOT i.is_ledger AND regexp_replace(coalesce(i.number, ''), '[^0-9]', '', 'g') NOT IN (SELECT digits FROM ledger_numbers))
),
-- C08: the same client, it seems, named differently across tools: one
-- finding per pair of clients waiting in the identity review queue. A
-- misspelt CRM record looks like both the time tool's and the ledger's
-- record of one client: two suggestions, one cause, one finding (its
-- money the larger; accepting either suggestion clears both).
c08_pairs AS (
    SELECT q.*,
        least(coalesce(xl.canonical_key, q.left_key), coalesce(xr.canonical_key, q.right_key)) AS one,
        greatest(coalesce(xl.canonical_key, q.left_key), coalesce(xr.canonical_key, q.right_key)) AS other
    FROM {{ ref "marts.identity_review" }} q
    LEFT JOIN {{ ref "core.xref" }} xl ON xl.entity = q.entity AND xl.record_key = q.left_key
    LEFT JOIN {{ ref "core.xref" }} xr ON xr.entity = q.entity AND xr.record_key = q.right_key
),
c08 AS (
    SELECT 'C08', 'client', min(id), first(left_source ORDER BY id), split_part(first(left_key ORDER BY id), ':', 2),
        max(revenue_at_stake), NULL::DECIMAL, NULL::DATE,
        format('{} look like one client (similarity {}): `conflux mappings accept {}` or `reject {}`',
            array_to_string(list_sort(list_distinct(flatten(list([
                format('"{}" ({})', left_name, left_source), format('"{}" ({})', right_name, right_source)])))), ' and '),
            max(similarity), min(id), min(id)),
        'medium', 'ops', NULL
    FROM c08_pairs
    GROUP BY one, other
),
-- C12: a finished project with earned revenue not invoiced (more than 1%
-- of its revenue, and more than 50) — from the day it is closed, or
-- gaps.closed_grace_days after its last entry when the agency bills its
-- final month in the next cycle (default 0: no wait).
c12 AS (
    SELECT 'C12', 'project', f.project_key, f.source, f.source_id,
        f.revenue - f.invoiced_amount, NULL::DECIMAL, f.last_entry,
        format('{} project "{}" is {}: {} earned, {} invoiced', f.billing_model, f.project_name, f.status,
            round(f.revenue, 2), round(f.invoiced_amount, 2)),
        'high', 'finance', f.source_url
    FROM {{ ref "marts.project_financials" }} f
    WHERE f.status IN ('archived', 'closed', 'delivered') AND f.billing_model <> 'non_billable'
      AND f.revenue - f.invoiced_amount > greatest(0.01 * f.revenue, 50)
      AND f.last_entry <= (SELECT as_of - to_days(closed_grace_days) FROM org)
),
-- C24: the ledger invoiced a T&M project for a month (monthly in arrears:
-- an invoice issued in the month after) while the time tool still shows
-- that month's billable time unbilled: the next cycle may bill it twice.
unbilled_month AS (
    SELECT project_key, date_trunc('month', entry_date)::DATE AS month,
        sum(amount) AS unbilled, sum(hours) AS hours, min(entry_date) AS first_entry
    FROM unbilled_day
    GROUP BY ALL
),
ledger_month AS (
    SELECT u.project_key, u.month, sum(l.net_amount_reporting) AS invoiced
    FROM unbilled_month u
    JOIN {{ ref "core.invoice_lines" }} l ON l.project_key = u.project_key
        AND l.issue_date >= u.month + INTERVAL 1 MONTH AND l.issue_date < u.month + INTERVAL 2 MONTH
    JOIN seeds.sources s ON s.name = l.source AND s.kind = 'accounting'
    WHERE l.is_ledger AND NOT l.is_credit_note AND l.status NOT IN ('draft', 'voided', 'deleted')
    GROUP BY ALL
),
c24 AS (
    SELECT 'C24', 'project', p.project_key, p.source, p.source_id,
        least(u.unbilled, lm.invoiced), u.hours, u.first_entry,
        format('the ledger invoiced {} for {}, yet {} h ({}) of it stay unbilled in the time tool',
            round(lm.invoiced, 2), strftime(u.month, '%Y-%m'), round(u.hours, 2), round(u.unbilled, 2)),
        'high', 'finance', p.source_url
    FROM unbilled_month u JOIN ledger_month lm USING (project_key, month) JOIN p USING (project_key)
    WHERE lm.invoiced > 0
),
-- C09: time logged by someone not on the staff list, or outside their
-- employment dates: uncosted or misattributed labour.
staff AS (SELECT * FROM {{ ref "core.people" }}),
c09 AS (
    SELECT 'C09', 'person', e.person_key, any_value(e.source), split_part(e.person_key, ':', 2),
        sum(e.hours) * coalesce(nullif(any_value(s.cost_rate), 0), (SELECT avg(cost_rate) FROM staff WHERE cost_rate > 0)),
        sum(e.hours), min(e.entry_date),
        CASE WHEN any_value(s.person_key) IS NULL THEN format('{} h logged by {}, who is not on the staff list', round(sum(e.hours), 2), e.person_key)
             ELSE format('{} h logged by {} outside their employment ({} to {})', round(sum(e.hours), 2), any_value(s.name),
                 any_value(s.start_date), coalesce(any_value(s.end_date)::VARCHAR, 'now')) END,
        'high', 'ops', NULL
    FROM e LEFT JOIN staff s USING (person_key)
    WHERE e.time_category <> 'time_off'
      AND (s.person_key IS NULL OR e.entry_date < s.start_date OR e.entry_date > s.end_date)
    GROUP BY e.person_key
),
-- C10: delivery staff who logged less than half their available hours in a
-- finished week (three business days after it ended). At stake: the
-- missing hours × the person's billable mix × their standard rate.
mix AS (
    SELECT person_key, sum(billable_h) / nullif(sum(worked_h), 0) AS mix
    FROM {{ ref "marts.person_week" }} GROUP BY person_key
),
c10 AS (
    SELECT 'C10', 'person_week', w.person_key || '@' || w.week_start, s.source, s.source_id,
        (w.available_h - w.worked_h) * coalesce(m.mix, 0) * coalesce(s.default_bill_rate, 0),
        w.available_h - w.worked_h, w.week_start,
        format('{} logged {} of {} available hours in the week of {}', s.name, w.worked_h, w.available_h, w.week_start),
        'medium', 'ops', NULL
    FROM {{ ref "marts.person_week" }} w JOIN staff s USING (person_key) LEFT JOIN mix m USING (person_key) CROSS JOIN org
    WHERE s.is_delivery AND w.available_h > 0 AND w.worked_h < 0.5 * w.available_h
      AND w.week_start + INTERVAL 10 DAY <= org.as_of
),
-- C11: more than 10% of the last 28 days' hours on a T&M project are
-- non-billable; at stake is their value at the people's standard rates.
c11 AS (
    SELECT 'C11', 'project', p.project_key, p.source, p.source_id,
        sum(e.hours * coalesce(s.default_bill_rate, 0)) FILTER (WHERE NOT e.billable),
        sum(e.hours) FILTER (WHERE NOT e.billable), min(e.entry_date) FILTER (WHERE NOT e.billable),
        format('{}% of the last 28 days'' {} h are non-billable',
            round(100 * sum(e.hours) FILTER (WHERE NOT e.billable) / sum(e.hours), 1), round(sum(e.hours), 2)),
        'medium', 'delivery lead', p.source_url
    FROM e JOIN p USING (project_key) LEFT JOIN staff s USING (person_key) CROSS JOIN org
    WHERE p.billing_model = 'tm' AND e.time_category = 'client' AND e.entry_date >= org.as_of - 28
    GROUP BY p.project_key, p.source, p.source_id, p.source_url
    HAVING sum(e.hours) FILTER (WHERE NOT e.billable) > 0.10 * sum(e.hours)
),
-- C14: over the budget in force. A change order (a later row of a budgets
-- file) raises the budget in core.projects, so only an overrun beyond it
-- counts.
-- A fixed fee's extra hours at its mean cost rate; a T&M project's value
-- beyond its budgeted amount, or its extra hours at its mean bill rate.
c14 AS (
    SELECT 'C14', 'project', f.project_key, f.source, f.source_id,
        CASE WHEN f.billing_model = 'fixed_fee' THEN (f.hours - f.budget_hours)::DOUBLE * f.cost_amount::DOUBLE / f.hours::DOUBLE
             WHEN coalesce(f.budget_amount, 0) > 0 THEN f.billable_value - f.budget_amount
             ELSE (f.hours - f.budget_hours)::DOUBLE * f.billable_value::DOUBLE / nullif(f.billable_h, 0)::DOUBLE END,
        CASE WHEN f.billing_model = 'fixed_fee' OR NOT coalesce(f.budget_amount, 0) > 0 THEN f.hours - f.budget_hours END,
        f.last_entry,
        CASE WHEN f.billing_model = 'fixed_fee' OR NOT coalesce(f.budget_amount, 0) > 0
             THEN format('{} h logged against a budget of {} h', round(f.hours, 2), round(f.budget_hours, 2))
             ELSE format('{} of time against a budget of {}', round(f.billable_value, 2), round(f.budget_amount, 2)) END,
        'high', 'delivery lead', f.source_url
    FROM {{ ref "marts.project_financials" }} f
    WHERE (f.billing_model = 'fixed_fee' AND f.budget_hours > 0 AND f.hours > f.budget_hours)
       OR (f.billing_model = 'tm' AND f.budget_amount > 0 AND f.billable_value > f.budget_amount)
       OR (f.billing_model = 'tm' AND NOT coalesce(f.budget_amount, 0) > 0 AND f.budget_hours > 0 AND f.hours > f.budget_hours)
),
-- C33: a ledger credit note linked to no project, so no project's margin
-- reflects it (voided and deleted invoices are never counted as invoiced).
c33 AS (
    SELECT 'C33', 'invoice', l.invoice_key, any_value(l.source), any_value(i.source_id),
        -sum(l.net_amount_reporting), NULL::DECIMAL, min(l.issue_date),
        format('credit note {} ({}) is netted against no project', any_value(l.number), round(-sum(l.net_amount_reporting), 2)),
        'medium', 'finance', any_value(i.source_url)
    FROM {{ ref "core.invoice_lines" }} l JOIN {{ ref "core.invoices" }} i USING (invoice_key)
    WHERE l.is_ledger AND l.is_credit_note AND l.project_key IS NULL AND l.status NOT IN ('draft', 'voided', 'deleted')
    GROUP BY l.invoice_key
),
-- C04: time logged to a time tool's project that the project tool (Jira,
-- Asana) does not have: labour that reaches no project P&L there. At stake:
-- its cost and its billable value.
has_pm AS (
    SELECT count(*) FILTER (WHERE kind = 'pm') > 0 AND count(*) FILTER (WHERE kind = 'work') > 0 AS yes FROM seeds.sources
),
c04 AS (
    SELECT 'C04', 'project', p.project_key, p.source, p.source_id,
        sum(e.hours * coalesce(e.cost_rate, 0)) + coalesce(sum(e.billable_amount), 0), sum(e.hours), min(e.entry_date),
        format('{} h logged to "{}", which the project tool does not have (map it in mappings.yaml under projects:)', round(sum(e.hours), 2), p.name),
        'high', 'ops', p.source_url
    FROM e JOIN p USING (project_key)
    JOIN {{ ref "core.xref" }} x ON x.record_key = p.project_key AND x.method = 'unmatched'
    JOIN seeds.sources s ON s.name = p.source AND s.kind = 'work'
    CROSS JOIN has_pm
    WHERE has_pm.yes AND e.time_category <> 'time_off'
    GROUP BY p.project_key, p.source, p.source_id, p.source_url, p.name
),
-- C34: the same hour logged in two tools with no reference between them
-- (same person, project, day and hours): one copy counts, the other is
-- kept uncounted; at stake its value, had both been counted.
c34 AS (
    SELECT 'C34', 'time_entry', d.entry_key, d.source, d.source_id,
        coalesce(k.billable_amount, d.billable_amount, d.hours * coalesce(k.cost_rate, d.cost_rate, 0)), d.hours, d.entry_date,
        format('{} h on {} logged in {} and in {} (entry {}, {}): counted once, from {}', d.hours, d.entry_date, d.source, k.source,
            k.source_id, coalesce(k.source_url, 'no link'), k.source),
        'medium', 'ops', d.source_url
    FROM all_e d JOIN all_e k ON k.entry_key = d.duplicate_of
    WHERE d.not_counted = 'matched'
),
-- C30: open deals whose close date has passed; their weighted value inflates the pipeline.
c30 AS (
    SELECT 'C30', 'deal', d.deal_key, d.source, d.source_id, d.amount_reporting * d.probability, NULL::DECIMAL, d.close_date,
        format('open deal "{}" was due to close on {}', d.name, d.close_date), 'medium', 'sales ops', d.source_url
    FROM {{ ref "core.deals" }} d CROSS JOIN org
    WHERE NOT d.is_closed AND d.close_date < org.as_of
),
findings AS (
    SELECT * FROM c01
    UNION ALL SELECT * FROM c02
    UNION ALL SELECT * FROM c03
    UNION ALL SELECT * FROM c07
    UNION ALL SELECT * FROM c19
    UNION ALL SELECT * FROM c22
    UNION ALL SELECT * FROM c23
    UNION ALL SELECT * FROM c30
    UNION ALL SELECT * FROM c05
    UNION ALL SELECT * FROM c15
    UNION ALL SELECT * FROM c20
    UNION ALL SELECT * FROM c25
    UNION ALL SELECT * FROM c08
    UNION ALL SELECT * FROM c12
    UNION ALL SELECT * FROM c24
    UNION ALL SELECT * FROM c09
    UNION ALL SELECT * FROM c10
    UNION ALL SELECT * FROM c11
    UNION ALL SELECT * FROM c14
    UNION ALL SELECT * FROM c33
    UNION ALL SELECT * FROM c04
    UNION ALL SELECT * FROM c34
),
not_applicable AS (
    SELECT check_id, 'check' AS entity, NULL AS canonical_key, NULL AS source, NULL AS source_id,
        NULL::DECIMAL AS amount_at_stake, NULL::DECIMAL AS hours_at_stake, NULL::DATE AS first_seen,
        'not applicable (needs a CRM source)' AS detail, severity, owner_role, NULL AS source_url
    FROM (VALUES ('C02', 'high', 'ops'), ('C03', 'medium', 'sales ops'), ('C15', 'medium', 'finance'), ('C30', 'medium', 'sales ops')) v(check_id, severity, owner_role), has_crm
    WHERE NOT has_crm.yes
    UNION ALL
    SELECT 'C24', 'check', NULL, NULL, NULL, NULL::DECIMAL, NULL::DECIMAL, NULL::DATE,
        'not applicable (needs an accounting source)', 'high', 'finance', NULL
    FROM has_ledger WHERE NOT has_ledger.yes
    UNION ALL
    SELECT 'C04', 'check', NULL, NULL, NULL, NULL::DECIMAL, NULL::DECIMAL, NULL::DATE,
        'not applicable (needs a project tool, Jira or Asana, beside a time tool)', 'high', 'ops', NULL
    FROM has_pm WHERE NOT has_pm.yes
),
-- Each finding's owner is a person where one is accountable: a project's
-- manager (core.project_managers); for time, the manager of its project,
-- else who logged it; a deal's owner in the CRM; for a client or an
-- invoice, the account owner — who owns the client's latest deal; for a
-- person, that person. Else the role (owner_role).
all_findings AS MATERIALIZED (
    SELECT * FROM findings UNION ALL SELECT * FROM not_applicable
),
-- The entries findings name, found in one pass: looked up in the whole
-- table for each column below, they were read three times.
named_e AS (
    SELECT entry_key, person_key, project_key FROM all_e
    WHERE entry_key IN (SELECT canonical_key FROM all_findings WHERE entity = 'time_entry')
),
pm AS (
    SELECT m.project_key, pe.name FROM {{ ref "core.project_managers" }} m JOIN {{ ref "core.people" }} pe USING (person_key)
),
deal_owner AS (
    -- The CRM names its owners by email or name: a person of the agency's when one matches.
    SELECT d.deal_key, d.client_key, d.close_date, coalesce(pe.name, d.owner) AS owner
    FROM {{ ref "core.deals" }} d
    LEFT JOIN {{ ref "core.people" }} pe ON lower(pe.email) = lower(d.owner) OR lower(pe.name) = lower(d.owner)
    WHERE d.owner IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY d.deal_key ORDER BY pe.person_key) = 1
),
account AS (
    SELECT client_key, arg_max(owner, coalesce(close_date, DATE '1900-01-01')) AS owner FROM deal_owner
    WHERE client_key IS NOT NULL GROUP BY 1
),
owned AS (
    SELECT f.*,
        CASE f.entity
            WHEN 'project' THEN (SELECT name FROM pm WHERE pm.project_key = f.canonical_key)
            WHEN 'time_entry' THEN (SELECT coalesce(pm.name, pe.name) FROM named_e e LEFT JOIN pm USING (project_key)
                LEFT JOIN {{ ref "core.people" }} pe ON pe.person_key = e.person_key WHERE e.entry_key = f.canonical_key)
            WHEN 'deal' THEN (SELECT owner FROM deal_owner d WHERE d.deal_key = f.canonical_key)
            WHEN 'client' THEN (SELECT owner FROM account a WHERE a.client_key = f.canonical_key)
            WHEN 'invoice' THEN (SELECT a.owner FROM {{ ref "core.invoices" }} i JOIN account a USING (client_key) WHERE i.invoice_key = f.canonical_key)
            WHEN 'person' THEN (SELECT name FROM {{ ref "core.people" }} pe WHERE pe.person_key = f.canonical_key)
            WHEN 'person_week' THEN (SELECT name FROM {{ ref "core.people" }} pe WHERE pe.person_key = split_part(f.canonical_key, '@', 1))
            WHEN 'person_day' THEN (SELECT name FROM {{ ref "core.people" }} pe WHERE pe.person_key = split_part(f.canonical_key, '@', 1))
        END AS owner,
        -- Whose the finding is: the client and the person it concerns, so a
        -- lead sees the findings of their clients and teams.
        CASE f.entity
            WHEN 'project' THEN (SELECT client_key FROM p WHERE p.project_key = f.canonical_key)
            WHEN 'time_entry' THEN (SELECT p.client_key FROM named_e e JOIN p USING (project_key) WHERE e.entry_key = f.canonical_key)
            WHEN 'deal' THEN (SELECT client_key FROM {{ ref "core.deals" }} d WHERE d.deal_key = f.canonical_key)
            WHEN 'client' THEN (SELECT client_key FROM {{ ref "core.clients" }} c WHERE c.client_key = f.canonical_key)
            WHEN 'invoice' THEN (SELECT client_key FROM {{ ref "core.invoices" }} i WHERE i.invoice_key = f.canonical_key)
        END AS client_key,
        CASE f.entity
            WHEN 'time_entry' THEN (SELECT person_key FROM named_e e WHERE e.entry_key = f.canonical_key)
            WHEN 'person' THEN f.canonical_key
            WHEN 'person_week' THEN split_part(f.canonical_key, '@', 1)
            WHEN 'person_day' THEN split_part(f.canonical_key, '@', 1)
        END AS person_key
    FROM all_findings f
),
keyed AS (
    SELECT *,
        coalesce(canonical_key, source || ':' || source_id, check_id) AS record_key,
        check_id || '/' || coalesce(canonical_key, source || ':' || source_id, check_id) AS finding_key
    FROM owned
)
SELECT
    check_id,
    CASE WHEN detail LIKE 'not applicable%' THEN 'not_applicable' ELSE 'open' END AS status,
    severity, owner_role, coalesce(owner, owner_role) AS owner, entity, canonical_key, source, source_id,
    finding_key, record_key, client_key, person_key,
    amount_at_stake::DECIMAL(18,2) AS amount_at_stake,
    -- One exposure, counted once: of the findings on one record, only the
    -- largest adds to a total.
    CASE WHEN row_number() OVER (PARTITION BY record_key ORDER BY amount_at_stake DESC NULLS LAST, check_id) = 1
        THEN coalesce(amount_at_stake, 0) ELSE 0 END::DECIMAL(18,2) AS counted_amount,
    (SELECT currency FROM org) AS currency,
    hours_at_stake::DECIMAL(14,2) AS hours_at_stake,
    (SELECT as_of FROM org) - first_seen AS age_days,
    detail, source_url, first_seen
FROM keyed
