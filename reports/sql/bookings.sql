-- title: Bookings
-- param: from date
-- param: to date
-- param: team string
-- param: person string
-- param: project string
-- param: tentative string
-- The plan behind a scheduled-utilization cell: bookings per person, project
-- and day from the planning tool (tentative ones marked); a placeholder's
-- booking shows its role and no person. Soonest first; tentative=false
-- keeps confirmed bookings only. counted_h is what scheduled utilization
-- counts: tentative hours weighed by pipeline.tentative_weight.
SELECT
    b.date,
    pe.name AS person,
    coalesce(pe.team, b.role) AS team,
    p.name AS project,
    b.project_key,
    b.hours,
    (b.hours * CASE WHEN b.tentative THEN f.tentative_weight ELSE 1 END)::DECIMAL(12,4) AS counted_h,
    b.tentative,
    b.source
FROM core.bookings b
LEFT JOIN core.people pe USING (person_key)
LEFT JOIN core.projects p USING (project_key)
CROSS JOIN seeds.finance f
WHERE ($from::DATE IS NULL OR b.date >= $from::DATE)
  AND ($to::DATE IS NULL OR b.date <= $to::DATE)
  AND ($team::VARCHAR IS NULL OR coalesce(pe.team, b.role) = $team::VARCHAR)
  AND ($person::VARCHAR IS NULL OR pe.name = $person::VARCHAR OR b.person_key = $person::VARCHAR)
  AND ($project::VARCHAR IS NULL OR p.name = $project::VARCHAR OR b.project_key = $project::VARCHAR)
  AND ($tentative::VARCHAR IS NULL OR b.tentative = $tentative::BOOLEAN)
ORDER BY b.date, person, project
