-- Scheduled work (person × project × day), from the tools that plan it:
-- Productive bookings on a service (drafts are tentative), Harvest
-- Forecast assignments, and a files source's bookings file. Forecast people are the time tool's people with the
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
people_by_email AS (
    SELECT lower(email) AS email, min(person_key) AS person_key FROM {{ ref "core.people" }} WHERE email IS NOT NULL GROUP BY 1
),
harvest_projects AS (
    SELECT cp.source_id, min(cp.project_key) AS project_key
    FROM {{ ref "core.projects" }} cp JOIN seeds.sources s ON s.name = cp.source AND s.type = 'harvest'
    GROUP BY 1
),
projects_by_code AS (
    SELECT lower(code) AS code, min(project_key) AS project_key FROM {{ ref "core.projects" }} WHERE code IS NOT NULL GROUP BY 1
),
forecast AS (
    SELECT pe.person_key, ph.role, coalesce(hp.project_key, pc.project_key) AS project_key, a.date, a.hours, false AS tentative, a.source
    FROM {{ ref "staging.forecast_assignment_days" }} a
    LEFT JOIN {{ ref "staging.forecast_people" }} fp ON fp.source = a.source AND fp.person_id = a.person_id
    LEFT JOIN people_by_email pe ON pe.email = fp.email
    LEFT JOIN {{ ref "staging.forecast_placeholders" }} ph ON ph.source = a.source AND ph.placeholder_id = a.placeholder_id
    LEFT JOIN {{ ref "staging.forecast_projects" }} fj ON fj.source = a.source AND fj.project_id = a.project_id
    LEFT JOIN harvest_projects hp ON hp.source_id = fj.harvest_id
    LEFT JOIN projects_by_code pc ON pc.code = lower(fj.code)
),
projects_by_name AS (
    SELECT lower(name) AS name, min(project_key) AS project_key FROM {{ ref "core.projects" }} WHERE name IS NOT NULL GROUP BY 1
),
-- A files source's bookings file: the person by email, the project by code
-- (else name).
sheet AS (
    SELECT pe.person_key, b.role, coalesce(pc.project_key, pn.project_key) AS project_key, b.date, b.hours, b.tentative, b.source
    FROM {{ ref "staging.files_booking_days" }} b
    LEFT JOIN people_by_email pe ON pe.email = b.email
    LEFT JOIN projects_by_code pc ON pc.code = b.project
    LEFT JOIN projects_by_name pn ON pn.name = b.project
)
SELECT person_key, role, project_key, date, sum(hours)::DECIMAL(12,4) AS hours, tentative, source
FROM (SELECT * FROM productive UNION ALL SELECT * FROM forecast UNION ALL SELECT * FROM sheet)
WHERE person_key IS NOT NULL OR role IS NOT NULL
GROUP BY person_key, role, project_key, date, tentative, source
