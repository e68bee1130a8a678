-- The period-exact cost rate (metrics §3.3a, Productive's variant) for
-- payroll tie-out: a month's loaded cost (the year's ÷ 12, from
-- marts.cost_rates) over that month's own capacity hours, so it moves with
-- the holidays of the month. Margins use the annual rate; this one is for
-- checking against payroll.
-- test: unique(person_key, month)
SELECT
    c.person_key,
    date_trunc('month', c.date)::DATE AS month,
    (any_value(r.annual_loaded_cost) / 12)::DECIMAL(18,2) AS monthly_loaded_cost,
    sum(c.capacity_h)::DECIMAL(14,4) AS capacity_h,
    (any_value(r.annual_loaded_cost) / 12 / nullif(sum(c.capacity_h), 0))::DECIMAL(18,6) AS cost_rate_direct_monthly,
    any_value(r.cost_rate_direct) AS cost_rate_direct
FROM {{ ref "core.capacity_day" }} c
JOIN {{ ref "marts.cost_rates" }} r ON r.person_key = c.person_key AND r.year = year(c.date)
GROUP BY 1, 2
