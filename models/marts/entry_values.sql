-- Every time entry priced and costed (metrics §3.1, §3.3). The bill rate is
-- the first of: the rate the source stamped on the entry, the client's rate
-- card for the person's role, the company list card for the role, the
-- person's default rate — each card row in force on the entry date. An
-- hour with none is unpriced (value NULL, never 0). list_value prices
-- billable hours at the list card (§3.2). The cost rate is the person's
-- configured rate for the year (marts.cost_rates) or else the rate the source
-- stamped. Rejected time is left out; with finance.approved_only only
-- approved or locked time (or time from a tool without approvals) is kept,
-- so every finance view follows (§9.9). Each row is one entry's, so the
-- people's days of time a build changed are rebuilt alone.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, client_key, role, time_category, approval_status, bill_rate_source, cost_rate_source, currency)
-- test: unique(entry_key)
-- test: not_null(entry_key, hours, time_category)
WITH e AS {{ if from_changes }}MATERIALIZED{{ else }}NOT MATERIALIZED{{ end }} ( -- read where used in a whole build (a copy of every entry costs more than the joins), copied once from changes
    SELECT e.*, p.client_key, c.name AS client_name, pe.role, pe.default_bill_rate
    FROM (SELECT * FROM {{ ref "core.time_entries" }} WHERE counted) e
    LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
    CROSS JOIN seeds.finance f
    LEFT JOIN {{ ref "core.clients" }} c ON c.client_key = p.client_key
    LEFT JOIN {{ ref "core.people" }} pe ON pe.person_key = e.person_key
    WHERE e.approval_status IS DISTINCT FROM 'rejected'
      AND (NOT f.approved_only OR e.locked OR e.approval_status IN ('approved', 'none'))
),
client_card AS (
    SELECT e.entry_key, r.rate
    FROM e JOIN seeds.rate_cards r
        ON lower(r.card) = lower(e.client_name) AND lower(r.role) = lower(e.role) AND r.valid_from <= e.entry_date
    QUALIFY row_number() OVER (PARTITION BY e.entry_key ORDER BY r.valid_from DESC) = 1
),
list_card AS (
    SELECT e.entry_key, r.rate
    FROM e JOIN seeds.rate_cards r
        ON lower(r.card) = 'list' AND lower(r.role) = lower(e.role) AND r.valid_from <= e.entry_date
    QUALIFY row_number() OVER (PARTITION BY e.entry_key ORDER BY r.valid_from DESC) = 1
),
priced AS (
    SELECT e.*,
        coalesce(e.bill_rate, cc.rate, lc.rate, e.default_bill_rate) AS resolved_bill_rate,
        CASE WHEN e.bill_rate IS NOT NULL THEN 'entry' WHEN cc.rate IS NOT NULL THEN 'client_card'
             WHEN lc.rate IS NOT NULL THEN 'list_card' WHEN e.default_bill_rate IS NOT NULL THEN 'person' END AS bill_rate_source,
        lc.rate AS list_rate,
        coalesce(cr.cost_rate_direct, e.cost_rate) AS resolved_cost_rate,
        CASE WHEN cr.cost_rate_direct IS NOT NULL THEN 'config' WHEN e.cost_rate IS NOT NULL THEN 'entry' END AS cost_rate_source
    FROM e
    LEFT JOIN client_card cc USING (entry_key)
    LEFT JOIN list_card lc USING (entry_key)
    LEFT JOIN {{ ref "marts.cost_rates" }} cr ON cr.person_key = e.person_key AND cr.year = year(e.entry_date)
),
-- Only entries in another currency than the reporting one look up a rate
-- (an as-of join sorts what it joins: the rest need not be sorted).
fx AS (
    SELECT p.entry_key, fx.rate
    FROM (SELECT entry_key, currency, entry_date FROM e
          WHERE currency <> (SELECT currency FROM seeds.org)) p
    ASOF LEFT JOIN seeds.fx_rates fx
        ON fx.from_currency = p.currency AND fx.to_currency = (SELECT currency FROM seeds.org) AND p.entry_date >= fx.date
)
SELECT
    entry_key, source, source_id, person_key, project_key, client_key, role, entry_date,
    date_trunc('month', entry_date)::DATE AS month,
    hours, billable_hours, billable, time_category, approval_status, locked,
    resolved_bill_rate::DECIMAL(18,6) AS bill_rate, bill_rate_source,
    list_rate::DECIMAL(18,6) AS list_rate,
    CASE WHEN billable AND time_category = 'client' THEN (billable_hours * resolved_bill_rate)::DECIMAL(18,6) END AS billable_value,
    CASE WHEN billable AND time_category = 'client' THEN (billable_hours * list_rate)::DECIMAL(18,6) END AS list_value,
    resolved_cost_rate::DECIMAL(18,6) AS cost_rate, cost_rate_source,
    CASE WHEN time_category <> 'time_off' THEN (hours * resolved_cost_rate)::DECIMAL(18,6) END AS cost_amount,
    is_billed, invoice_key, priced.currency,
    -- Time has no stored rate: translate at fx_rates' latest rate on or before
    -- the entry date (§9.4); with none loaded the amount stays as it is and
    -- fx_missing says so. Hours × rate × fx is exact only at DECIMAL(36,18),
    -- forty times slower than (30,10): an amount in the reporting currency
    -- (most) is hours × rate alone, the same value.
    CASE WHEN priced.currency = o.reporting_currency THEN 1 ELSE fx.rate END::DECIMAL(18,8) AS fx_rate,
    (priced.currency <> o.reporting_currency AND fx.rate IS NULL) AS fx_missing,
    CASE WHEN billable AND time_category = 'client' THEN
        CASE WHEN priced.currency = o.reporting_currency THEN (billable_hours * resolved_bill_rate)::DECIMAL(18,6)
             ELSE (billable_hours * resolved_bill_rate * coalesce(fx.rate, 1))::DECIMAL(18,6) END
    END AS billable_value_reporting,
    source_url
FROM priced
CROSS JOIN (SELECT currency AS reporting_currency FROM seeds.org) o
LEFT JOIN fx USING (entry_key)
