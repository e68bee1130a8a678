-- Demand that open deals put on each role per ISO week (metrics §7.4).
-- Open deals whose close date has not passed (stale ones are check C30)
-- start pipeline.lag (gaps.deal_lag_days, 14) after their close date and
-- run for their estimated weeks (pipeline.deals) or pipeline.default_weeks
-- (8), spread evenly. Hours are the deal's estimate, else amount ÷
-- pipeline.blended_rate; roles are the estimate's shares, else
-- pipeline.role_mix, else one 'unassigned' role. Won deals drop out at once:
-- their work is in the bookings.
--   weighted_h = probability × hours × role share ÷ weeks;  exposure_h = the same without probability
-- test: unique(deal_key, role, week_start)
WITH open AS (
    SELECT d.deal_key, d.name, d.amount_reporting AS amount, coalesce(d.probability, 0) AS probability, d.close_date
    FROM {{ ref "core.deals" }} d CROSS JOIN seeds.org o
    WHERE NOT d.is_closed AND d.close_date >= o.as_of
),
est AS (
    SELECT o.deal_key, e.hours, e.weeks, e.role, e.share
    FROM open o JOIN seeds.deal_estimates e ON e.deal = o.deal_key OR lower(e.deal) = lower(o.name)
),
sized AS (
    SELECT o.*, coalesce((SELECT max(hours) FROM est WHERE est.deal_key = o.deal_key), o.amount / f.blended_rate) AS hours,
        coalesce((SELECT max(weeks) FROM est WHERE est.deal_key = o.deal_key), f.default_weeks) AS weeks,
        date_trunc('week', o.close_date + g.deal_lag_days)::DATE AS first_week
    FROM open o CROSS JOIN seeds.finance f CROSS JOIN seeds.gap_params g
),
shares AS (
    SELECT deal_key, role, share FROM est WHERE role IS NOT NULL
    UNION ALL
    SELECT s.deal_key, m.role, m.share FROM sized s CROSS JOIN seeds.role_mix m
    WHERE s.deal_key NOT IN (SELECT deal_key FROM est WHERE role IS NOT NULL)
    UNION ALL
    SELECT s.deal_key, 'unassigned', 1 FROM sized s
    WHERE s.deal_key NOT IN (SELECT deal_key FROM est WHERE role IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM seeds.role_mix)
)
SELECT
    s.deal_key, s.name AS deal_name, sh.role,
    (s.first_week + INTERVAL (w.i) WEEK)::DATE AS week_start,
    s.probability, s.hours::DECIMAL(12,4) AS deal_hours, s.weeks, sh.share,
    (s.probability * s.hours * sh.share / s.weeks)::DECIMAL(12,4) AS weighted_h,
    (s.hours * sh.share / s.weeks)::DECIMAL(12,4) AS exposure_h
FROM sized s
JOIN shares sh USING (deal_key)
CROSS JOIN LATERAL (SELECT unnest(range(s.weeks)) AS i) w
WHERE s.hours IS NOT NULL
