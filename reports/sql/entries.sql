-- title: Time entries
-- param: from date
-- param: to date
-- param: client string
-- param: team string
-- param: person string
-- param: project string
-- param: currency string
-- The rows behind a number: time entries (time off left out) with the rate
-- that priced them and the cost rate that costs them (marts.entry_values),
-- newest first, at most 2,000; each links back to its record in the source
-- tool. Filters match names or keys.
SELECT
    e.entry_date,
    pe.name AS person,
    pe.team,
    c.name AS client,
    p.name AS project,
    e.project_key,
    e.hours::DECIMAL(12,2) AS hours,
    e.billable_hours::DECIMAL(12,2) AS billable_h,
    e.bill_rate::DECIMAL(18,2) AS bill_rate,
    e.billable_value_reporting::DECIMAL(18,2) AS billable_value,
    e.cost_rate::DECIMAL(18,2) AS cost_rate,
    e.cost_amount::DECIMAL(18,2) AS cost,
    e.is_billed,
    e.source_url
FROM marts.entry_values e
JOIN core.people pe USING (person_key)
LEFT JOIN core.projects p USING (project_key)
LEFT JOIN core.clients c ON c.client_key = p.client_key
WHERE e.time_category <> 'time_off'
  AND ($from::DATE IS NULL OR e.entry_date >= $from::DATE)
  AND ($to::DATE IS NULL OR e.entry_date <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR c.name = $client::VARCHAR OR p.client_key = $client::VARCHAR)
  AND ($team::VARCHAR IS NULL OR pe.team = $team::VARCHAR)
  AND ($person::VARCHAR IS NULL OR pe.name = $person::VARCHAR OR pe.person_key = $person::VARCHAR)
  AND ($project::VARCHAR IS NULL OR p.name = $project::VARCHAR OR e.project_key = $project::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR p.client_key IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
ORDER BY e.entry_date DESC, person, e.entry_key
LIMIT 2000
