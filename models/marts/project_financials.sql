-- Project to date (metrics §3–6). Revenue is earned revenue: T&M is billable
-- hours × the stamped rate (§4.2); fixed fee is fee × percent complete by
-- hours against the larger of the hour budget and the hours spent (§4.3, no
-- bookings yet to estimate what is left); retainers are valued like T&M
-- until retainer terms are configurable. Cost is Σ worked hours × cost rate.
-- Invoiced is the ledger's net in the reporting currency, credit notes
-- deducted. Margin = revenue − cost; WIP = max(0, earned − invoiced) (§4.1).
-- test: unique(project_key)
-- test: relationships(project_key -> core.projects.project_key)
WITH t AS (
    SELECT project_key,
        sum(hours) FILTER (WHERE time_category <> 'time_off') AS hours,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h,
        sum(cost_amount) FILTER (WHERE time_category <> 'time_off') AS cost_amount,
        sum(billable_amount) FILTER (WHERE time_category = 'client') AS billable_value,
        sum(billable_amount) FILTER (WHERE time_category = 'client' AND NOT is_billed) AS unbilled_value,
        count(*) FILTER (WHERE time_category = 'client' AND billable AND bill_rate IS NULL) AS unpriced_entries,
        min(entry_date) AS first_entry,
        max(entry_date) AS last_entry
    FROM {{ ref "core.time_entries" }}
    GROUP BY project_key
),
inv AS (
    SELECT project_key, sum(net_amount_reporting) AS invoiced_amount
    FROM {{ ref "core.invoice_lines" }}
    WHERE is_ledger AND project_key IS NOT NULL AND status NOT IN ('draft', 'submitted', 'voided', 'deleted')
    GROUP BY project_key
),
base AS (
    SELECT
        p.project_key, p.source, p.source_id, p.name AS project_name, p.code,
        p.client_key, c.name AS client_name, p.billing_model, p.status, p.currency,
        coalesce(t.hours, 0)::DECIMAL(14,4) AS hours,
        coalesce(t.billable_h, 0)::DECIMAL(14,4) AS billable_h,
        coalesce(t.cost_amount, 0)::DECIMAL(18,6) AS cost_amount,
        coalesce(t.billable_value, 0)::DECIMAL(18,6) AS billable_value,
        coalesce(t.unbilled_value, 0)::DECIMAL(18,6) AS unbilled_value,
        coalesce(inv.invoiced_amount, 0)::DECIMAL(18,6) AS invoiced_amount,
        CASE p.billing_model
            WHEN 'tm' THEN coalesce(t.billable_value, 0)
            WHEN 'retainer' THEN coalesce(t.billable_value, 0)
            WHEN 'fixed_fee' THEN p.budget_amount * least(1, coalesce(t.hours, 0) / nullif(greatest(p.budget_hours, coalesce(t.hours, 0)), 0))
            ELSE 0
        END::DECIMAL(18,6) AS revenue,
        p.budget_hours, p.budget_amount,
        CASE
            WHEN p.budget_hours > 0 THEN coalesce(t.hours, 0) / p.budget_hours
            WHEN p.budget_amount > 0 THEN coalesce(t.billable_value, 0) / p.budget_amount
        END AS budget_used_pct,
        coalesce(t.unpriced_entries, 0) AS unpriced_entries,
        t.first_entry, t.last_entry, p.source_url
    FROM {{ ref "core.projects" }} p
    LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
    LEFT JOIN t USING (project_key)
    LEFT JOIN inv USING (project_key)
)
SELECT
    *,
    (revenue - cost_amount)::DECIMAL(18,6) AS margin,
    (revenue - cost_amount) / nullif(revenue, 0) AS margin_pct,
    greatest(0, revenue - invoiced_amount)::DECIMAL(18,6) AS wip_amount
FROM base
