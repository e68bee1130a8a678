-- Retainers (metrics §4.4), for projects whose terms in finance.projects give
-- a monthly fee:
--   (i)   no hours: a stand-ready fee, earned straight-line — the fee each month;
--   (ii)  hours, rollover_cap_h 0: an hours bank, use it or lose it;
--   (iii) hours and a rollover cap: unused hours of the month roll into the
--         next (rolled-in hours are used first and lapse after one month) up
--         to the cap and stay deferred; the rest lapse as breakage and are earned;
--   (iv)  overage_rate: hours beyond the bank are billed at it, as T&M;
--         without one they are overservice — cost with no revenue.
--   bank_rate = fee ÷ hours sold;  revenue = bank_rate × (bank used + breakage) + overage billed
--   deferred  = bank_rate × hours rolled over;  burn_pct = delivered ÷ bank
-- Months run from the first month with time on the project to the last.
-- test: unique(project_key, month)
WITH RECURSIVE terms AS (
    SELECT p.project_key, t.retainer_fee AS fee, t.retainer_hours AS hours_sold,
        coalesce(t.rollover_cap_h, 0) AS cap, t.retainer_fee / t.retainer_hours AS bank_rate, t.overage_rate
    FROM {{ ref "core.projects" }} p
    JOIN seeds.project_terms t ON t.code = lower(p.code)
    WHERE t.retainer_fee > 0
),
delivered AS (
    SELECT project_key, month, sum(hours) AS delivered_h, sum(cost_amount) AS cost_amount
    FROM {{ ref "marts.entry_month" }}
    WHERE time_category = 'client' AND project_key IN (SELECT project_key FROM terms)
    GROUP BY ALL
),
months AS (
    SELECT r.project_key, g.m::DATE AS month, row_number() OVER (PARTITION BY r.project_key ORDER BY g.m) AS n
    FROM (SELECT project_key, min(month) AS lo, max(month) AS hi FROM delivered GROUP BY 1) r
    JOIN terms USING (project_key),
    generate_series(r.lo::TIMESTAMP, r.hi::TIMESTAMP, INTERVAL 1 MONTH) AS g(m)
),
base AS (
    SELECT m.project_key, m.month, m.n, t.fee, t.hours_sold, t.cap, t.bank_rate, t.overage_rate,
        coalesce(d.delivered_h, 0)::DECIMAL(12,4) AS delivered_h, coalesce(d.cost_amount, 0) AS cost_amount
    FROM months m JOIN terms t USING (project_key) LEFT JOIN delivered d USING (project_key, month)
),
roll AS (
    SELECT project_key, n, 0::DECIMAL(12,4) AS rollover_in_h,
        coalesce(least(cap, hours_sold - least(hours_sold, delivered_h)), 0)::DECIMAL(12,4) AS rollover_out_h
    FROM base WHERE n = 1
    UNION ALL
    SELECT b.project_key, b.n, r.rollover_out_h,
        coalesce(least(b.cap, b.hours_sold - least(b.hours_sold, b.delivered_h - least(r.rollover_out_h, b.delivered_h))), 0)::DECIMAL(12,4)
    FROM roll r JOIN base b ON b.project_key = r.project_key AND b.n = r.n + 1
),
used AS (
    SELECT b.*, r.rollover_in_h, r.rollover_out_h,
        least(r.rollover_in_h, b.delivered_h) AS used_rollover_h,
        least(b.hours_sold, b.delivered_h - least(r.rollover_in_h, b.delivered_h)) AS used_fresh_h,
        greatest(0, b.delivered_h - b.hours_sold - r.rollover_in_h) AS beyond_h
    FROM base b JOIN roll r USING (project_key, n)
)
SELECT
    project_key, month, fee, hours_sold, cap AS rollover_cap_h, bank_rate::DECIMAL(18,6) AS bank_rate,
    CASE WHEN hours_sold IS NULL THEN 'stand_ready' WHEN overage_rate IS NOT NULL THEN 'overage'
         WHEN cap > 0 THEN 'rollover' ELSE 'use_it_or_lose_it' END AS retainer_type,
    rollover_in_h,
    (hours_sold + rollover_in_h)::DECIMAL(12,4) AS bank_h,
    delivered_h,
    (used_rollover_h + used_fresh_h)::DECIMAL(12,4) AS used_h,
    CASE WHEN overage_rate IS NOT NULL THEN beyond_h ELSE 0 END::DECIMAL(12,4) AS billed_overage_h,
    CASE WHEN overage_rate IS NULL AND hours_sold IS NOT NULL THEN beyond_h ELSE 0 END::DECIMAL(12,4) AS overservice_h,
    rollover_out_h,
    (hours_sold + rollover_in_h - used_rollover_h - used_fresh_h - rollover_out_h)::DECIMAL(12,4) AS breakage_h,
    CASE WHEN hours_sold IS NULL THEN fee
         ELSE bank_rate * (hours_sold + rollover_in_h - rollover_out_h) + coalesce(overage_rate, 0) * beyond_h
    END::DECIMAL(18,6) AS revenue,
    coalesce(bank_rate * rollover_out_h, 0)::DECIMAL(18,6) AS deferred_revenue,
    delivered_h / nullif(hours_sold + rollover_in_h, 0) AS burn_pct,
    CASE WHEN overage_rate IS NULL AND hours_sold IS NOT NULL
        THEN beyond_h * cost_amount / nullif(delivered_h, 0) ELSE 0 END::DECIMAL(18,6) AS overservice_cost
FROM used
