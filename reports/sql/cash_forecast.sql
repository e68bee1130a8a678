-- title: 13-week cash forecast
-- The next 13 weeks' money in and out (marts.cash_forecast_week), out as
-- negative amounts so the weeks stack: open receivables on the day each
-- client usually pays, work still to bill (T&M and retainers monthly,
-- fixed-fee balances on the last booked day) paid the same way, payroll on
-- the 25th and overhead on the 1st; net and its running total.
SELECT
    week_start,
    iso_week,
    receivables_in,
    billing_in,
    (-payroll_out)::DECIMAL(18,2) AS payroll_out,
    (-overhead_out)::DECIMAL(18,2) AS overhead_out,
    net,
    cumulative_net
FROM marts.cash_forecast_week
ORDER BY week_start
