-- Rates and realization per project (metrics §3.2, §3.4–3.5, §4.6), over the
-- same entries on both sides of each ratio (their sums in marts.entry_month).
--   standard_value        Σ billable hours × resolved bill rate (marts.entry_values)
--   list_value            Σ billable hours × the list card rate of the person's role
--   rate_realization      standard_value ÷ list_value (discount given at contract time)
--   billing_realization   what the invoices that carry the entries charged for this
--                         project ÷ the standard value of those entries
--   write_down_at_billing standard value of invoiced entries − what was charged (< 0: write-up)
--   hours_realization     billed hours ÷ billable hours
--   effective_bill_rate   (standard_value − write-down) ÷ every worked hour
--   collection_realization cash collected ÷ amount billed (the ledger's invoices,
--                         each line's share of its invoice's payments)
--   fixed_fee_realization earned revenue ÷ standard value (< 100%: the fee is overrun)
-- test: unique(project_key)
WITH e AS (
    SELECT project_key,
        sum(hours) FILTER (WHERE time_category <> 'time_off') AS worked_h,
        sum(billable_hours) FILTER (WHERE time_category = 'client') AS billable_h,
        sum(billable_value) AS standard_value,
        sum(list_value) AS list_value,
        sum(billable_hours) FILTER (WHERE time_category = 'client' AND invoice_key IS NOT NULL) AS billed_h,
        sum(billable_value) FILTER (WHERE invoice_key IS NOT NULL) AS billed_standard_value
    FROM {{ ref "marts.entry_month" }}
    WHERE project_key IS NOT NULL
    GROUP BY 1
),
charged AS (
    SELECT l.project_key, sum(l.net_amount) AS invoiced_for_entries
    FROM {{ ref "core.invoice_lines" }} l
    WHERE l.invoice_key IN (SELECT DISTINCT invoice_key FROM {{ ref "marts.entry_month" }} WHERE invoice_key IS NOT NULL)
      AND l.status NOT IN ('voided', 'deleted', 'draft')
    GROUP BY 1
),
collected AS (
    SELECT l.project_key, sum(l.net_amount_reporting) AS billed,
        sum(l.net_amount_reporting::DOUBLE * i.amount_paid::DOUBLE / nullif(i.total::DOUBLE, 0)) AS collected
    FROM {{ ref "core.invoice_lines" }} l
    JOIN {{ ref "core.invoices" }} i USING (invoice_key)
    WHERE l.is_ledger AND NOT l.is_credit_note AND l.project_key IS NOT NULL
      AND l.status NOT IN ('draft', 'submitted', 'voided', 'deleted')
    GROUP BY 1
),
r AS (
    SELECT e.*, c.invoiced_for_entries,
        coalesce(e.billed_standard_value - c.invoiced_for_entries, 0) AS write_down_at_billing
    FROM e LEFT JOIN charged c USING (project_key)
)
SELECT
    project_key,
    worked_h::DECIMAL(14,4) AS worked_h,
    billable_h::DECIMAL(14,4) AS billable_h,
    standard_value::DECIMAL(18,6) AS standard_value,
    list_value::DECIMAL(18,6) AS list_value,
    standard_value / nullif(list_value, 0) AS rate_realization,
    billed_standard_value::DECIMAL(18,6) AS billed_standard_value,
    invoiced_for_entries::DECIMAL(18,6) AS invoiced_for_entries,
    invoiced_for_entries / nullif(billed_standard_value, 0) AS billing_realization,
    write_down_at_billing::DECIMAL(18,6) AS write_down_at_billing,
    billed_h / nullif(billable_h, 0) AS hours_realization,
    ((coalesce(standard_value, 0) - write_down_at_billing) / nullif(worked_h, 0))::DECIMAL(18,6) AS effective_bill_rate,
    co.collected / nullif(co.billed, 0) AS collection_realization,
    CASE WHEN f.billing_model = 'fixed_fee' THEN f.revenue / nullif(standard_value, 0) END AS fixed_fee_realization
FROM r
LEFT JOIN collected co USING (project_key)
LEFT JOIN (SELECT project_key, billing_model, revenue FROM {{ ref "marts.project_financials" }}) f USING (project_key)
