-- The forward schedule per person per day, from the week of org.as_of to the
-- end of core.capacity_day (metrics §7.1–7.3). booked_h weighs tentative
-- bookings by pipeline.tentative_weight (1.0). Over- and under-booking are
-- measured per day and only then summed, so a 10-hour Tuesday is not hidden
-- by a 6-hour Thursday:
--   overbooked_h  = max(0, booked_h − available_h)
--   underbooked_h = max(0, available_h − booked_h)   (bench for delivery staff)
-- Partitioned by day: a day's rows are made from that day's capacity (and
-- the bookings, read whole), so capacity changed on past days rebuilds
-- those days only, and they hold no rows.
-- materialized: incremental
-- partition: date, person_key
-- test: unique(person_key, date)
WITH b AS (
    SELECT person_key, date,
        sum(hours) FILTER (WHERE NOT tentative) AS confirmed_h,
        sum(hours) FILTER (WHERE tentative) AS tentative_h
    FROM {{ ref "core.bookings" }}
    WHERE person_key IS NOT NULL
    GROUP BY ALL
),
d AS (
    SELECT c.person_key, c.date, p.role, p.is_delivery, c.available_h,
        coalesce(b.confirmed_h, 0) AS confirmed_h, coalesce(b.tentative_h, 0) AS tentative_h,
        coalesce(b.confirmed_h, 0) + f.tentative_weight * coalesce(b.tentative_h, 0) AS booked_h
    FROM {{ ref "core.capacity_day" }} c
    JOIN {{ ref "core.people" }} p USING (person_key)
    CROSS JOIN seeds.org o
    CROSS JOIN seeds.finance f
    LEFT JOIN b USING (person_key, date)
    WHERE c.date >= date_trunc('week', o.as_of)
)
SELECT
    person_key, date, date_trunc('week', date)::DATE AS week_start, role, is_delivery,
    available_h,
    confirmed_h::DECIMAL(12,4) AS confirmed_h,
    tentative_h::DECIMAL(12,4) AS tentative_h,
    booked_h::DECIMAL(12,4) AS booked_h,
    greatest(0, booked_h - available_h)::DECIMAL(12,4) AS overbooked_h,
    greatest(0, available_h - booked_h)::DECIMAL(12,4) AS underbooked_h
FROM d
