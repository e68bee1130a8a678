-- Deal stages of every pipeline; a stage's probability (a string, "0.0" to
-- "1.0") and isClosed decide won, lost and open — not the stage's name.
-- test: unique(source, stage_id)
SELECT
    p.source,
    p.id AS pipeline_id,
    st->>'id' AS stage_id,
    st->>'label' AS label,
    (st->'metadata'->>'probability')::DECIMAL(5,4) AS probability,
    coalesce((st->'metadata'->>'isClosed')::BOOLEAN, false) AS is_closed
FROM {{ source "hubspot" "pipelines" }} p, unnest(from_json(p.payload->'stages', '["JSON"]')) AS t(st)
