-- title: How good are our forecasts
-- Each forecast Conflux made, once its period has passed, against what
-- happened (marts.forecast_accuracy): the capacity plan's confirmed
-- bookings per person-week against the hours worked (by role), the role
-- plan's forecast hours per role-week against the hours that role worked, the
-- month's revenue forecast against the revenue earned, each open deal's
-- probability-weighted demand per week against the hours then logged on
-- the projects it became (none if lost), each 1, 4 and 12 weeks ahead; and
-- a project's estimate at completion when 25, 50 and 75% of its budget was
-- used against its final consumption, by billing model and by manager.
--   bias_pct    = 100 × (Σ forecast − Σ actual) ÷ Σ actual  (negative: understated)
--   mape_pct    = 100 × mean(|forecast − actual| ÷ actual)
--   calibration = Σ actual ÷ Σ forecast: multiply a forecast by it
-- Worked example: bookings of 24 h and 32 h for weeks in which 30 h and
-- 40 h were worked: bias −20%, MAPE 20%, calibration 1.25 — a week now
-- booked at 200 h will more likely take 250 h.
SELECT measure, horizon, segment, n, forecast_total, actual_total, bias_pct, mape_pct, calibration
FROM marts.forecast_accuracy
ORDER BY measure, horizon_n, segment <> 'all', segment
