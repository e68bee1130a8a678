-- title: Billable and non-billable hours by person
-- param: from date
-- param: to date
-- param: team string
SELECT
    p.name AS person,
    p.person_key,
    p.team,
    sum(w.billable_h)::DECIMAL(14,2) AS billable_h,
    sum(w.nonbillable_h)::DECIMAL(14,2) AS nonbillable_h,
    sum(w.time_off_h)::DECIMAL(14,2) AS time_off_h,
    sum(w.available_h)::DECIMAL(14,2) AS available_h,
    round(sum(w.billable_h) / nullif(sum(w.available_h), 0), 4) AS billable_util,
    round(sum(w.worked_h) / nullif(sum(w.available_h), 0), 4) AS total_util
FROM marts.person_week w
JOIN core.people p USING (person_key)
WHERE ($from::DATE IS NULL OR w.week_start >= $from::DATE)
  AND ($to::DATE IS NULL OR w.week_start <= $to::DATE)
  AND ($team::VARCHAR IS NULL OR p.team = $team::VARCHAR)
GROUP BY ALL
HAVING sum(w.worked_h) > 0 OR sum(w.available_h) > 0
ORDER BY billable_h DESC, person
