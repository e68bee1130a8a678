-- The project P&L by month (metrics §4–5), in the reporting currency.
--   revenue      earned: T&M = billable hours × resolved rate by entry month (§4.2),
--                capped T&M (finance.projects cap) never past the cap, what lies
--                beyond it is capped_excess, a write-down at source (§4.6);
--                retainers with terms = marts.retainer_month (§4.4); fixed fee =
--                fee × percent complete at month end − the same at the month before,
--                percent complete = hours to month end ÷ the estimate at completion
--                in hours (§4.3, §6.4: hours to date + booked hours ahead, see
--                marts.project_forecast), so earned revenue never passes fee ×
--                today's percent complete however far the hours overrun the budget
--                — or, when finance.projects lists its milestones, each milestone's
--                amount in the month it was accepted (§4.5); plus rebilled
--                expenses × (1 + markup)
--   pass_through rebillable expenses at cost (§4.7);   agi = revenue − pass_through
--   dl           worked hours × cost rate (marts.entry_values), non-billable client hours included
--   dnl          non-billable project expenses (direct non-labour)
--   contribution agi − dl − dnl (project gross margin)
--   overhead     worked hours × finance.overhead_per_hour on client projects,
--                × finance.facility_per_hour on internal ones (§3.3b, §5.4)
--   fully_loaded contribution − overhead
-- Percentages are on AGI (canonical) and on revenue (SPI-comparable), NULL on zero.
-- test: unique(project_key, month)
-- test: relationships(project_key -> core.projects.project_key)
WITH t AS (
    SELECT project_key, month,
        sum(hours) FILTER (WHERE time_category <> 'time_off') AS worked_h,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h,
        sum(billable_value_reporting) AS billable_value,
        sum(cost_amount) AS dl
    FROM {{ ref "marts.entry_month" }}
    WHERE project_key IS NOT NULL
    GROUP BY ALL
),
x AS (
    SELECT project_key, date_trunc('month', expense_date)::DATE AS month,
        sum(amount) FILTER (WHERE billable) AS pass_through,
        sum(amount) FILTER (WHERE NOT billable) AS dnl
    FROM {{ ref "core.expenses" }}
    WHERE project_key IS NOT NULL
    GROUP BY ALL
),
ms AS (
    SELECT p.project_key, date_trunc('month', s.accepted_on)::DATE AS month, sum(s.amount) AS accepted_amount
    FROM seeds.milestones s JOIN {{ ref "core.projects" }} p ON lower(p.code) = s.code
    WHERE s.accepted_on IS NOT NULL
    GROUP BY ALL
),
by_milestone AS (
    SELECT DISTINCT p.project_key FROM seeds.milestones s JOIN {{ ref "core.projects" }} p ON lower(p.code) = s.code
),
keys AS (
    SELECT project_key, month FROM t
    UNION SELECT project_key, month FROM ms
    UNION SELECT project_key, month FROM x
    UNION SELECT project_key, month FROM {{ ref "marts.retainer_month" }}
),
m AS (
    SELECT k.project_key, k.month, p.billing_model, p.client_key, p.budget_hours, p.budget_amount,
        coalesce(t.worked_h, 0) AS worked_h, coalesce(t.billable_h, 0) AS billable_h,
        coalesce(t.billable_value, 0) AS billable_value, coalesce(t.dl, 0) AS dl,
        coalesce(x.pass_through, 0) AS pass_through, coalesce(x.dnl, 0) AS dnl,
        r.revenue AS retainer_revenue,
        ms.accepted_amount, k.project_key IN (SELECT project_key FROM by_milestone) AS by_milestone,
        sum(coalesce(t.worked_h, 0)) OVER (PARTITION BY k.project_key ORDER BY k.month) AS cum_h,
        sum(coalesce(t.billable_value, 0)) OVER (PARTITION BY k.project_key ORDER BY k.month) AS cum_value,
        tm.cap_amount,
        pf.percent_complete AS pc_now, pf.worked_h AS input_h_now
    FROM keys k
    JOIN {{ ref "core.projects" }} p USING (project_key)
    LEFT JOIN t USING (project_key, month)
    LEFT JOIN x USING (project_key, month)
    LEFT JOIN {{ ref "marts.retainer_month" }} r USING (project_key, month)
    LEFT JOIN seeds.project_terms tm ON tm.code = lower(p.code)
    LEFT JOIN ms USING (project_key, month)
    LEFT JOIN {{ ref "marts.project_forecast" }} pf USING (project_key)
),
rev AS (
    SELECT m.*,
        CASE WHEN billing_model = 'fixed_fee'
            THEN budget_amount * coalesce(pc_now, 0) * least(1, coalesce(cum_h / nullif(input_h_now, 0), 0)) END AS ff_earned_to_date
    FROM m
),
pl AS (
    SELECT rev.*,
        (CASE billing_model
            WHEN 'fixed_fee' THEN CASE WHEN by_milestone THEN coalesce(accepted_amount, 0)
                ELSE coalesce(ff_earned_to_date, 0) - coalesce(lag(ff_earned_to_date) OVER (PARTITION BY project_key ORDER BY month), 0) END
            WHEN 'non_billable' THEN 0
            ELSE coalesce(retainer_revenue,
                CASE WHEN cap_amount IS NOT NULL THEN least(cum_value, cap_amount) - least(cum_value - billable_value, cap_amount) END,
                billable_value)
        END + pass_through * (1 + f.expense_markup))::DECIMAL(18,6) AS revenue,
        CASE WHEN billing_model = 'tm' AND cap_amount IS NOT NULL
            THEN billable_value - (least(cum_value, cap_amount) - least(cum_value - billable_value, cap_amount)) ELSE 0 END AS capped_excess,
        worked_h * CASE WHEN billing_model <> 'non_billable' THEN f.overhead_per_hour ELSE f.facility_per_hour END AS overhead
    FROM rev CROSS JOIN seeds.finance f
)
SELECT
    project_key, month, client_key, billing_model,
    worked_h::DECIMAL(14,4) AS worked_h,
    billable_h::DECIMAL(14,4) AS billable_h,
    revenue,
    pass_through::DECIMAL(18,6) AS pass_through,
    (revenue - pass_through)::DECIMAL(18,6) AS agi,
    dl::DECIMAL(18,6) AS dl,
    dnl::DECIMAL(18,6) AS dnl,
    (revenue - pass_through - dl - dnl)::DECIMAL(18,6) AS contribution,
    overhead::DECIMAL(18,6) AS overhead,
    capped_excess::DECIMAL(18,6) AS capped_excess,
    (revenue - pass_through - dl - dnl - overhead)::DECIMAL(18,6) AS fully_loaded,
    (revenue - pass_through - dl - dnl) / nullif(revenue - pass_through, 0) AS contribution_pct_agi,
    (revenue - pass_through - dl - dnl) / nullif(revenue, 0) AS contribution_pct_revenue,
    (revenue - pass_through - dl - dnl - overhead) / nullif(revenue - pass_through, 0) AS fully_loaded_pct_agi
FROM pl
