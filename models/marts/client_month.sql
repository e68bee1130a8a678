-- Client × calendar month: hours, cost and earned revenue from time (by
-- entry date, valued as in marts.project_financials: a fixed fee earns
-- fee × the month's hours / the larger of its hour budget and all its hours,
-- so the months add up to the project's revenue to date), and invoiced
-- revenue from the ledger by issue date: net of tax, credit notes deducted,
-- in the reporting currency at the ledger's rate (metrics §9.4). A line
-- counts for its project's client (so time and invoices meet on one client
-- although each tool has its own client records), else for its invoice's.
-- test: unique(client_key, month)
WITH p AS (
    SELECT project_key, client_key, billing_model, budget_hours, budget_amount FROM {{ ref "core.projects" }}
),
project_hours AS (
    SELECT project_key, sum(hours) AS hours
    FROM {{ ref "core.time_entries" }}
    WHERE time_category <> 'time_off'
    GROUP BY project_key
),
t AS (
    SELECT
        p.client_key,
        date_trunc('month', e.entry_date)::DATE AS month,
        sum(e.hours) AS hours,
        sum(e.billable_hours) FILTER (WHERE e.time_category = 'client') AS billable_h,
        sum(e.cost_amount) AS cost_amount,
        sum(CASE p.billing_model
            WHEN 'tm' THEN CASE WHEN e.time_category = 'client' THEN e.billable_amount END
            WHEN 'retainer' THEN CASE WHEN e.time_category = 'client' THEN e.billable_amount END
            WHEN 'fixed_fee' THEN p.budget_amount * e.hours / nullif(greatest(p.budget_hours, ph.hours), 0)
        END) AS revenue
    FROM {{ ref "core.time_entries" }} e
    JOIN p USING (project_key)
    LEFT JOIN project_hours ph USING (project_key)
    WHERE e.time_category <> 'time_off'
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
    (coalesce(t.revenue, 0) - coalesce(t.cost_amount, 0))::DECIMAL(18,6) AS margin,
    coalesce(inv.invoiced_amount, 0)::DECIMAL(18,6) AS invoiced_amount,
    coalesce(inv.credited_amount, 0)::DECIMAL(18,6) AS credited_amount
FROM t
FULL JOIN inv USING (client_key, month)
LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
