-- Harvest Forecast placeholders: unnamed roles booked before a person is
-- chosen; the role is the placeholder's first role, else its name.
-- test: unique(placeholder_id)
SELECT
    source,
    id AS placeholder_id,
    coalesce(payload->'roles'->>0, payload->>'name') AS role,
    payload->>'name' AS name,
    coalesce((payload->>'archived')::BOOLEAN, false) AS archived,
    updated_at
FROM {{ source "forecast" "placeholders" }}
