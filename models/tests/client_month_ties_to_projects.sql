-- Months add up: revenue and cost in marts.client_month sum to the totals
-- of marts.project_financials, and invoiced to the ledger's lines.
SELECT * FROM (
    SELECT
        (SELECT coalesce(sum(revenue), 0) FROM marts.client_month) AS month_revenue,
        (SELECT coalesce(sum(revenue), 0) FROM marts.project_financials) AS project_revenue,
        (SELECT coalesce(sum(cost_amount), 0) FROM marts.client_month) AS month_cost,
        (SELECT coalesce(sum(cost_amount), 0) FROM marts.project_financials) AS project_cost,
        (SELECT coalesce(sum(invoiced_amount), 0) FROM marts.client_month) AS month_invoiced,
        (SELECT coalesce(sum(net_amount_reporting), 0) FROM core.invoice_lines
         WHERE is_ledger AND status NOT IN ('draft', 'submitted', 'voided', 'deleted')) AS ledger_invoiced
) WHERE abs(month_revenue - project_revenue) > 0.01 OR month_cost <> project_cost
   OR month_invoiced <> ledger_invoiced
