-- Productive bookings, one row per booked weekday: a booking on a service is
-- scheduled work, one on an event is time off. booking_method_id 1 books
-- `time` minutes a day; otherwise `total_time` is spread over the weekdays.
-- A draft booking is Productive's tentative booking (metrics §7.1).
-- test: unique(booking_key, date)
WITH b AS (
    SELECT source, id, payload,
        (payload->'attributes'->>'started_on')::DATE AS started_on,
        (payload->'attributes'->>'ended_on')::DATE AS ended_on
    FROM {{ source "productive" "bookings" }}
),
days AS (
    SELECT b.*, d::DATE AS date,
        count(*) OVER (PARTITION BY b.source, b.id) AS weekdays
    FROM b, generate_series(b.started_on::TIMESTAMP, b.ended_on::TIMESTAMP, INTERVAL 1 DAY) AS g(d)
    WHERE isodow(d) <= 5
)
SELECT
    source,
    source || ':' || id AS booking_key,
    date,
    source || ':' || (payload->'relationships'->'person'->'data'->>'id') AS person_key,
    CASE WHEN (payload->'relationships'->'service'->'data'->>'id') IS NOT NULL
         THEN source || ':' || (payload->'relationships'->'service'->'data'->>'id') END AS service_key,
    (payload->'relationships'->'event'->'data'->>'id') IS NOT NULL AS is_time_off,
    CASE WHEN coalesce((payload->'attributes'->>'booking_method_id')::INTEGER, 1) = 1
         THEN round((payload->'attributes'->>'time')::BIGINT / 60.0, 4)
         ELSE round((payload->'attributes'->>'total_time')::BIGINT / 60.0 / weekdays, 4)
    END::DECIMAL(12,4) AS hours,
    coalesce((payload->'attributes'->>'approved')::BOOLEAN, true) AS approved,
    coalesce((payload->'attributes'->>'draft')::BOOLEAN, (payload->'attributes'->>'tentative')::BOOLEAN, false) AS tentative
FROM days
