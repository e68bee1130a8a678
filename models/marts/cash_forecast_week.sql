-- A 13-week cash forecast from the week after org.as_of, in the reporting
-- currency. Money in:
--   receivables_in  each open invoice (marts.receivables) on the day its
--                   client usually pays — issue date + the client's days_to_pay
--                   (marts.client_payment_terms; the agency's when the client has
--                   no history; else the due date); one already later than that
--                   is expected in the first week
--   billing_in      work not yet invoiced, billed as the demo and most agencies
--                   bill: T&M and retainer revenue of a month (marts.revenue_forecast)
--                   on the 2nd of the next month, a fixed fee's unbilled balance on
--                   its last booked day — each with tax at the ledger's average rate
--                   of the last 365 days, then paid days_to_pay later
-- Money out:
--   payroll_out     the month's loaded payroll of everyone employed (finance.costs
--                   salary × (1 + burden) ÷ 12, else weekly capacity × the source's
--                   cost rate × 52 ÷ 12), on the 25th
--   overhead_out    finance.monthly_overhead, on the 1st
-- Tax paid on to the tax office and opening bank balances are not modelled:
-- net and cumulative_net are the movement of cash, not a balance.
-- test: unique(week_start)
WITH clock AS (
    SELECT as_of, (date_trunc('week', as_of) + INTERVAL 7 DAY)::DATE AS w0 FROM seeds.org
),
weeks AS (
    SELECT (c.w0 + INTERVAL (7 * t.i) DAY)::DATE AS week_start FROM clock c, range(13) t(i)
),
terms AS (
    SELECT coalesce(c.days_to_pay, a.days_to_pay) AS days_to_pay, c.client_key
    FROM {{ ref "marts.client_payment_terms" }} c
    CROSS JOIN (SELECT days_to_pay FROM {{ ref "marts.client_payment_terms" }} WHERE client_key IS NULL) a
    WHERE c.client_key IS NOT NULL
),
agency_terms AS (
    SELECT days_to_pay FROM {{ ref "marts.client_payment_terms" }} WHERE client_key IS NULL
),
tax AS (
    SELECT coalesce(sum(i.total) / nullif(sum(i.total - i.tax_amount), 0), 1) AS gross_per_net
    FROM {{ ref "core.invoices" }} i CROSS JOIN clock c
    WHERE i.is_ledger AND i.status NOT IN ('draft', 'submitted', 'voided', 'deleted') AND i.issue_date > c.as_of - INTERVAL 365 DAY
),
receivables AS (
    SELECT greatest(c.w0, r.issue_date + round(coalesce(t.days_to_pay, (SELECT days_to_pay FROM agency_terms), r.due_date - r.issue_date, 0))::INTEGER) AS expected,
        r.outstanding_reporting AS amount
    FROM {{ ref "marts.receivables" }} r CROSS JOIN clock c
    LEFT JOIN terms t USING (client_key)
),
last_booked AS (
    SELECT b.project_key, max(b.date)::DATE AS d FROM {{ ref "core.bookings" }} b CROSS JOIN clock c WHERE b.date > c.as_of GROUP BY 1
),
invoiced AS (
    SELECT project_key, sum(net_amount_reporting) AS net FROM {{ ref "core.invoice_lines" }}
    WHERE is_ledger AND project_key IS NOT NULL AND status NOT IN ('draft', 'submitted', 'voided', 'deleted') GROUP BY 1
),
bills AS (
    SELECT (f.month + INTERVAL 1 MONTH + INTERVAL 1 DAY)::DATE AS billed_on, f.client_key, f.revenue AS net
    FROM {{ ref "marts.revenue_forecast" }} f
    WHERE f.billing_model IN ('tm', 'retainer')
    UNION ALL
    SELECT lb.d, p.client_key, greatest(0, p.budget_amount - coalesce(i.net, 0))
    FROM {{ ref "core.projects" }} p
    JOIN last_booked lb USING (project_key)
    LEFT JOIN invoiced i USING (project_key)
    WHERE p.billing_model = 'fixed_fee' AND p.status = 'active'
),
billing AS (
    SELECT b.billed_on + round(coalesce(t.days_to_pay, (SELECT days_to_pay FROM agency_terms), 30))::INTEGER AS expected,
        b.net * x.gross_per_net AS amount
    FROM bills b CROSS JOIN tax x
    LEFT JOIN terms t USING (client_key)
),
payroll_month AS (
    SELECT sum(coalesce(cr.annual_loaded_cost / 12, pe.weekly_capacity_h * pe.cost_rate * 52 / 12, 0)) AS amount
    FROM {{ ref "core.people" }} pe
    CROSS JOIN clock c
    LEFT JOIN {{ ref "marts.cost_rates" }} cr ON cr.person_key = pe.person_key AND cr.year = year(c.as_of)
    WHERE pe.active
),
paydays AS (
    SELECT g.m + INTERVAL 24 DAY AS payroll_day, g.m AS overhead_day
    FROM clock c, generate_series(date_trunc('month', c.w0), date_trunc('month', c.w0) + INTERVAL 4 MONTH, INTERVAL 1 MONTH) g(m)
),
flows AS (
    SELECT
        w.week_start,
        strftime(w.week_start, '%G-W%V') AS iso_week,
        coalesce((SELECT sum(amount) FROM receivables r WHERE r.expected >= w.week_start AND r.expected < w.week_start + 7), 0)::DECIMAL(18,2) AS receivables_in,
        coalesce((SELECT sum(amount) FROM billing b WHERE b.expected >= w.week_start AND b.expected < w.week_start + 7), 0)::DECIMAL(18,2) AS billing_in,
        coalesce((SELECT count(*) FROM paydays d WHERE d.payroll_day >= w.week_start AND d.payroll_day < w.week_start + 7) * (SELECT amount FROM payroll_month), 0)::DECIMAL(18,2) AS payroll_out,
        coalesce((SELECT count(*) FROM paydays d WHERE d.overhead_day >= w.week_start AND d.overhead_day < w.week_start + 7) * (SELECT monthly_overhead FROM seeds.finance), 0)::DECIMAL(18,2) AS overhead_out
    FROM weeks w
)
SELECT *,
    (receivables_in + billing_in - payroll_out - overhead_out)::DECIMAL(18,2) AS net,
    sum(receivables_in + billing_in - payroll_out - overhead_out) OVER (ORDER BY week_start)::DECIMAL(18,2) AS cumulative_net
FROM flows
