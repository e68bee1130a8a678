-- title: Bench and overbooking by week
-- param: team string
-- Unbooked available hours of delivery staff (bench, metrics §7.3) and their
-- cost, and hours booked beyond a day's availability, per ISO week for the
-- next 12 weeks; both measured per day, then summed.
SELECT
    s.week_start,
    format('{}-W{:02d}', isoyear(s.week_start), week(s.week_start)) AS iso_week,
    sum(s.bench_h)::DECIMAL(14,2) AS bench_h,
    sum(s.bench_cost)::DECIMAL(18,2) AS bench_cost,
    sum(s.overbooked_h)::DECIMAL(14,2) AS overbooked_h
FROM marts.schedule_week s
JOIN core.people p USING (person_key)
WHERE s.week_start < (SELECT date_trunc('week', as_of) + INTERVAL 12 WEEK FROM seeds.org)
  AND p.active
  AND ($team::VARCHAR IS NULL OR s.role = $team::VARCHAR)
GROUP BY s.week_start
ORDER BY s.week_start
