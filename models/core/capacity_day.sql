-- Capacity per person per day (metrics §1): scheduled hours, public holidays,
-- time off and available hours, over whole calendar years from the first time
-- entry to the last, and at least 13 weeks past org.as_of and the last
-- booking so forward plans have a calendar. A person's weekly capacity is
-- spread over Monday–Friday from their start date (§1.2;
-- org.standard_week_h when the source keeps none) unless a schedule in
-- conflux.yaml gives their hours per weekday (§1.1); public holidays take the
-- largest fraction of the day, never stacking (§1.3); time off is capped at
-- capacity (§1.4). A person known to two tools has one calendar: the
-- canonical record's (core.xref; the time tool's), never one per tool.
-- Partitioned by day: a day's rows take only that day's time off (the
-- calendar's bounds come from core.time_span and the bookings, read whole).
-- materialized: incremental
-- partition: date, person_key
-- test: unique(person_key, date)
-- test: not_null(person_key, date, scheduled_h, capacity_h, available_h)
WITH bounds AS (
    -- The calendar, cut to the days this build makes (all of them unless
    -- it rebuilds the days its inputs changed).
    SELECT greatest(make_date(year(s.first_date), 1, 1), b.first_day) AS lo,
        least(greatest(make_date(year(s.last_date), 12, 31),
                 (SELECT max(date) FROM {{ ref "core.bookings" }}),
                 (SELECT as_of + INTERVAL 13 WEEK FROM seeds.org)::DATE), b.last_day) AS hi
    FROM {{ ref "core.time_span" }} s CROSS JOIN {{ days_built }} b
),
grid AS (
    SELECT p.person_key, d::DATE AS date,
        CASE WHEN d < coalesce(p.start_date, b.lo) OR d > coalesce(p.end_date, DATE '9999-12-31') THEN 0
             WHEN sc.hours IS NOT NULL THEN sc.hours
             WHEN isodow(d) <= 5 THEN (coalesce(p.weekly_capacity_h, o.standard_week_h) / 5)::DECIMAL(12,4)
             ELSE 0 END::DECIMAL(12,4) AS scheduled_h
    FROM {{ ref "core.people" }} p
    -- One calendar per person: their record in the tool that keeps their
    -- schedule (the canonical one), never one per tool they appear in.
    SEMI JOIN {{ ref "core.xref" }} x ON x.entity = 'people' AND x.record_key = p.person_key AND x.canonical_key = p.person_key
    CROSS JOIN bounds b
    CROSS JOIN seeds.org o
    CROSS JOIN generate_series(b.lo::TIMESTAMP, b.hi::TIMESTAMP, INTERVAL 1 DAY) AS s(d)
    LEFT JOIN seeds.schedules sc
        ON sc.email = p.email AND sc.isodow = isodow(d) AND d::DATE BETWEEN sc.valid_from AND sc.valid_to
    -- Only the people's days this build makes (every one in a whole build).
    WHERE {{ built "d" "p.person_key" }}
),
hol AS (
    SELECT date, max(fraction) AS fraction FROM {{ ref "core.holidays" }} GROUP BY date
),
cap AS (
    SELECT g.person_key, g.date, g.scheduled_h,
        (g.scheduled_h * coalesce(h.fraction, 0))::DECIMAL(12,4) AS holiday_h,
        (g.scheduled_h - g.scheduled_h * coalesce(h.fraction, 0))::DECIMAL(12,4) AS capacity_h
    FROM grid g LEFT JOIN hol h USING (date)
)
SELECT
    c.person_key,
    c.date,
    c.scheduled_h,
    c.holiday_h,
    c.capacity_h,
    least(coalesce(t.hours, 0), c.capacity_h)::DECIMAL(12,4) AS time_off_h,
    (c.capacity_h - least(coalesce(t.hours, 0), c.capacity_h))::DECIMAL(12,4) AS available_h
FROM cap c
LEFT JOIN {{ ref "core.time_off" }} t USING (person_key, date)
