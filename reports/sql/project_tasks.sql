-- title: A project by task
-- param: project string
-- param: from date
-- param: to date
-- Where the project's hours went by task (marts.entry_values joined to
-- core.tasks), most hours first: hours, billable hours, value and cost in the
-- reporting currency.
SELECT
    coalesce(t.name, '(no task)') AS task,
    sum(e.hours)::DECIMAL(14,2) AS hours,
    sum(e.billable_hours)::DECIMAL(14,2) AS billable_h,
    sum(e.billable_value_reporting)::DECIMAL(18,2) AS value,
    sum(e.cost_amount)::DECIMAL(18,2) AS cost
FROM marts.entry_values e
JOIN core.time_entries te USING (entry_key)
LEFT JOIN core.tasks t ON t.task_key = te.task_key
WHERE e.project_key = $project::VARCHAR AND e.time_category <> 'time_off'
  AND ($from::DATE IS NULL OR e.entry_date >= $from::DATE)
  AND ($to::DATE IS NULL OR e.entry_date <= $to::DATE)
GROUP BY ALL
ORDER BY hours DESC, task
