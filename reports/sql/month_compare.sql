-- title: The last full month against the one before and a year before
-- The last calendar month that ended by org.as_of, in the reporting
-- currency: earned revenue, labour cost, margin and its %, invoiced
-- (marts.client_month_reported) and collected (marts.cash_month), beside the month
-- before (month on month) and the same month a year earlier (year on
-- year), with the changes.
WITH o AS (
    SELECT (date_trunc('month', as_of + INTERVAL 1 DAY) - INTERVAL 1 MONTH)::DATE AS m FROM seeds.org
),
months AS (
    SELECT 'this' AS k, m AS month FROM o
    UNION ALL SELECT 'prev', (m - INTERVAL 1 MONTH)::DATE FROM o
    UNION ALL SELECT 'ly', (m - INTERVAL 1 YEAR)::DATE FROM o
),
figures AS (
    SELECT mo.k, mo.month,
        coalesce(sum(c.revenue), 0) AS revenue, coalesce(sum(c.cost_amount), 0) AS cost, coalesce(sum(c.margin), 0) AS margin,
        sum(c.margin) / nullif(sum(c.revenue), 0) AS margin_pct, coalesce(sum(c.invoiced_amount), 0) AS invoiced,
        (SELECT collected FROM marts.cash_month cm WHERE cm.month = mo.month) AS collected
    FROM months mo LEFT JOIN marts.client_month_reported c ON c.month = mo.month
    GROUP BY ALL
),
measures AS (
    SELECT k, month, unnest(['Revenue earned', 'Labour cost', 'Margin', 'Margin %', 'Invoiced', 'Collected']) AS measure,
        unnest([1, 2, 3, 4, 5, 6]) AS ord,
        unnest([revenue, cost, margin, margin_pct, invoiced, collected]::DOUBLE[]) AS v
    FROM figures
),
compared AS (
    SELECT
        measure, ord,
        strftime(max(month) FILTER (WHERE k = 'this'), '%b %Y') AS month,
        max(v) FILTER (WHERE k = 'this') AS this_month,
        max(v) FILTER (WHERE k = 'prev') AS previous_month,
        max(v) FILTER (WHERE k = 'ly') AS same_month_last_year
    FROM measures
    GROUP BY measure, ord
)
SELECT
    measure, month,
    round(this_month, 4) AS this_month,
    round(previous_month, 4) AS previous_month,
    round(this_month - previous_month, 4) AS change_month,
    round(same_month_last_year, 4) AS same_month_last_year,
    round(this_month - same_month_last_year, 4) AS change_year,
    -- as shown: money in the reporting currency, margin % in percent and points
    CASE WHEN measure = 'Margin %' THEN format('{:.1f}%', this_month * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', this_month) END AS this_month_shown,
    CASE WHEN measure = 'Margin %' THEN format('{:.1f}%', previous_month * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', previous_month) END AS previous_month_shown,
    CASE WHEN measure = 'Margin %' THEN format('{:+.1f} pts', (this_month - previous_month) * 100) ELSE CASE WHEN this_month >= previous_month THEN '+' ELSE '' END || format('{:,.0f}', this_month - previous_month) END AS change_month_shown,
    CASE WHEN measure = 'Margin %' THEN format('{:.1f}%', same_month_last_year * 100) ELSE (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', same_month_last_year) END AS same_month_last_year_shown,
    CASE WHEN measure = 'Margin %' THEN format('{:+.1f} pts', (this_month - same_month_last_year) * 100) ELSE CASE WHEN this_month >= same_month_last_year THEN '+' ELSE '' END || format('{:,.0f}', this_month - same_month_last_year) END AS change_year_shown
FROM compared
ORDER BY ord
