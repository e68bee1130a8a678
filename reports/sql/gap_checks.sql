-- title: The checks and their thresholds
-- Each check of the gaps ledger by name, the threshold it runs with
-- (conflux.yaml gaps:, where it has one) and how many of its findings are
-- open or acknowledged.
SELECT
    c.check_id,
    c.name AS check_name,
    coalesce(c.threshold, '—') AS threshold,
    count(s.finding_key) AS open_findings
FROM marts.gap_checks c
LEFT JOIN workflow.gap_state s ON s.check_id = c.check_id AND s.status IN ('open', 'acknowledged')
GROUP BY ALL
ORDER BY c.check_id
