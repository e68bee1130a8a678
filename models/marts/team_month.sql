-- The P&L by team (the person's role) and month (metrics §5.1): labour cost
-- is each team's own hours at their cost rates; a project-month's revenue,
-- pass-through, direct non-labour cost and overhead are shared among the
-- teams that worked on it by their share of its worked hours. A
-- project-month with revenue but no hours counts under 'unassigned'.
-- test: unique(team, month)
WITH th AS (
    SELECT e.project_key, e.month, coalesce(p.team, 'unassigned') AS team,
        sum(e.hours) FILTER (WHERE e.time_category <> 'time_off') AS worked_h,
        sum(e.billable_hours) FILTER (WHERE e.time_category = 'client') AS billable_h,
        sum(e.cost_amount) AS dl
    FROM {{ ref "marts.entry_month" }} e
    LEFT JOIN {{ ref "core.people" }} p USING (person_key)
    WHERE e.project_key IS NOT NULL
    GROUP BY ALL
),
shared AS (
    SELECT m.month, coalesce(th.team, 'unassigned') AS team,
        coalesce(th.worked_h, 0) AS worked_h, coalesce(th.billable_h, 0) AS billable_h, coalesce(th.dl, 0) AS dl,
        coalesce(th.worked_h / nullif(m.worked_h, 0), 1) AS share,
        m.revenue, m.pass_through, m.dnl, m.overhead
    FROM {{ ref "marts.project_month" }} m
    LEFT JOIN th USING (project_key, month)
)
SELECT
    team, month,
    sum(worked_h)::DECIMAL(14,4) AS worked_h,
    sum(billable_h)::DECIMAL(14,4) AS billable_h,
    sum(revenue * share)::DECIMAL(18,6) AS revenue,
    sum((revenue - pass_through) * share)::DECIMAL(18,6) AS agi,
    sum(dl)::DECIMAL(18,6) AS dl,
    sum(dnl * share)::DECIMAL(18,6) AS dnl,
    sum((revenue - pass_through - dnl) * share - dl)::DECIMAL(18,6) AS contribution,
    sum((revenue - pass_through - dnl) * share - dl) / nullif(sum((revenue - pass_through) * share), 0) AS contribution_pct_agi,
    sum((revenue - pass_through - dnl - overhead) * share - dl)::DECIMAL(18,6) AS fully_loaded
FROM shared
GROUP BY team, month
