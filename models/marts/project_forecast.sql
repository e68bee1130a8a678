-- Budget burn and forecast per project at org.as_of (metrics §6). A budget
-- in money (fee) is consumed by billable value, one in hours by every worked
-- hour (Harvest's default scope).
--   budget_used_pct  = consumed ÷ budget
--   burn_rate_week   = consumed in the 4 complete ISO weeks before as_of ÷ 4
--   runway_weeks     = remaining ÷ burn_rate_week (NULL when nothing burns)
--   etc_h            = confirmed booked hours after as_of;  eac = actual + etc
--   vac              = budget − eac (negative: forecast overrun);  eac_pct = eac ÷ budget
--   percent_complete = the PM's figure from finance.projects, else the §4.3 input
--                    measure: hours ÷ (hours + ETC) while work is booked ahead; with
--                    nothing booked, 100% once the project is closed, else hours ÷ the
--                    larger of the budget and the hours (the budget is the estimate
--                    until the hours pass it). Fixed-fee revenue is earned by it.
--   burn_gap_pts     = 100 × (budget_used_pct − percent_complete)
--   cpi = EV ÷ AC with EV = percent_complete × budget, AC = consumed;  eac_cpi = budget ÷ cpi
--   status           red: used ≥ 90%, EAC > 110% or over budget; amber: used ≥ 75%,
--                    EAC > 100% or gap > 15 pts; else green (§6.6, our proposal)
--   onerous          a fixed fee whose estimated cost at completion (cost to date +
--                    booked hours at the average cost rate) exceeds the fee; expected_loss
--                    is the difference (§4.3, §5.5)
-- Money is valued at the project's average billable rate to date; overrun_h
-- is EAC hours beyond the budget, overrun_value those hours at that rate.
-- test: unique(project_key)
WITH clock AS (
    SELECT as_of, date_trunc('month', as_of)::DATE AS m0, date_trunc('week', as_of)::DATE AS this_week,
        (date_trunc('week', as_of) - INTERVAL 28 DAY)::DATE AS four_weeks_back -- a date, compared to each entry's as it is
    FROM seeds.org
),
-- To date: the months before as_of's from their sums, that month's entries
-- up to as_of one by one.
to_date AS (
    SELECT e.project_key, e.time_category, e.hours, e.billable_hours, e.billable_value_reporting, e.cost_amount
    FROM {{ ref "marts.entry_month" }} e CROSS JOIN clock a
    WHERE e.month < a.m0
    UNION ALL
    SELECT e.project_key, e.time_category, e.hours, e.billable_hours, e.billable_value_reporting, e.cost_amount
    FROM {{ ref "marts.entry_values" }} e CROSS JOIN clock a
    WHERE e.entry_date >= a.m0 AND e.entry_date <= a.as_of
),
burn AS (
    SELECT e.project_key,
        sum(e.hours) FILTER (WHERE e.time_category <> 'time_off') AS burn_h_4w,
        sum(e.billable_value_reporting) AS burn_value_4w
    FROM {{ ref "marts.entry_values" }} e CROSS JOIN clock a
    WHERE e.entry_date >= a.four_weeks_back AND e.entry_date < a.this_week AND e.entry_date <= a.as_of
    GROUP BY e.project_key
),
t AS (
    SELECT project_key,
        sum(hours) FILTER (WHERE time_category <> 'time_off') AS worked_h,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h,
        sum(billable_value_reporting) AS billable_value,
        sum(cost_amount) AS cost_to_date,
        any_value(b.burn_h_4w) AS burn_h_4w,
        any_value(b.burn_value_4w) AS burn_value_4w
    FROM to_date LEFT JOIN burn b USING (project_key)
    GROUP BY project_key
),
b AS (
    SELECT project_key, sum(hours) FILTER (WHERE NOT tentative) AS etc_h, sum(hours) FILTER (WHERE tentative) AS tentative_h
    FROM {{ ref "core.bookings" }} CROSS JOIN clock a
    WHERE date > a.as_of AND project_key IS NOT NULL
    GROUP BY 1
),
base AS (
    SELECT p.project_key, p.billing_model, p.status,
        CASE WHEN p.budget_amount > 0 AND p.billing_model <> 'fixed_fee' THEN 'fee' WHEN p.budget_hours > 0 THEN 'hours' END AS budget_unit,
        coalesce(t.worked_h, 0) AS worked_h, coalesce(t.billable_h, 0) AS billable_h, coalesce(t.billable_value, 0) AS billable_value,
        coalesce(b.etc_h, 0) AS etc_h, coalesce(b.tentative_h, 0) AS tentative_h,
        t.billable_value / nullif(t.billable_h, 0) AS avg_rate,
        coalesce(t.cost_to_date, 0) AS cost_to_date,
        coalesce(t.cost_to_date, 0) + coalesce(b.etc_h, 0) * t.cost_to_date / nullif(t.worked_h, 0) AS eac_cost,
        p.budget_hours, p.budget_amount, tm.percent_complete AS pm_percent_complete,
        coalesce(t.burn_h_4w, 0) / 4 AS burn_h_week, coalesce(t.burn_value_4w, 0) / 4 AS burn_value_week
    FROM {{ ref "core.projects" }} p
    LEFT JOIN t USING (project_key)
    LEFT JOIN b USING (project_key)
    LEFT JOIN seeds.project_terms tm ON tm.code = lower(p.code)
    WHERE p.budget_hours > 0 OR p.budget_amount > 0
),
f AS (
    SELECT *,
        CASE budget_unit WHEN 'fee' THEN budget_amount ELSE budget_hours END AS budget,
        CASE budget_unit WHEN 'fee' THEN billable_value ELSE worked_h END AS consumed,
        CASE budget_unit WHEN 'fee' THEN burn_value_week ELSE burn_h_week END AS burn_rate_week,
        CASE budget_unit WHEN 'fee' THEN billable_value + etc_h * avg_rate ELSE worked_h + etc_h END AS eac,
        CASE budget_unit WHEN 'fee' THEN billable_h ELSE worked_h END + etc_h AS eac_h,
        coalesce(pm_percent_complete,
            CASE
                WHEN etc_h > 0 THEN CASE budget_unit WHEN 'fee' THEN billable_h ELSE worked_h END
                    / (CASE budget_unit WHEN 'fee' THEN billable_h ELSE worked_h END + etc_h)
                WHEN status <> 'active' THEN 1
                WHEN budget_unit = 'fee' THEN billable_value / nullif(greatest(budget_amount, billable_value), 0)
                ELSE worked_h / nullif(greatest(budget_hours, worked_h), 0)
            END) AS percent_complete
    FROM base
),
g AS (
    SELECT *,
        consumed / budget AS budget_used_pct,
        budget - consumed AS remaining,
        eac / budget AS eac_pct,
        percent_complete * budget / nullif(consumed, 0) AS cpi
    FROM f
)
SELECT
    project_key, billing_model, budget_unit,
    budget::DECIMAL(18,6) AS budget,
    consumed::DECIMAL(18,6) AS consumed,
    worked_h::DECIMAL(14,4) AS worked_h,
    budget_used_pct,
    remaining::DECIMAL(18,6) AS remaining,
    burn_rate_week::DECIMAL(18,6) AS burn_rate_week,
    CASE WHEN burn_rate_week > 0 THEN remaining / burn_rate_week END AS runway_weeks,
    etc_h::DECIMAL(14,4) AS etc_h,
    tentative_h::DECIMAL(14,4) AS tentative_h,
    eac_h::DECIMAL(14,4) AS eac_h,
    eac::DECIMAL(18,6) AS eac,
    (budget - eac)::DECIMAL(18,6) AS vac,
    eac_pct,
    percent_complete,
    pm_percent_complete IS NOT NULL AS percent_complete_reported,
    100 * (budget_used_pct - percent_complete) AS burn_gap_pts,
    cpi,
    (budget / nullif(cpi, 0))::DECIMAL(18,6) AS eac_cpi,
    abs(budget / nullif(cpi, 0) / nullif(eac, 0) - 1) > 0.10 AS bookings_understated,
    greatest(0, CASE budget_unit WHEN 'fee' THEN eac_h - budget / nullif(avg_rate, 0) ELSE eac_h - budget END)::DECIMAL(14,4) AS overrun_h,
    (greatest(0, CASE budget_unit WHEN 'fee' THEN eac_h - budget / nullif(avg_rate, 0) ELSE eac_h - budget END) * avg_rate)::DECIMAL(18,6) AS overrun_value,
    cost_to_date::DECIMAL(18,6) AS cost_to_date,
    eac_cost::DECIMAL(18,6) AS eac_cost,
    coalesce(billing_model = 'fixed_fee' AND eac_cost > budget_amount, false) AS onerous,
    CASE WHEN billing_model = 'fixed_fee' AND eac_cost > budget_amount THEN eac_cost - budget_amount END::DECIMAL(18,6) AS expected_loss,
    CASE
        WHEN budget_used_pct >= 0.9 OR eac_pct > 1.1 OR consumed > budget THEN 'red'
        WHEN budget_used_pct >= 0.75 OR eac_pct > 1.0 OR 100 * (budget_used_pct - percent_complete) > 15 THEN 'amber'
        ELSE 'green'
    END AS status
FROM g
