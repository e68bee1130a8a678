-- title: Open gaps by week
-- Open findings by the ISO week their exposure began (first_seen): how the
-- money at stake built up, each record counted once. Ignored and resolved
-- findings are left out of every week.
SELECT
    week_start,
    strftime(week_start, '%G-W%V') AS iso_week,
    findings,
    amount_at_stake,
    sum(amount_at_stake) OVER (ORDER BY week_start)::DECIMAL(18,2) AS cumulative_at_stake
FROM (
    SELECT date_trunc('week', g.first_seen)::DATE AS week_start, count(*) AS findings,
        sum(coalesce(g.counted_amount, 0))::DECIMAL(18,2) AS amount_at_stake
    FROM marts.gaps g JOIN workflow.gap_state s USING (finding_key)
    WHERE g.status = 'open' AND s.status IN ('open', 'acknowledged') AND g.first_seen IS NOT NULL
    GROUP BY 1
)
ORDER BY week_start
