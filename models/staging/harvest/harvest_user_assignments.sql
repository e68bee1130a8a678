-- Harvest user assignments: who is on a project, whether as its project
-- manager, and their bill rate on it (used when the project bills by person).
-- test: unique(assignment_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS assignment_key,
    source || ':' || (payload->'project'->>'id') AS project_key,
    source || ':' || (payload->'user'->>'id') AS person_key,
    coalesce((payload->>'is_project_manager')::BOOLEAN, false) AS is_project_manager,
    (payload->>'hourly_rate')::DECIMAL(18,6) AS hourly_rate,
    coalesce((payload->>'is_active')::BOOLEAN, true) AS active
FROM {{ source "harvest" "user_assignments" }}
