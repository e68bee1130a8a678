-- title: A project's P&L by month
-- param: project string
-- One project's months (marts.project_month_reported) in the reporting currency:
-- hours, earned revenue, labour cost, margin and what the ledger invoiced.
WITH inv AS (
    SELECT date_trunc('month', issue_date)::DATE AS month, sum(net_amount_reporting) AS invoiced
    FROM core.invoice_lines
    WHERE is_ledger AND project_key = $project::VARCHAR AND status NOT IN ('draft', 'submitted', 'voided', 'deleted')
    GROUP BY 1
)
SELECT
    month,
    strftime(month, '%Y-%m') AS period,
    coalesce(m.worked_h, 0)::DECIMAL(14,2) AS hours,
    coalesce(m.revenue, 0)::DECIMAL(18,2) AS revenue,
    coalesce(m.dl, 0)::DECIMAL(18,2) AS cost,
    coalesce(m.contribution, 0)::DECIMAL(18,2) AS margin,
    coalesce(i.invoiced, 0)::DECIMAL(18,2) AS invoiced
FROM (SELECT * FROM marts.project_month_reported WHERE project_key = $project::VARCHAR) m
FULL JOIN inv i USING (month)
ORDER BY month
