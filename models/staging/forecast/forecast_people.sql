-- Harvest Forecast people. harvest_user_id and email tie them to the time
-- tool's people; weekly_capacity is in seconds.
-- test: unique(person_id)
SELECT
    source,
    id AS person_id,
    lower(payload->>'email') AS email,
    (payload->>'harvest_user_id') AS harvest_user_id,
    trim(concat_ws(' ', payload->>'first_name', payload->>'last_name')) AS name,
    payload->'roles'->>0 AS role,
    round((payload->>'weekly_capacity')::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS weekly_capacity_h,
    coalesce((payload->>'archived')::BOOLEAN, false) AS archived,
    updated_at
FROM {{ source "forecast" "people" }}
