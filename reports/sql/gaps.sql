-- title: Gaps between the tools
-- param: check string
-- Open findings of marts.gaps, most money at stake first, with the owner
-- who should act and a link to the source record where the tool has one.
SELECT
    check_id,
    severity,
    owner_role AS owner,
    entity,
    coalesce(source || ':' || source_id, canonical_key) AS record,
    amount_at_stake,
    currency,
    hours_at_stake,
    age_days,
    detail,
    source_url
FROM marts.gaps
WHERE status = 'open' AND ($check::VARCHAR IS NULL OR check_id = $check::VARCHAR)
ORDER BY amount_at_stake DESC NULLS LAST, check_id, record
