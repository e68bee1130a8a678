-- title: Project P&L by month
-- param: from date
-- param: to date
-- param: client string
-- param: project string
-- param: currency string
-- The project-months behind a revenue, cost or margin number
-- (marts.project_month_reported): earned revenue (T&M by hours × rate, fixed fees by
-- percent complete, retainers by their hours bank), labour cost, margin
-- (contribution) and its % of revenue, in the reporting currency. Months
-- whose first day lies in the period; currency is the client's contract
-- currency. Amounts keep their full precision, so the rows add up to the
-- month's figures.
SELECT
    strftime(m.month, '%Y-%m') AS period,
    m.month,
    p.name AS project,
    m.project_key,
    c.name AS client,
    m.billing_model,
    m.worked_h AS hours,
    m.revenue,
    m.dl AS cost,
    m.contribution AS margin,
    round(m.contribution / nullif(m.revenue, 0), 4) AS margin_pct
FROM marts.project_month_reported m
JOIN core.projects p USING (project_key)
LEFT JOIN core.clients c ON c.client_key = m.client_key
WHERE ($from::DATE IS NULL OR m.month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR m.month <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR m.client_key = $client::VARCHAR OR c.name = $client::VARCHAR)
  AND ($project::VARCHAR IS NULL OR m.project_key = $project::VARCHAR OR p.name = $project::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
  AND (m.revenue <> 0 OR m.dl <> 0 OR m.worked_h <> 0)
ORDER BY m.month DESC, m.revenue DESC, project
