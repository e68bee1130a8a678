-- title: Money at stake by check
-- Open findings in marts.gaps per check: how many, and the money and hours
-- at stake (estimates of exposure, in the reporting currency).
SELECT
    check_id,
    count(*) AS findings,
    coalesce(sum(amount_at_stake), 0)::DECIMAL(18,2) AS amount_at_stake,
    any_value(currency) AS currency,
    coalesce(sum(hours_at_stake), 0)::DECIMAL(14,2) AS hours_at_stake
FROM marts.gaps
WHERE status = 'open'
GROUP BY check_id
ORDER BY check_id
