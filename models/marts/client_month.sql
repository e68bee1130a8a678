-- Client × calendar month: hours, labour cost, earned revenue, AGI and
-- margin (contribution) from marts.project_month, so the months add up to
-- marts.project_financials; and invoiced
-- revenue from the ledger by issue date: net of tax, credit notes deducted,
-- in the reporting currency at the ledger's rate (metrics §9.4). A line
-- counts for its project's client (so time and invoices meet on one client
-- although each tool has its own client records), else for its invoice's.
-- test: unique(client_key, month)
WITH p AS (
    SELECT project_key, client_key FROM {{ ref "core.projects" }}
),
t AS (
    SELECT p.client_key, m.month,
        sum(m.worked_h) AS hours, sum(m.billable_h) AS billable_h, sum(m.dl) AS cost_amount,
        sum(m.revenue) AS revenue, sum(m.agi) AS agi, sum(m.dnl) AS dnl
    FROM {{ ref "marts.project_month" }} m
    JOIN p USING (project_key)
    GROUP BY ALL
),
inv AS (
    SELECT
        coalesce(p.client_key, l.client_key) AS client_key,
        date_trunc('month', l.issue_date)::DATE AS month,
        sum(l.net_amount_reporting) AS invoiced_amount,
        sum(l.net_amount_reporting) FILTER (WHERE l.is_credit_note) AS credited_amount
    FROM {{ ref "core.invoice_lines" }} l
    LEFT JOIN p USING (project_key)
    WHERE l.is_ledger AND l.status NOT IN ('draft', 'submitted', 'voided', 'deleted')
    GROUP BY ALL
)
SELECT
    client_key,
    c.name AS client_name,
    month,
    (SELECT currency FROM seeds.org) AS currency,
    coalesce(t.hours, 0)::DECIMAL(14,4) AS hours,
    coalesce(t.billable_h, 0)::DECIMAL(14,4) AS billable_h,
    coalesce(t.cost_amount, 0)::DECIMAL(18,6) AS cost_amount,
    coalesce(t.revenue, 0)::DECIMAL(18,6) AS revenue,
    coalesce(t.agi, 0)::DECIMAL(18,6) AS agi,
    (coalesce(t.agi, 0) - coalesce(t.cost_amount, 0) - coalesce(t.dnl, 0))::DECIMAL(18,6) AS margin,
    coalesce(inv.invoiced_amount, 0)::DECIMAL(18,6) AS invoiced_amount,
    coalesce(inv.credited_amount, 0)::DECIMAL(18,6) AS credited_amount
FROM t
FULL JOIN inv USING (client_key, month)
LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
