-- title: Gaps between the tools
-- param: status string = open
-- param: owner string
-- param: check string
-- The gaps ledger's findings with what people decided about them
-- (workflow.gap_state), most money at stake first: the check by name, who
-- owns it (as assigned, else as the ledger names them), the finding, the
-- money and hours at stake, its age, status and a link to the source
-- record. status: open (open or acknowledged, not snoozed — the default),
-- acknowledged, snoozed, ignored, resolved, or all. counted_amount is what
-- the finding adds to a total: of several findings on one record, only the
-- largest counts.
WITH s AS (
    SELECT s.*,
        CASE WHEN s.status IN ('open', 'acknowledged') AND s.snoozed_until > current_date THEN 'snoozed' ELSE s.status END AS shown_status
    FROM workflow.gap_state s
)
SELECT
    s.finding_key,
    s.check_id,
    coalesce(c.name, s.check_id) AS check_name,
    g.severity,
    coalesce(s.owner_override, s.owner) AS owner,
    s.detail,
    s.record_key AS record,
    s.amount_at_stake,
    s.counted_amount,
    s.hours_at_stake,
    g.age_days,
    s.shown_status AS status,
    s.snoozed_until,
    (SELECT count(*) FROM workflow.gap_events e WHERE e.finding_key = s.finding_key AND e.kind = 'comment') AS comments,
    s.source_url,
    '/gaps/' || replace(replace(s.finding_key, '%', '%25'), '/', '%2F') AS drill
FROM s
LEFT JOIN marts.gaps g USING (finding_key)
LEFT JOIN marts.gap_checks c ON c.check_id = s.check_id
WHERE ($check::VARCHAR IS NULL OR s.check_id = $check::VARCHAR)
  AND ($owner::VARCHAR IS NULL OR coalesce(s.owner_override, s.owner) = $owner::VARCHAR)
  AND CASE $status::VARCHAR
        WHEN 'all' THEN true
        WHEN 'open' THEN s.shown_status IN ('open', 'acknowledged')
        ELSE s.shown_status = $status::VARCHAR
      END
ORDER BY s.counted_amount DESC NULLS LAST, s.amount_at_stake DESC NULLS LAST, s.check_id, record
