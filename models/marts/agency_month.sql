-- The agency P&L by month (metrics §5.1–5.2).
--   delivery_payroll   the month's loaded payroll of delivery staff employed that
--                      month: a configured annual loaded cost ÷ 12, else capacity
--                      hours × the cost rate the source keeps for the person;
--                      the month of org.as_of only up to that day
--   dl_charged         Σ project labour cost (marts.project_month.dl)
--   unabsorbed         delivery_payroll − dl_charged (bench, time off, internal time)
--   delivery_cost      delivery_payroll + Σ project direct non-labour
--   delivery_margin    agi − delivery_cost; bridge: = Σ contribution − unabsorbed
--   operating_overhead finance.monthly_overhead; the month of org.as_of only its
--                      share of the month's weekdays up to that day, like payroll,
--                      so a partial month is not charged a full month's overhead
--   operating_profit   delivery_margin − operating_overhead
--   through            the last day the month counts (org.as_of in the running
--                      month); partial says the month is not over
-- Margins are on AGI and on revenue; NULL when the denominator is zero.
-- test: unique(month)
WITH p AS (
    SELECT month, sum(revenue) AS revenue, sum(agi) AS agi, sum(dl) AS dl_charged, sum(dnl) AS dnl,
        sum(contribution) AS contribution
    FROM {{ ref "marts.project_month" }}
    GROUP BY month
),
person_month AS (
    -- Up to org.as_of only, so the running month is not charged in full.
    SELECT c.person_key, date_trunc('month', c.date)::DATE AS month,
        sum(c.capacity_h) FILTER (WHERE c.date <= o.as_of) AS capacity_h,
        sum(c.capacity_h) AS month_capacity_h
    FROM {{ ref "core.capacity_day" }} c CROSS JOIN seeds.org o
    GROUP BY ALL
    HAVING sum(c.scheduled_h) FILTER (WHERE c.date <= o.as_of) > 0
),
payroll AS (
    SELECT pm.month,
        sum(coalesce(cr.annual_loaded_cost / 12 * pm.capacity_h / nullif(pm.month_capacity_h, 0), pm.capacity_h * pe.cost_rate, 0)) AS delivery_payroll
    FROM person_month pm
    JOIN {{ ref "core.people" }} pe USING (person_key)
    LEFT JOIN {{ ref "marts.cost_rates" }} cr ON cr.person_key = pm.person_key AND cr.year = year(pm.month)
    WHERE pe.is_delivery AND coalesce(cr.is_delivery, true)
    GROUP BY 1
),
elapsed AS (
    -- The share of each month's weekdays on or before org.as_of.
    SELECT date_trunc('month', d)::DATE AS month,
        count(*) FILTER (WHERE d <= o.as_of) / count(*) AS share,
        least(max(d), o.as_of) AS through
    FROM (SELECT unnest(generate_series(min(month), max(month) + INTERVAL 1 MONTH - INTERVAL 1 DAY, INTERVAL 1 DAY))::DATE AS d FROM p)
    CROSS JOIN seeds.org o
    WHERE isodow(d) <= 5
    GROUP BY 1, o.as_of
),
m AS (
    SELECT p.*, coalesce(pr.delivery_payroll, 0) AS delivery_payroll, f.monthly_overhead * coalesce(e.share, 1) AS monthly_overhead,
        e.through, coalesce(e.share, 1) < 1 AS partial
    FROM p LEFT JOIN payroll pr USING (month) LEFT JOIN elapsed e USING (month) CROSS JOIN seeds.finance f
)
SELECT
    month,
    through,
    partial,
    revenue::DECIMAL(18,6) AS revenue,
    agi::DECIMAL(18,6) AS agi,
    delivery_payroll::DECIMAL(18,6) AS delivery_payroll,
    dl_charged::DECIMAL(18,6) AS dl_charged,
    (delivery_payroll - dl_charged)::DECIMAL(18,6) AS unabsorbed,
    dnl::DECIMAL(18,6) AS dnl,
    (delivery_payroll + dnl)::DECIMAL(18,6) AS delivery_cost,
    (agi - delivery_payroll - dnl)::DECIMAL(18,6) AS delivery_margin,
    (agi - delivery_payroll - dnl) / nullif(agi, 0) AS delivery_margin_pct,
    contribution::DECIMAL(18,6) AS contribution,
    monthly_overhead::DECIMAL(18,6) AS operating_overhead,
    (agi - delivery_payroll - dnl - monthly_overhead)::DECIMAL(18,6) AS operating_profit,
    (agi - delivery_payroll - dnl - monthly_overhead) / nullif(agi, 0) AS operating_margin_agi,
    (agi - delivery_payroll - dnl - monthly_overhead) / nullif(revenue, 0) AS operating_margin_revenue
FROM m
