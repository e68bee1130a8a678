-- title: Scheduled utilization, people × weeks
-- param: team string
-- Booked ÷ available hours per person and ISO week for the next 12 weeks
-- (metrics §7.2): over 100% is overbooked, under 75% under-booked. Tentative
-- bookings count at pipeline.tentative_weight.
SELECT
    s.person_name AS person,
    s.role,
    s.week_start,
    format('{}-W{:02d}', isoyear(s.week_start), week(s.week_start)) AS iso_week,
    s.available_h::DECIMAL(14,2) AS available_h,
    s.booked_h::DECIMAL(14,2) AS booked_h,
    s.overbooked_h::DECIMAL(14,2) AS overbooked_h,
    round(s.sched_util, 4) AS sched_util
FROM marts.schedule_week s
JOIN core.people p USING (person_key)
WHERE s.week_start < (SELECT date_trunc('week', as_of) + INTERVAL 12 WEEK FROM seeds.org)
  AND p.active
  AND ($team::VARCHAR IS NULL OR s.role = $team::VARCHAR)
ORDER BY s.person_name, s.week_start
