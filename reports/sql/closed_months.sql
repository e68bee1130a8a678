-- title: Closed months
-- Each close of a month, newest first: when and by whom, whether it was
-- reopened (by whom, why), what it froze — the month's earned revenue, the
-- work in progress and deferred revenue at the month's end (summed over
-- projects: WIP = max(0, earned − invoiced to date) per project, deferred
-- the reverse, metrics §4.1) and the gap findings open at the close with
-- their money at stake — and for the close that stands the changes since
-- (marts.restatements): how many source records moved, and the earned
-- revenue, labour cost, hours and invoiced amount they moved. A closed
-- month shows its figures as closed on every page and export.
WITH bal AS (
    SELECT month, version, sum(wip) AS wip_at_close, sum(deferred) AS deferred_at_close
    FROM snapshots.balances GROUP BY ALL
),
gap AS (
    SELECT month, version, count(*) AS open_gaps_at_close, sum(counted_amount) AS gaps_at_stake_at_close
    FROM snapshots.gaps GROUP BY ALL
),
rev AS (
    SELECT close_month AS month, close_version AS version, sum(revenue) AS revenue_at_close
    FROM snapshots.project_month GROUP BY ALL
),
chg AS (
    SELECT month, close_version AS version, count(*) AS changes_since, sum(revenue_change) AS revenue_change,
        sum(cost_change) AS cost_change, sum(hours_change) AS hours_change, sum(invoiced_change) AS invoiced_change
    FROM marts.restatements GROUP BY ALL
)
SELECT
    strftime(c.month, '%Y-%m') AS month,
    c.version,
    strftime(c.closed_at, '%Y-%m-%d %H:%M UTC') AS closed_at,
    c.closed_by,
    CASE WHEN c.reopened_at IS NULL THEN 'closed' ELSE 'reopened' END AS status,
    strftime(c.reopened_at, '%Y-%m-%d %H:%M UTC') AS reopened_at,
    c.reopened_by,
    c.reopen_reason,
    coalesce(rev.revenue_at_close, 0)::DECIMAL(18,2) AS revenue_at_close,
    coalesce(bal.wip_at_close, 0)::DECIMAL(18,2) AS wip_at_close,
    coalesce(bal.deferred_at_close, 0)::DECIMAL(18,2) AS deferred_at_close,
    coalesce(gap.open_gaps_at_close, 0) AS open_gaps_at_close,
    coalesce(gap.gaps_at_stake_at_close, 0)::DECIMAL(18,2) AS gaps_at_stake_at_close,
    CASE WHEN c.reopened_at IS NULL THEN coalesce(chg.changes_since, 0) ELSE 0 END AS changes_since,
    CASE WHEN c.reopened_at IS NULL THEN coalesce(chg.revenue_change, 0) ELSE 0 END AS revenue_change,
    CASE WHEN c.reopened_at IS NULL THEN coalesce(chg.cost_change, 0) ELSE 0 END AS cost_change,
    CASE WHEN c.reopened_at IS NULL THEN coalesce(chg.hours_change, 0) ELSE 0 END AS hours_change,
    CASE WHEN c.reopened_at IS NULL THEN coalesce(chg.invoiced_change, 0) ELSE 0 END AS invoiced_change
FROM snapshots.closes c
LEFT JOIN bal USING (month, version)
LEFT JOIN gap USING (month, version)
LEFT JOIN rev USING (month, version)
LEFT JOIN chg USING (month, version)
ORDER BY c.month DESC, c.version DESC
