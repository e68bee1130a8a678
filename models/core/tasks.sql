-- test: unique(task_key)
SELECT task_key, source, source_id, project_key, name, billable
FROM {{ ref "staging.harvest_task_assignments" }}
