-- Capacity and hours per person per day (metrics §1–2). The calendar spans
-- the whole ISO weeks from the first to the last time entry. A person's weekly capacity is spread over
-- Monday–Friday from their start date (metrics §1.2; org.standard_week_h when
-- the source keeps no capacity) unless a schedule in
-- conflux.yaml gives their hours per weekday (§1.1); public holidays take
-- the largest fraction of the day, never stacking (§1.3); time off is capped
-- at capacity (§1.4); time off never counts as worked (§2.1).
-- test: unique(person_key, date)
-- test: not_null(person_key, date, scheduled_h, available_h, worked_h)
WITH bounds AS (
    SELECT date_trunc('week', min(entry_date))::DATE AS lo,
           (date_trunc('week', max(entry_date)) + INTERVAL 6 DAY)::DATE AS hi
    FROM {{ ref "core.time_entries" }}
),
grid AS (
    SELECT p.person_key, d::DATE AS date,
        CASE WHEN d < coalesce(p.start_date, b.lo) OR d > coalesce(p.end_date, DATE '9999-12-31') THEN 0
             WHEN sc.hours IS NOT NULL THEN sc.hours
             WHEN isodow(d) <= 5 THEN (coalesce(p.weekly_capacity_h, o.standard_week_h) / 5)::DECIMAL(12,4)
             ELSE 0 END::DECIMAL(12,4) AS scheduled_h
    FROM {{ ref "core.people" }} p
    CROSS JOIN bounds b
    CROSS JOIN seeds.org o
    CROSS JOIN generate_series(b.lo::TIMESTAMP, b.hi::TIMESTAMP, INTERVAL 1 DAY) AS s(d)
    LEFT JOIN seeds.schedules sc
        ON sc.email = p.email AND sc.isodow = isodow(d) AND d::DATE BETWEEN sc.valid_from AND sc.valid_to
),
hol AS (
    SELECT date, max(fraction) AS fraction FROM {{ ref "core.holidays" }} GROUP BY date
),
hours AS (
    SELECT person_key, entry_date AS date,
        sum(hours) FILTER (WHERE time_category IN ('client', 'internal')) AS worked_h,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h
    FROM {{ ref "core.time_entries" }}
    GROUP BY ALL
),
booked AS (
    SELECT person_key, date, sum(hours) AS booked_h FROM {{ ref "core.bookings" }} GROUP BY ALL
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
    (c.capacity_h - least(coalesce(t.hours, 0), c.capacity_h))::DECIMAL(12,4) AS available_h,
    coalesce(w.worked_h, 0)::DECIMAL(12,4) AS worked_h,
    coalesce(w.billable_h, 0)::DECIMAL(12,4) AS billable_h,
    (coalesce(w.worked_h, 0) - coalesce(w.billable_h, 0))::DECIMAL(12,4) AS nonbillable_h,
    coalesce(b.booked_h, 0)::DECIMAL(12,4) AS booked_h
FROM cap c
LEFT JOIN {{ ref "core.time_off" }} t USING (person_key, date)
LEFT JOIN hours w USING (person_key, date)
LEFT JOIN booked b USING (person_key, date)
