-- title: Demand by role, next 12 weeks
-- Per role over the next 12 ISO weeks: available hours, confirmed bookings,
-- forecast and exposure demand (metrics §7.4), the gap (available −
-- forecast), the weeks the role is short by more than 10% and whether it is
-- short three weeks running (a hiring or subcontracting signal).
SELECT
    role,
    sum(available_h)::DECIMAL(14,2) AS available_h,
    sum(confirmed_h)::DECIMAL(14,2) AS confirmed_h,
    sum(weighted_demand_h)::DECIMAL(14,2) AS pipeline_weighted_h,
    sum(forecast_h)::DECIMAL(14,2) AS forecast_h,
    sum(exposure_h)::DECIMAL(14,2) AS exposure_h,
    sum(capacity_gap_h)::DECIMAL(14,2) AS gap_h,
    round(sum(forecast_h) / nullif(sum(available_h), 0), 4) AS forecast_pct,
    count(*) FILTER (WHERE short) AS weeks_short,
    CASE WHEN bool_or(hiring_signal) THEN 'hire or subcontract' ELSE '' END AS signal
FROM marts.role_week_plan
WHERE week_start < (SELECT date_trunc('week', as_of) + INTERVAL 12 WEEK FROM seeds.org)
GROUP BY role
ORDER BY sum(capacity_gap_h), role
