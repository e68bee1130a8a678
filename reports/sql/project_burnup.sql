-- title: A project's budget burn-up
-- param: project string
-- Week by week, what the project has consumed of its budget (hours for an
-- hour budget, billable value for a money one — metrics §6.2) to the end of
-- each week, the budget, and the forecast after org.as_of: consumed to date
-- plus the confirmed bookings ahead (valued at the project's mean rate for a
-- money budget), so the line meets the estimate at completion (§6.4).
WITH f AS (
    SELECT * FROM marts.project_forecast WHERE project_key = $project::VARCHAR
),
rate AS (
    SELECT sum(billable_value_reporting) / nullif(sum(billable_hours), 0) AS r
    FROM marts.entry_values WHERE project_key = $project::VARCHAR
),
past AS (
    SELECT date_trunc('week', e.entry_date)::DATE AS week_start,
        sum(CASE WHEN f.budget_unit = 'fee' THEN coalesce(e.billable_value_reporting, 0)
                 ELSE CASE WHEN e.time_category <> 'time_off' THEN e.hours ELSE 0 END END) AS used
    FROM marts.entry_values e CROSS JOIN f CROSS JOIN seeds.org o
    WHERE e.project_key = $project::VARCHAR AND e.entry_date <= o.as_of
    GROUP BY 1
),
ahead AS (
    SELECT date_trunc('week', b.date)::DATE AS week_start,
        sum(b.hours * CASE WHEN f.budget_unit = 'fee' THEN coalesce(rate.r, 0) ELSE 1 END) AS booked
    FROM core.bookings b CROSS JOIN f CROSS JOIN rate CROSS JOIN seeds.org o
    WHERE b.project_key = $project::VARCHAR AND b.date > o.as_of AND NOT b.tentative
    GROUP BY 1
),
weeks AS (
    SELECT week_start FROM past UNION SELECT week_start FROM ahead
)
SELECT
    w.week_start,
    strftime(w.week_start, '%G-W%V') AS iso_week,
    f.budget_unit AS unit,
    f.budget::DECIMAL(18,2) AS budget,
    CASE WHEN w.week_start <= date_trunc('week', o.as_of)
        THEN sum(coalesce(p.used, 0)) OVER (ORDER BY w.week_start) END::DECIMAL(18,2) AS actual,
    CASE WHEN w.week_start >= date_trunc('week', o.as_of)
        THEN sum(coalesce(p.used, 0) + coalesce(a.booked, 0)) OVER (ORDER BY w.week_start) END::DECIMAL(18,2) AS forecast
FROM weeks w
CROSS JOIN f
CROSS JOIN seeds.org o
LEFT JOIN past p USING (week_start)
LEFT JOIN ahead a USING (week_start)
ORDER BY w.week_start
