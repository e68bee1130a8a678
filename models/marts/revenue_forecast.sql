-- Revenue expected per project and month, from the month of org.as_of to
-- five months after it: what the plan (core.bookings) says the work will
-- earn under each billing model (metrics §4 applied to booked hours).
--   tm, and retainers without terms: booked hours (tentative ones at
--        pipeline.tentative_weight) × the project's billable share of hours to
--        date × the rate, in the reporting currency, the person last billed on
--        the project — else their last rate anywhere, else the project's mean
--        rate (a placeholder's booking takes the project's mean rate)
--   fixed_fee: fee × (percent complete at month end − at the month before);
--        percent complete grows from today's (marts.project_forecast) as the
--        confirmed bookings are worked, reaching 100% with the last of them
--        (§4.3); milestone-billed fees are not forecast
--   retainer with a monthly fee (finance.projects): the fee each month; in
--        the running month what is left of it after what it has earned
-- actual_revenue is what the running month earned up to org.as_of
-- (marts.project_month); revenue = actual_revenue + forecast_revenue.
-- Rates and mixes are looked up only for the people and projects booked.
-- test: unique(project_key, month)
WITH clock AS (
    SELECT as_of, date_trunc('month', as_of)::DATE AS m0 FROM seeds.org
),
months AS (
    SELECT (c.m0 + INTERVAL (t.i) MONTH)::DATE AS month FROM clock c, range(6) t(i)
),
booked AS (
    SELECT b.person_key, b.project_key, date_trunc('month', b.date)::DATE AS month,
        sum(b.hours * CASE WHEN b.tentative THEN f.tentative_weight ELSE 1 END) AS booked_h,
        coalesce(sum(b.hours) FILTER (WHERE NOT b.tentative), 0) AS confirmed_h
    FROM {{ ref "core.bookings" }} b CROSS JOIN clock c CROSS JOIN seeds.finance f
    WHERE b.date > c.as_of AND b.date < c.m0 + INTERVAL 6 MONTH AND b.project_key IS NOT NULL
    GROUP BY ALL
),
priced AS (
    SELECT person_key, project_key, entry_date, billable_hours, billable_value_reporting
    FROM {{ ref "marts.entry_values" }}
    WHERE billable_hours > 0 AND billable_value_reporting IS NOT NULL
        AND person_key IN (SELECT person_key FROM booked)
),
rate_person_project AS (
    SELECT person_key, project_key, arg_max(billable_value_reporting / billable_hours, entry_date) AS rate,
        max(entry_date) AS last_date
    FROM priced GROUP BY ALL
),
rate_person AS (
    SELECT person_key, arg_max(rate, last_date) AS rate FROM rate_person_project GROUP BY ALL
),
project_mix AS (
    SELECT project_key,
        sum(billable_value_reporting) / nullif(sum(billable_hours), 0) AS rate,
        sum(billable_hours) FILTER (WHERE time_category = 'client') / nullif(sum(hours) FILTER (WHERE time_category <> 'time_off'), 0) AS billable_share
    FROM {{ ref "marts.entry_month" }}
    WHERE project_key IN (SELECT project_key FROM booked)
    GROUP BY 1
),
projects AS (
    SELECT p.project_key, p.billing_model, p.status, p.budget_amount, t.retainer_fee,
        p.project_key IN (SELECT p2.project_key FROM seeds.milestones s JOIN {{ ref "core.projects" }} p2 ON lower(p2.code) = s.code) AS by_milestone
    FROM {{ ref "core.projects" }} p
    LEFT JOIN seeds.project_terms t ON t.code = lower(p.code)
),
hourly AS (
    SELECT b.project_key, b.month, sum(b.booked_h) AS booked_h,
        sum(b.booked_h * coalesce(m.billable_share, 1) * coalesce(rpp.rate, rp.rate, m.rate)) AS revenue
    FROM booked b
    JOIN projects p USING (project_key)
    LEFT JOIN project_mix m USING (project_key)
    LEFT JOIN rate_person_project rpp ON rpp.person_key = b.person_key AND rpp.project_key = b.project_key
    LEFT JOIN rate_person rp ON rp.person_key = b.person_key
    WHERE p.billing_model = 'tm' OR (p.billing_model = 'retainer' AND p.retainer_fee IS NULL)
    GROUP BY ALL
),
ff_months AS (
    SELECT p.project_key, m.month, f.percent_complete AS pc_now, f.etc_h,
        coalesce(sum(b.confirmed_h) OVER (PARTITION BY p.project_key ORDER BY m.month), 0) AS worked_by_month_end,
        coalesce(b.booked_h, 0) AS booked_h, p.budget_amount AS fee
    FROM projects p
    JOIN {{ ref "marts.project_forecast" }} f USING (project_key)
    CROSS JOIN months m
    LEFT JOIN (SELECT project_key, month, sum(confirmed_h) AS confirmed_h, sum(booked_h) AS booked_h FROM booked GROUP BY ALL) b
        ON b.project_key = p.project_key AND b.month = m.month
    WHERE p.billing_model = 'fixed_fee' AND NOT p.by_milestone AND f.etc_h > 0 AND p.status = 'active'
),
ff AS (
    SELECT project_key, month, booked_h,
        fee * (pc - coalesce(lag(pc) OVER (PARTITION BY project_key ORDER BY month), pc_now)) AS revenue
    FROM (SELECT *, pc_now + (1 - pc_now) * least(1, worked_by_month_end / etc_h) AS pc FROM ff_months)
),
actual AS (
    SELECT pm.project_key, pm.revenue FROM {{ ref "marts.project_month" }} pm CROSS JOIN clock c WHERE pm.month = c.m0
),
retainer AS (
    SELECT p.project_key, m.month, NULL::DECIMAL AS booked_h,
        CASE WHEN m.month = c.m0 THEN greatest(0, p.retainer_fee - coalesce(a.revenue, 0)) ELSE p.retainer_fee END AS revenue
    FROM projects p CROSS JOIN months m CROSS JOIN clock c
    LEFT JOIN actual a ON a.project_key = p.project_key
    WHERE p.billing_model = 'retainer' AND p.retainer_fee > 0 AND p.status = 'active'
),
forecast AS (
    SELECT project_key, month, booked_h, revenue FROM hourly
    UNION ALL SELECT project_key, month, booked_h, revenue FROM ff
    UNION ALL SELECT project_key, month, booked_h, revenue FROM retainer
),
keyed AS (
    SELECT project_key, month FROM forecast
    UNION SELECT a.project_key, c.m0 FROM actual a CROSS JOIN clock c WHERE a.revenue <> 0
)
SELECT
    k.project_key, k.month, p.billing_model, pr.client_key,
    coalesce(sum(f.booked_h), 0)::DECIMAL(14,4) AS booked_h,
    coalesce(any_value(a.revenue) FILTER (WHERE k.month = (SELECT m0 FROM clock)), 0)::DECIMAL(18,6) AS actual_revenue,
    coalesce(sum(f.revenue), 0)::DECIMAL(18,6) AS forecast_revenue,
    (coalesce(any_value(a.revenue) FILTER (WHERE k.month = (SELECT m0 FROM clock)), 0) + coalesce(sum(f.revenue), 0))::DECIMAL(18,6) AS revenue
FROM keyed k
JOIN projects p USING (project_key)
JOIN {{ ref "core.projects" }} pr USING (project_key)
LEFT JOIN forecast f USING (project_key, month)
LEFT JOIN actual a USING (project_key)
GROUP BY k.project_key, k.month, p.billing_model, pr.client_key
