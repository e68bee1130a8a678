-- Approved leave (person × day). Time tools that log leave as time entries
-- (Harvest advises a time-off task) give it through core.time_entries;
-- Productive books it against absence events. Partitioned by day: a day's
-- leave is that day's entries and bookings.
-- materialized: incremental
-- partition: date, person_key
-- test: unique(person_key, date)
WITH leave AS (
    SELECT person_key, entry_date AS date, hours FROM (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted) WHERE time_category = 'time_off'
    UNION ALL
    SELECT person_key, date, hours FROM {{ ref "staging.productive_booking_days" }} WHERE is_time_off AND approved
)
SELECT
    person_key,
    date,
    sum(hours)::DECIMAL(12,4) AS hours,
    'leave' AS kind,
    true AS approved
FROM leave
GROUP BY person_key, date
