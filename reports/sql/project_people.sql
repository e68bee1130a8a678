-- title: A project by person
-- param: project string
-- param: from date
-- param: to date
-- Who worked on the project (marts.entry_values, time off left out), most
-- hours first: hours, billable hours, value at their rates and cost, in the
-- reporting currency.
SELECT
    pe.name AS person,
    pe.team,
    sum(e.hours)::DECIMAL(14,2) AS hours,
    sum(e.billable_hours)::DECIMAL(14,2) AS billable_h,
    sum(e.billable_value_reporting)::DECIMAL(18,2) AS value,
    sum(e.cost_amount)::DECIMAL(18,2) AS cost
FROM marts.entry_values e
JOIN core.people pe USING (person_key)
WHERE e.project_key = $project::VARCHAR AND e.time_category <> 'time_off'
  AND ($from::DATE IS NULL OR e.entry_date >= $from::DATE)
  AND ($to::DATE IS NULL OR e.entry_date <= $to::DATE)
GROUP BY ALL
ORDER BY hours DESC, person
