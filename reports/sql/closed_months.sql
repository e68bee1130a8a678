-- title: Closed months
-- Each close of a month, newest first: when and by whom, whether it was
-- reopened (by whom, why), and for the close that stands the changes since
-- (marts.restatements): how many source records moved, and the earned
-- revenue, labour cost, hours and invoiced amount they moved. A closed
-- month shows its figures as closed on every page and export.
SELECT
    strftime(c.month, '%Y-%m') AS month,
    c.version,
    strftime(c.closed_at, '%Y-%m-%d %H:%M UTC') AS closed_at,
    c.closed_by,
    CASE WHEN c.reopened_at IS NULL THEN 'closed' ELSE 'reopened' END AS status,
    strftime(c.reopened_at, '%Y-%m-%d %H:%M UTC') AS reopened_at,
    c.reopened_by,
    c.reopen_reason,
    count(r.month) AS changes_since,
    coalesce(sum(r.revenue_change), 0) AS revenue_change,
    coalesce(sum(r.cost_change), 0) AS cost_change,
    coalesce(sum(r.hours_change), 0) AS hours_change,
    coalesce(sum(r.invoiced_change), 0) AS invoiced_change
FROM snapshots.closes c
LEFT JOIN marts.restatements r ON r.month = c.month AND r.close_version = c.version AND c.reopened_at IS NULL
GROUP BY ALL
ORDER BY 1 DESC, 2 DESC
