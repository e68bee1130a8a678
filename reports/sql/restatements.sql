-- title: Restatements of closed months
-- param: month date
-- Every change to a closed month since its close, largest first, from
-- marts.restatements: a time entry added, edited or deleted (its hours,
-- billable value and cost; revenue for time-and-materials work), an
-- invoice added, edited, voided or credited (the invoiced amount), and per
-- project what the entries leave unexplained: revenue earned by progress,
-- retainers or caps re-estimated ("re-estimated"), or a "config or mapping
-- change" or "model change" since the close. A project's revenue changes
-- add up to its change in earned revenue:
--   revenue_change(project, month) summed = live revenue − revenue at close
-- Worked example (the demo): October is closed; a 6 h timesheet at 130/h
-- dated 30 October then arrives on a T&M project: "time added", +6 h,
-- revenue +780.00, cost +390.00 at a 65/h cost rate. On a fixed-fee
-- project the same hours earn no revenue of their own: they raise the
-- estimate at completion, so percent complete and earned revenue move
-- ("re-estimated"), in October and, by the catch-up of §4.3, in the closed
-- months before it. A credit note of 189.00 dated in October raised
-- later: "credit note added", invoiced −189.00.
-- changed_at is when the tool says it changed the record (its updated_at,
-- or its deletion) and synced_at when a sync brought the change; the person
-- is the entry's. No tool here says who edited a record.
SELECT
    strftime(r.month, '%Y-%m') AS month,
    r.cause,
    coalesce(p.name, r.project_key) AS project,
    coalesce(c.name, r.client_key) AS client,
    pe.name AS person,
    r.record_key,
    r.record_date,
    r.hours_change,
    r.revenue_change,
    r.cost_change,
    r.invoiced_change,
    r.value_change,
    r.detail,
    strftime(r.changed_at, '%Y-%m-%d %H:%M UTC') AS changed_at,
    strftime(r.synced_at, '%Y-%m-%d %H:%M UTC') AS synced_at,
    r.source_url
FROM marts.restatements r
LEFT JOIN core.projects p USING (project_key)
LEFT JOIN core.clients c ON c.client_key = r.client_key
LEFT JOIN core.people pe ON pe.person_key = r.person_key
WHERE $month::DATE IS NULL OR r.month = date_trunc('month', $month::DATE)
ORDER BY r.month DESC, abs(r.revenue_change) + abs(r.invoiced_change) + abs(r.cost_change) DESC, r.record_key
