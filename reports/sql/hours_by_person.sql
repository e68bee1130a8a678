-- title: Billable and non-billable hours by person
-- param: from date
-- param: to date
-- param: team string
-- Hours worked per person on the period's exact dates (marts.person_day),
-- most billable first; time off is not work. Utilization is over available
-- hours, ratio of sums.
SELECT
    p.name AS person,
    p.person_key,
    p.team,
    sum(d.billable_h)::DECIMAL(14,2) AS billable_h,
    sum(d.nonbillable_h)::DECIMAL(14,2) AS nonbillable_h,
    sum(d.time_off_h)::DECIMAL(14,2) AS time_off_h,
    sum(d.available_h)::DECIMAL(14,2) AS available_h,
    round(sum(d.billable_h) / nullif(sum(d.available_h), 0), 4) AS billable_util,
    round(sum(d.worked_h) / nullif(sum(d.available_h), 0), 4) AS total_util
FROM marts.person_day_reported d
JOIN core.people p USING (person_key)
WHERE ($from::DATE IS NULL OR d.date >= $from::DATE)
  AND ($to::DATE IS NULL OR d.date <= $to::DATE)
  AND ($team::VARCHAR IS NULL OR p.team = $team::VARCHAR)
GROUP BY ALL
HAVING sum(d.worked_h) > 0 OR sum(d.available_h) > 0
ORDER BY billable_h DESC, person
