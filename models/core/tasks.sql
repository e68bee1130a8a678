-- test: unique(task_key)
WITH t AS (
    SELECT * FROM {{ ref "staging.harvest_task_assignments" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.clockify_tasks" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.toggl_tasks" }}
    UNION ALL BY NAME
    SELECT * EXCLUDE (issue_key, site) FROM {{ ref "staging.jira_issues" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.asana_tasks" }}
    UNION ALL BY NAME
    SELECT * EXCLUDE (billing_type_id) FROM {{ ref "staging.productive_services" }}
)
SELECT task_key, source, source_id, project_key, name, billable FROM t
