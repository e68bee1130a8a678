-- title: Capacity vs booked vs pipeline demand, next 12 weeks
-- param: team string
-- Per ISO week from the week of org.as_of (metrics §7.4): available hours,
-- confirmed bookings, the forecast (confirmed + tentative + deal demand
-- weighted by probability) and the exposure if every open deal closed.
-- confirmed_calibrated_h is the confirmed bookings times the capacity
-- plan's calibration 4 weeks ahead (marts.forecast_accuracy): what past
-- bookings say these will come to; the confirmed hours when there is no
-- history yet.
SELECT
    week_start,
    format('{}-W{:02d}', isoyear(week_start), week(week_start)) AS iso_week,
    sum(available_h)::DECIMAL(14,2) AS available_h,
    sum(confirmed_h)::DECIMAL(14,2) AS confirmed_h,
    (sum(confirmed_h) * coalesce(any_value(cal.calibration), 1))::DECIMAL(14,2) AS confirmed_calibrated_h,
    sum(tentative_h)::DECIMAL(14,2) AS tentative_h,
    sum(weighted_demand_h)::DECIMAL(14,2) AS weighted_demand_h,
    sum(forecast_h)::DECIMAL(14,2) AS forecast_h,
    sum(exposure_h)::DECIMAL(14,2) AS exposure_h,
    round(sum(forecast_h) / nullif(sum(available_h), 0), 4) AS forecast_pct
FROM marts.role_week_plan
LEFT JOIN (SELECT calibration FROM marts.forecast_accuracy WHERE measure = 'capacity plan' AND horizon_n = 4 AND segment = 'all') cal ON true
WHERE week_start < (SELECT date_trunc('week', as_of) + INTERVAL 12 WEEK FROM seeds.org)
  AND ($team::VARCHAR IS NULL OR role = $team::VARCHAR)
GROUP BY week_start
ORDER BY week_start
