-- title: On the bench, next 4 weeks
-- param: team string
-- Delivery staff with unbooked time in the four weeks from the week of
-- org.as_of (marts.schedule_day, metrics §7.3), most bench first: available
-- and booked hours, the bench (unbooked available hours, per day then summed)
-- and the share of their time it is. from_date and to_date are the weeks.
SELECT
    s.person_key,
    p.name AS person,
    s.role AS team,
    min(s.date) AS from_date,
    max(s.date) AS to_date,
    sum(s.available_h)::DECIMAL(14,2) AS available_h,
    sum(s.booked_h)::DECIMAL(14,2) AS booked_h,
    sum(s.underbooked_h)::DECIMAL(14,2) AS bench_h,
    round(sum(s.underbooked_h) / nullif(sum(s.available_h), 0), 4) AS bench_pct
FROM marts.schedule_day s
JOIN core.people p USING (person_key)
CROSS JOIN seeds.org o
WHERE s.is_delivery AND p.active
  AND s.date >= date_trunc('week', o.as_of) AND s.date < date_trunc('week', o.as_of) + INTERVAL 28 DAY
  AND ($team::VARCHAR IS NULL OR s.role = $team::VARCHAR)
GROUP BY ALL
HAVING sum(s.underbooked_h) > 0
ORDER BY bench_h DESC, person
