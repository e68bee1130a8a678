-- title: Time entries of a project
-- param: project string
-- param: from date
-- param: to date
-- Every counted entry behind a project's numbers, each with a link to it
-- in its tool (a copy of an hour another tool holds counts once: C34).
SELECT
    e.entry_date,
    p.name AS person,
    t.name AS task,
    e.hours,
    e.billable,
    e.bill_rate,
    e.billable_amount::DECIMAL(18,2) AS billable_amount,
    e.cost_amount::DECIMAL(18,2) AS cost_amount,
    e.currency,
    e.is_billed,
    e.time_category,
    e.notes,
    e.source,
    e.source_id,
    e.source_url
FROM core.time_entries e
LEFT JOIN core.people p USING (person_key)
LEFT JOIN core.tasks t USING (task_key)
WHERE e.project_key = $project::VARCHAR AND e.counted
  AND ($from::DATE IS NULL OR e.entry_date >= $from::DATE)
  AND ($to::DATE IS NULL OR e.entry_date <= $to::DATE)
ORDER BY e.entry_date DESC, e.source_id DESC
