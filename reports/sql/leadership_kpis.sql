-- title: The week's KPIs
-- param: week date
-- The week (default: the last week with time logged) against the week
-- before and the average of the four weeks before it. Utilization is
-- billable over available hours of delivery staff (ratio of sums); revenue
-- is earned from time at the resolved rates of marts.entry_values (a fixed
-- fee's fee spread over its hours; retainers at their hours' value) less
-- their cost; pipeline and open gaps are today's figures (no history is kept).
WITH weeks AS (
    SELECT coalesce($week::DATE, (SELECT max(week_start) FROM marts.person_week WHERE worked_h > 0)) AS w
),
util AS (
    SELECT pw.week_start, sum(pw.billable_h) / nullif(sum(pw.available_h), 0) AS v
    FROM marts.person_week pw JOIN core.people p USING (person_key)
    WHERE p.is_delivery GROUP BY 1
),
project_hours AS (
    SELECT project_key, sum(hours) AS hours FROM marts.entry_values WHERE time_category <> 'time_off' GROUP BY 1
),
money AS (
    SELECT date_trunc('week', e.entry_date)::DATE AS week_start,
        sum(CASE p.billing_model
            WHEN 'fixed_fee' THEN p.budget_amount * e.hours / nullif(greatest(p.budget_hours, ph.hours), 0)
            WHEN 'non_billable' THEN 0
            ELSE coalesce(e.billable_value_reporting, 0) END) AS revenue,
        sum(e.cost_amount) AS cost
    FROM marts.entry_values e JOIN core.projects p USING (project_key) LEFT JOIN project_hours ph USING (project_key)
    WHERE e.time_category <> 'time_off'
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
    SELECT 'Pipeline, weighted (today)', 4, sum(amount_reporting * probability), NULL, NULL FROM core.deals WHERE NOT is_closed
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
