-- The forward schedule per person per ISO week (metrics §7.2–7.3): sums of
-- marts.schedule_day. sched_util = booked ÷ available; is_overbooked when
-- any day is overbooked (the daily view), is_over_capacity when the week's
-- bookings exceed its available hours (the weekly view); bench_h is the
-- week's unbooked available time of delivery staff, bench_cost that time at
-- the person's cost rate.
-- Partitioned by week: a week's rows are made from its days.
-- materialized: incremental
-- partition: week_start by week, person_key
-- test: unique(person_key, week_start)
SELECT
    s.person_key, s.week_start, s.role, p.name AS person_name,
    sum(s.available_h)::DECIMAL(14,4) AS available_h,
    sum(s.confirmed_h)::DECIMAL(14,4) AS confirmed_h,
    sum(s.tentative_h)::DECIMAL(14,4) AS tentative_h,
    sum(s.booked_h)::DECIMAL(14,4) AS booked_h,
    sum(s.overbooked_h)::DECIMAL(14,4) AS overbooked_h,
    sum(s.underbooked_h)::DECIMAL(14,4) AS underbooked_h,
    sum(s.booked_h) / nullif(sum(s.available_h), 0) AS sched_util,
    sum(s.overbooked_h) > 0 AS is_overbooked,
    sum(s.booked_h) > sum(s.available_h) AS is_over_capacity,
    CASE WHEN bool_or(s.is_delivery) THEN sum(s.underbooked_h) ELSE 0 END::DECIMAL(14,4) AS bench_h,
    (CASE WHEN bool_or(s.is_delivery) THEN sum(s.underbooked_h) ELSE 0 END
        * coalesce(any_value(cr.cost_rate_direct), any_value(p.cost_rate)))::DECIMAL(18,6) AS bench_cost
FROM {{ ref "marts.schedule_day" }} s
JOIN {{ ref "core.people" }} p USING (person_key)
LEFT JOIN {{ ref "marts.cost_rates" }} cr ON cr.person_key = s.person_key AND cr.year = year(s.week_start)
GROUP BY s.person_key, s.week_start, s.role, p.name
