-- Scheduled work (person × project × day), from the tools that plan it:
-- Productive bookings on a service (drafts are tentative) and Harvest
-- Forecast assignments. Forecast people are the time tool's people with the
-- same email, Forecast projects the Harvest projects their harvest_id names
-- (else the project with the same code). A booking on a Forecast
-- placeholder has no person, only the role it asks for: it is role demand,
-- not anyone's capacity (metrics §7.1).
-- test: not_null(date, hours)
WITH productive AS (
    SELECT b.person_key, CAST(NULL AS VARCHAR) AS role, s.project_key, b.date, b.hours, b.tentative, b.source
    FROM {{ ref "staging.productive_booking_days" }} b
    LEFT JOIN {{ ref "staging.productive_services" }} s ON s.task_key = b.service_key
    WHERE NOT b.is_time_off
),
forecast AS (
    SELECT
        (SELECT min(p.person_key) FROM {{ ref "core.people" }} p WHERE lower(p.email) = fp.email) AS person_key,
        ph.role,
        coalesce(
            (SELECT min(cp.project_key) FROM {{ ref "core.projects" }} cp JOIN seeds.sources s ON s.name = cp.source AND s.type = 'harvest'
             WHERE cp.source_id = fj.harvest_id),
            (SELECT min(cp.project_key) FROM {{ ref "core.projects" }} cp WHERE lower(cp.code) = lower(fj.code))) AS project_key,
        a.date, a.hours, false AS tentative, a.source
    FROM {{ ref "staging.forecast_assignment_days" }} a
    LEFT JOIN {{ ref "staging.forecast_people" }} fp ON fp.source = a.source AND fp.person_id = a.person_id
    LEFT JOIN {{ ref "staging.forecast_placeholders" }} ph ON ph.source = a.source AND ph.placeholder_id = a.placeholder_id
    LEFT JOIN {{ ref "staging.forecast_projects" }} fj ON fj.source = a.source AND fj.project_id = a.project_id
)
SELECT person_key, role, project_key, date, sum(hours)::DECIMAL(12,4) AS hours, tentative, source
FROM (SELECT * FROM productive UNION ALL SELECT * FROM forecast)
WHERE person_key IS NOT NULL OR role IS NOT NULL
GROUP BY person_key, role, project_key, date, tentative, source
