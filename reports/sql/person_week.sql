-- title: Person weeks
-- param: from date
-- param: to date
SELECT p.name AS person, w.*
FROM marts.person_week_reported w
JOIN core.people p USING (person_key)
WHERE ($from::DATE IS NULL OR w.week_start >= $from::DATE)
  AND ($to::DATE IS NULL OR w.week_start <= $to::DATE)
ORDER BY w.week_start, p.name
