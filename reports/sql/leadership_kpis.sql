-- title: The week's KPIs
-- param: week date
-- The week (default: the last week with time logged) against the week
-- before and the average of the four weeks before it. Utilization is
-- billable over available hours of delivery staff (ratio of sums); revenue
-- is the P&L's earned revenue (marts.project_month_reported) shared among each
-- month's weeks by hours, margin that less the week's labour cost; pipeline
-- and open gaps are today's figures (no history is kept). The pipeline is
-- the open deals whose close date has not passed, weighted by probability:
-- the same deals capacity demand counts (marts.pipeline_demand). Cash
-- collected is the ledger's payments in the week; overdue receivables and
-- days sales outstanding are today's (marts.receivables, marts.cash_month).
-- The same week last year is the week 52 weeks before. drill is the page
-- of the rows behind each figure.
WITH weeks AS (
    SELECT coalesce($week::DATE, (SELECT max(week_start) FROM marts.person_week WHERE worked_h > 0)) AS w
),
util AS (
    SELECT pw.week_start, sum(pw.billable_h) / nullif(sum(pw.available_h), 0) AS v
    FROM marts.person_week_reported pw JOIN core.people p USING (person_key)
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
    -- Each project-month's earned revenue (marts.project_month_reported, whatever the
    -- billing model) shared among its weeks by hours; a month with revenue
    -- but no hours (an accepted milestone, a stand-ready fee) counts in the
    -- week the month begins. So the weeks add up to the P&L.
    SELECT week_start, sum(revenue) AS revenue, sum(cost) AS cost FROM (
        SELECT wk.week_start, pm.revenue * wk.h / nullif(mh.month_h, 0) AS revenue, wk.cost
        FROM wk JOIN month_hours mh USING (project_key, month) JOIN marts.project_month_reported pm USING (project_key, month)
        UNION ALL
        SELECT date_trunc('week', pm.month)::DATE, pm.revenue, 0
        FROM marts.project_month_reported pm LEFT JOIN month_hours mh USING (project_key, month)
        WHERE coalesce(mh.month_h, 0) = 0 AND pm.revenue <> 0
    )
    GROUP BY 1
),
series AS (
    SELECT 'Billable utilization' AS kpi, 1 AS ord, week_start, v FROM util
    UNION ALL SELECT 'Revenue earned', 2, week_start, revenue FROM money
    UNION ALL SELECT 'Margin', 3, week_start, revenue - cost FROM money
    UNION ALL SELECT 'Cash collected', 4, date_trunc('week', payment_date)::DATE, sum(amount_reporting) FROM core.payments WHERE is_ledger GROUP BY 3
),
kpis AS (
    SELECT kpi, ord,
        max(v) FILTER (WHERE week_start = w) AS this_week,
        max(v) FILTER (WHERE week_start = w - INTERVAL 7 DAY) AS previous_week,
        sum(v) FILTER (WHERE week_start BETWEEN w - INTERVAL 28 DAY AND w - INTERVAL 7 DAY) / 4 AS trailing_4_weeks,
        max(v) FILTER (WHERE week_start = w - INTERVAL 364 DAY) AS last_year
    FROM series CROSS JOIN weeks
    GROUP BY kpi, ord
    UNION ALL
    SELECT 'Pipeline, weighted (today)', 5, sum(amount_reporting * probability), NULL, NULL, NULL FROM core.deals
    WHERE NOT is_closed AND close_date >= (SELECT as_of FROM seeds.org) -- stale deals (C30) count nowhere, as in capacity demand
    UNION ALL
    SELECT 'Open gaps at stake (today)', 6, coalesce(sum(counted_amount), 0), NULL, NULL, NULL FROM workflow.gap_state WHERE status IN ('open', 'acknowledged')
    UNION ALL
    SELECT 'Receivables overdue (today)', 7, coalesce(sum(outstanding_reporting), 0), NULL, NULL, NULL FROM marts.receivables WHERE days_overdue > 0
    UNION ALL
    SELECT 'Days sales outstanding (today)', 8, dso, NULL, NULL, NULL FROM marts.cash_month WHERE month = (SELECT date_trunc('month', as_of) FROM seeds.org)
),
shown AS (
    SELECT *, CASE ord WHEN 1 THEN 'pct' WHEN 8 THEN 'days' ELSE 'money' END AS unit FROM kpis
)
SELECT
    (SELECT w FROM weeks) AS week_start,
    kpi,
    CASE WHEN ord <= 4 THEN strftime((SELECT w FROM weeks), '%G-W%V: %-d %b') || ' – ' || strftime((SELECT w FROM weeks) + INTERVAL 6 DAY, '%-d %b %Y')
         ELSE 'today, ' || strftime((SELECT as_of FROM seeds.org), '%-d %b %Y') END AS covers,
    round(this_week, 4) AS this_week,
    round(previous_week, 4) AS previous_week,
    round(trailing_4_weeks, 4) AS trailing_4_weeks,
    round(last_year, 4) AS same_week_last_year,
    round(this_week - previous_week, 4) AS change,
    round(this_week - last_year, 4) AS change_year,
    -- as shown: utilization in percent (changes in points), days to a tenth, money to the unit
    CASE unit WHEN 'pct' THEN format('{:.1f}%', this_week * 100) WHEN 'days' THEN format('{:.1f} days', this_week) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', this_week) END AS this_week_shown,
    CASE unit WHEN 'pct' THEN format('{:.1f}%', previous_week * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', previous_week) END AS previous_week_shown,
    CASE unit WHEN 'pct' THEN format('{:.1f}%', trailing_4_weeks * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', trailing_4_weeks) END AS trailing_4_weeks_shown,
    CASE unit WHEN 'pct' THEN format('{:.1f}%', last_year * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', last_year) END AS same_week_last_year_shown,
    CASE unit WHEN 'pct' THEN format('{:+.1f} pts', (this_week - previous_week) * 100)
        ELSE CASE WHEN this_week >= previous_week THEN '+' ELSE '' END || format('{:,.0f}', this_week - previous_week) END AS change_shown,
    CASE unit WHEN 'pct' THEN format('{:+.1f} pts', (this_week - last_year) * 100)
        ELSE CASE WHEN this_week >= last_year THEN '+' ELSE '' END || format('{:,.0f}', this_week - last_year) END AS change_year_shown,
    CASE ord
        WHEN 1 THEN '/entries?delivery=true&from=' || strftime((SELECT w FROM weeks), '%Y-%m-%d') || '&to=' || strftime((SELECT w FROM weeks) + INTERVAL 6 DAY, '%Y-%m-%d')
        WHEN 4 THEN '/payments?from=' || strftime((SELECT w FROM weeks), '%Y-%m-%d') || '&to=' || strftime((SELECT w FROM weeks) + INTERVAL 6 DAY, '%Y-%m-%d')
        WHEN 5 THEN '/deals'
        WHEN 6 THEN '/ops'
        WHEN 7 THEN '/receivables?overdue=true'
        WHEN 8 THEN '/finance'
        ELSE '/pnl?from=' || strftime(date_trunc('month', (SELECT w FROM weeks)), '%Y-%m-%d') || '&to=' || strftime(last_day((SELECT w FROM weeks)), '%Y-%m-%d')
    END AS drill
FROM shown
ORDER BY ord
