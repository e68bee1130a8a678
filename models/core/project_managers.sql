-- Who manages each project, as the time tool says: Harvest's active user
-- assignments marked is_project_manager (the first by key when there are
-- several). The gaps ledger names them as the owner of a project's findings.
-- test: unique(project_key)
SELECT project_key, min(person_key) AS person_key, any_value(source) AS source
FROM {{ ref "staging.harvest_user_assignments" }}
WHERE is_project_manager AND active
GROUP BY project_key
