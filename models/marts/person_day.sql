-- Capacity and hours per person per day (metrics §1–2) over the whole ISO
-- weeks from the first to the last time entry: core.capacity_day's hours
-- with the hours worked and booked. Time off never counts as worked (§2.1);
-- rejected time does not count at all, unapproved time does (§9.9).
-- Partitioned by day: a day's rows are made from that day's entries.
-- materialized: incremental
-- partition: date, person_key
-- test: unique(person_key, date)
-- test: not_null(person_key, date, scheduled_h, available_h, worked_h)
WITH bounds AS (
    SELECT date_trunc('week', first_counted)::DATE AS lo,
           (date_trunc('week', last_counted) + INTERVAL 6 DAY)::DATE AS hi
    FROM {{ ref "core.time_span" }}
),
hours AS (
    SELECT person_key, entry_date AS date,
        sum(hours) FILTER (WHERE time_category IN ('client', 'internal')) AS worked_h,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h
    FROM (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted)
    WHERE approval_status IS DISTINCT FROM 'rejected'
    GROUP BY ALL
),
booked AS (
    SELECT person_key, date, sum(hours) AS booked_h FROM {{ ref "core.bookings" }} GROUP BY ALL
)
SELECT
    c.person_key,
    c.date,
    c.scheduled_h,
    c.holiday_h,
    c.capacity_h,
    c.time_off_h,
    c.available_h,
    coalesce(w.worked_h, 0)::DECIMAL(12,4) AS worked_h,
    coalesce(w.billable_h, 0)::DECIMAL(12,4) AS billable_h,
    (coalesce(w.worked_h, 0) - coalesce(w.billable_h, 0))::DECIMAL(12,4) AS nonbillable_h,
    coalesce(b.booked_h, 0)::DECIMAL(12,4) AS booked_h
FROM {{ ref "core.capacity_day" }} c
JOIN bounds ON c.date BETWEEN bounds.lo AND bounds.hi
LEFT JOIN hours w USING (person_key, date)
LEFT JOIN booked b USING (person_key, date)
