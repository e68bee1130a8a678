-- Scheduled work (person × project × day), from the tools that plan it
-- (Productive bookings on a service).
-- test: not_null(person_key, date, hours)
SELECT
    b.person_key,
    s.project_key,
    b.date,
    sum(b.hours)::DECIMAL(12,4) AS hours,
    b.tentative,
    b.source
FROM {{ ref "staging.productive_booking_days" }} b
LEFT JOIN {{ ref "staging.productive_services" }} s ON s.task_key = b.service_key
WHERE NOT b.is_time_off
GROUP BY b.person_key, s.project_key, b.date, b.tentative, b.source
