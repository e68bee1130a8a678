-- title: Revenue forecast, next 6 months
-- param: client string
-- param: currency string
-- Per calendar month from the month of org.as_of, in the reporting
-- currency (marts.revenue_forecast): revenue the plan says each billing
-- model will earn — T&M and retainers by booked hours × rates, fixed fees
-- by percent complete as the bookings are worked, fee retainers by their
-- fee — the running month's earned-to-date included; beside it the open
-- pipeline weighted by probability (not yet won: a separate band, spread
-- over each deal's weeks as capacity demand spreads it), and the same month
-- last year's earned revenue.
WITH f AS (
    SELECT f.month, f.billing_model, f.revenue, f.actual_revenue
    FROM marts.revenue_forecast f
    LEFT JOIN core.clients c ON c.client_key = f.client_key
    WHERE ($client::VARCHAR IS NULL OR f.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
      AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
),
months AS (
    SELECT (date_trunc('month', as_of) + INTERVAL (i) MONTH)::DATE AS month FROM seeds.org, range(6) t(i)
),
pipeline AS (
    SELECT date_trunc('month', w.week_start)::DATE AS month, sum(d.amount_reporting * d.probability / w.weeks) AS weighted
    FROM (SELECT DISTINCT deal_key, week_start, weeks FROM marts.pipeline_demand) w
    JOIN core.deals d USING (deal_key)
    LEFT JOIN core.clients c ON c.client_key = d.client_key
    WHERE ($client::VARCHAR IS NULL OR d.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
      AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
    GROUP BY 1
),
last_year AS (
    SELECT (m.month + INTERVAL 1 YEAR)::DATE AS month, sum(m.revenue) AS revenue
    FROM marts.client_month_reported m LEFT JOIN core.clients c USING (client_key)
    WHERE ($client::VARCHAR IS NULL OR m.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
      AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
    GROUP BY 1
)
SELECT
    m.month,
    strftime(m.month, '%Y-%m') AS period,
    coalesce(sum(f.actual_revenue), 0)::DECIMAL(18,2) AS earned_so_far,
    coalesce(sum(f.revenue - f.actual_revenue) FILTER (WHERE f.billing_model = 'tm'), 0)::DECIMAL(18,2) AS tm,
    coalesce(sum(f.revenue - f.actual_revenue) FILTER (WHERE f.billing_model = 'fixed_fee'), 0)::DECIMAL(18,2) AS fixed_fee,
    coalesce(sum(f.revenue - f.actual_revenue) FILTER (WHERE f.billing_model = 'retainer'), 0)::DECIMAL(18,2) AS retainer,
    coalesce(sum(f.revenue), 0)::DECIMAL(18,2) AS booked,
    coalesce(any_value(p.weighted), 0)::DECIMAL(18,2) AS pipeline_weighted,
    any_value(ly.revenue)::DECIMAL(18,2) AS last_year
FROM months m
LEFT JOIN f USING (month)
LEFT JOIN pipeline p USING (month)
LEFT JOIN last_year ly USING (month)
GROUP BY m.month
ORDER BY m.month
