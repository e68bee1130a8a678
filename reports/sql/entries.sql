-- title: Time entries
-- param: from date
-- param: to date
-- param: client string
-- param: team string
-- param: person string
-- param: project string
-- param: currency string
-- param: delivery string
-- The rows behind a number: time entries (time off left out) with the rate
-- that priced them and the cost rate that costs them (marts.entry_values),
-- newest first; each links back to its record in the source tool. Filters
-- match names or keys; currency is the client's contract currency;
-- delivery=true keeps delivery staff only (as utilization counts them).
-- Amounts keep their full precision, so the rows add up to the number they
-- explain.
SELECT
    e.entry_date,
    pe.name AS person,
    pe.team,
    c.name AS client,
    p.name AS project,
    e.project_key,
    e.hours,
    coalesce(e.billable_hours, 0)::DECIMAL(12,4) AS billable_h,
    (e.hours - coalesce(e.billable_hours, 0))::DECIMAL(12,4) AS nonbillable_h,
    e.bill_rate,
    e.billable_value_reporting AS billable_value,
    e.cost_rate,
    e.cost_amount AS cost,
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
  AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
  AND ($delivery::VARCHAR IS NULL OR NOT $delivery::BOOLEAN OR pe.is_delivery)
ORDER BY e.entry_date DESC, person, e.entry_key
