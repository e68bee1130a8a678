-- Bookings from a files source's bookings file (a scheduling tool's
-- export): one row per weekday from `from` to `to`, hours_per_day each. A
-- booking names a person by email, or only the role it asks for; the
-- project by code or name (core.bookings finds them).
SELECT
    source,
    source || ':' || id AS booking_key,
    lower(payload->>'person') AS email,
    payload->>'role' AS role,
    lower(payload->>'project') AS project,
    d::DATE AS date,
    (payload->>'hours_per_day')::DECIMAL(12,4) AS hours,
    coalesce((payload->>'tentative')::BOOLEAN, false) AS tentative
FROM {{ source "files" "bookings" }},
    generate_series((payload->>'from')::TIMESTAMP, (payload->>'to')::TIMESTAMP, INTERVAL 1 DAY) AS g(d)
WHERE isodow(d) <= 5
