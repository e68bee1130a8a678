-- title: Money at stake by check
-- Open findings (open or acknowledged, snoozed included; not ignored or
-- resolved) per check, by name: how many, the money at stake counting each
-- record once (its largest finding), and the hours (estimates of exposure
-- in the reporting currency).
SELECT
    s.check_id,
    coalesce(c.name, s.check_id) AS check_name,
    count(*) AS findings,
    coalesce(sum(s.counted_amount), 0)::DECIMAL(18,2) AS amount_at_stake,
    coalesce(sum(s.hours_at_stake), 0)::DECIMAL(14,2) AS hours_at_stake
FROM workflow.gap_state s
LEFT JOIN marts.gap_checks c USING (check_id)
WHERE s.status IN ('open', 'acknowledged')
GROUP BY ALL
ORDER BY amount_at_stake DESC, s.check_id
