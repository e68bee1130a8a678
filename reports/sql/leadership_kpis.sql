-- title: The week's KPIs
-- param: week date
-- The week (default: the last week with time logged) against the week
-- before and the average of the four weeks before it. Utilization is
-- billable over available hours of delivery staff (ratio of sums); revenue
-- is the P&L's earned revenue (marts.project_month) shared among each
-- month's weeks by hours, margin that less the week's labour cost; pipeline
-- and open gaps are today's figures (no history is kept). The pipeline is
-- the open deals whose close date has not passed, weighted by probability:
-- the same deals capacity demand counts (marts.pipeline_demand).
WITH weeks AS (
    SELECT coalesce($week::DATE, (SELECT max(week_start) FROM marts.person_week WHERE worked_h > 0)) AS w
),
util AS (
    SELECT pw.week_start, sum(pw.billable_h) / nullif(sum(pw.available_h), 0) AS v
    FROM marts.person_week pw JOIN core.people p USING (person_key)
    WHERE p.is_delivery GROUP BY 1
),
wk AS (
    SELECT project_key, month, date_trunc('week', entry_date)::DATE AS week_start, sum(hours) AS h, sum(cost_amount) AS cost
    FROM marts.entry_values
    WHERE time_category <> 'time_off' AND project_key IS NOT NULL
    GROUP BY ALL
),
month_hours AS (
    SELECT project_key, month, sum(h) AS month_h FROM wk GROUP BY ALL
),
money AS (
    -- Each project-month's earned revenue (marts.project_month, whatever the
    -- billing model) shared among its weeks by hours; a month with revenue
    -- but no hours (an accepted milestone, a stand-ready fee) counts in the
    -- week the month begins. So the weeks add up to the P&L.
    SELECT week_start, sum(revenue) AS revenue, sum(cost) AS cost FROM (
        SELECT wk.week_start, pm.revenue * wk.h / nullif(mh.month_h, 0) AS revenue, wk.cost
        FROM wk JOIN month_hours mh USING (project_key, month) JOIN marts.project_month pm USING (project_key, month)
        UNION ALL
        SELECT date_trunc('week', pm.month)::DATE, pm.revenue, 0
        FROM marts.project_month pm LEFT JOIN month_hours mh USING (project_key, month)
        WHERE coalesce(mh.month_h, 0) = 0 AND pm.revenue <> 0
    )
    GROUP BY 1
),
series AS (
    SELECT 'Billable utilization' AS kpi, 1 AS ord, week_start, v FROM util
    UNION ALL SELECT 'Revenue earned', 2, week_start, revenue FROM money
    UNION ALL SELECT 'Margin', 3, week_start, revenue - cost FROM money
),
kpis AS (
    SELECT kpi, ord,
        max(v) FILTER (WHERE week_start = w) AS this_week,
        max(v) FILTER (WHERE week_start = w - INTERVAL 7 DAY) AS previous_week,
        sum(v) FILTER (WHERE week_start BETWEEN w - INTERVAL 28 DAY AND w - INTERVAL 7 DAY) / 4 AS trailing_4_weeks
    FROM series CROSS JOIN weeks
    GROUP BY kpi, ord
    UNION ALL
    SELECT 'Pipeline, weighted (today)', 4, sum(amount_reporting * probability), NULL, NULL FROM core.deals
    WHERE NOT is_closed AND close_date >= (SELECT as_of FROM seeds.org) -- stale deals (C30) count nowhere, as in capacity demand
    UNION ALL
    SELECT 'Open gaps at stake (today)', 5, sum(amount_at_stake), NULL, NULL FROM marts.gaps WHERE status = 'open'
)
SELECT
    (SELECT w FROM weeks) AS week_start,
    kpi,
    round(this_week, 4) AS this_week,
    round(previous_week, 4) AS previous_week,
    round(trailing_4_weeks, 4) AS trailing_4_weeks,
    round(this_week - previous_week, 4) AS change,
    -- as shown: utilization in percent (change in points), money to the unit
    CASE WHEN ord = 1 THEN format('{:.1f}%', this_week * 100) ELSE format('{:,.0f}', this_week) END AS this_week_shown,
    CASE WHEN ord = 1 THEN format('{:.1f}%', previous_week * 100) ELSE format('{:,.0f}', previous_week) END AS previous_week_shown,
    CASE WHEN ord = 1 THEN format('{:.1f}%', trailing_4_weeks * 100) ELSE format('{:,.0f}', trailing_4_weeks) END AS trailing_4_weeks_shown,
    CASE WHEN ord = 1 THEN format('{:+.1f} pts', (this_week - previous_week) * 100) ELSE CASE WHEN this_week >= previous_week THEN '+' ELSE '' END || format('{:,.0f}', this_week - previous_week) END AS change_shown
FROM kpis
ORDER BY ord
