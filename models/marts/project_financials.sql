-- Project to date (metrics §3–6): the months of marts.project_month summed.
-- Revenue is earned revenue (T&M at resolved rates, fixed fee by percent
-- complete, retainers by their hours bank); cost_amount is direct labour.
-- Invoiced is the ledger's net in the reporting currency, credit notes
-- deducted. margin is the project contribution (AGI − labour − direct
-- non-labour) and margin_pct is on AGI (§5.2); WIP = max(0, earned −
-- invoiced) and deferred = max(0, invoiced − earned), per project (§4.1).
-- test: unique(project_key)
-- test: relationships(project_key -> core.projects.project_key)
WITH t AS (
    SELECT project_key,
        sum(hours) FILTER (WHERE time_category <> 'time_off') AS hours,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h,
        sum(billable_amount) FILTER (WHERE time_category = 'client') AS billable_value,
        sum(billable_amount) FILTER (WHERE time_category = 'client' AND NOT is_billed) AS unbilled_value,
        count(*) FILTER (WHERE time_category = 'client' AND billable AND bill_rate IS NULL) AS unpriced_entries,
        min(entry_date) AS first_entry,
        max(entry_date) AS last_entry
    FROM (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted)
    GROUP BY project_key
),
pl AS (
    SELECT project_key, sum(revenue) AS revenue, sum(pass_through) AS pass_through, sum(agi) AS agi,
        sum(dl) AS cost_amount, sum(dnl) AS dnl, sum(overhead) AS overhead
    FROM {{ ref "marts.project_month" }}
    GROUP BY 1
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
        coalesce(pl.cost_amount, 0)::DECIMAL(18,6) AS cost_amount,
        coalesce(pl.pass_through, 0)::DECIMAL(18,6) AS pass_through,
        coalesce(pl.agi, 0)::DECIMAL(18,6) AS agi,
        coalesce(pl.dnl, 0)::DECIMAL(18,6) AS dnl,
        coalesce(pl.overhead, 0)::DECIMAL(18,6) AS overhead,
        coalesce(t.billable_value, 0)::DECIMAL(18,6) AS billable_value,
        coalesce(t.unbilled_value, 0)::DECIMAL(18,6) AS unbilled_value,
        coalesce(inv.invoiced_amount, 0)::DECIMAL(18,6) AS invoiced_amount,
        coalesce(pl.revenue, 0)::DECIMAL(18,6) AS revenue,
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
    LEFT JOIN pl USING (project_key)
)
SELECT
    *,
    (agi - cost_amount - dnl)::DECIMAL(18,6) AS margin,
    (agi - cost_amount - dnl) / nullif(agi, 0) AS margin_pct,
    (agi - cost_amount - dnl - overhead)::DECIMAL(18,6) AS fully_loaded_margin,
    -- Productive's "invoiced margin" (its profitability report's default): what
    -- was invoiced less the same costs; it moves with billing timing (§5.2).
    (invoiced_amount - cost_amount - dnl)::DECIMAL(18,6) AS invoiced_margin,
    greatest(0, revenue - invoiced_amount)::DECIMAL(18,6) AS wip_amount,
    greatest(0, invoiced_amount - revenue)::DECIMAL(18,6) AS deferred_amount
FROM base
