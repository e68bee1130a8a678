-- Harvest user assignments: who is on a project, and whether as its
-- project manager.
-- test: unique(assignment_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS assignment_key,
    source || ':' || (payload->'project'->>'id') AS project_key,
    source || ':' || (payload->'user'->>'id') AS person_key,
    coalesce((payload->>'is_project_manager')::BOOLEAN, false) AS is_project_manager,
    coalesce((payload->>'is_active')::BOOLEAN, true) AS active
FROM {{ source "harvest" "user_assignments" }}
