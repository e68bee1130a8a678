-- Public holidays of org.holidays plus org.holiday_dates (calendar 'org').
-- test: unique(calendar, date)
SELECT calendar, date, max(fraction)::DECIMAL(5,4) AS fraction, string_agg(name, ', ') AS name
FROM seeds.holidays
GROUP BY calendar, date
