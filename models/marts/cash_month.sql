-- Money in by calendar month, from the ledger, in the reporting currency:
--   invoiced_gross  documents issued, with tax (what clients are asked to pay;
--                   credit notes negative)
--   collected       payments received
--   receivables     invoiced_gross to date − collected to date at the month's
--                   end (the running month: at org.as_of)
--   dso             days sales outstanding at the month's end:
--                   receivables ÷ invoiced_gross of the 90 days to then × 90
--                   (£120,000 owed after £360,000 invoiced in 90 days is 30 days)
-- A payment with no date (a part payment Harvest records only as an amount)
-- is in no month, so receivables here can exceed marts.receivables by it.
-- test: unique(month)
WITH docs AS (
    SELECT issue_date AS d, total * coalesce(net_amount_reporting / nullif(net_amount, 0), 1) AS invoiced, 0 AS collected
    FROM {{ ref "core.invoices" }}
    WHERE is_ledger AND status NOT IN ('draft', 'submitted', 'voided', 'deleted')
    UNION ALL
    SELECT payment_date, 0, amount_reporting FROM {{ ref "core.payments" }} WHERE is_ledger AND payment_date IS NOT NULL
),
bounds AS (
    SELECT date_trunc('month', min(d))::DATE AS lo, date_trunc('month', o.as_of)::DATE AS hi, o.as_of
    FROM docs CROSS JOIN seeds.org o GROUP BY o.as_of
),
months AS (
    SELECT g.m::DATE AS month, least((g.m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, b.as_of) AS month_end
    FROM bounds b, generate_series(b.lo, b.hi, INTERVAL 1 MONTH) g(m)
)
SELECT
    m.month,
    m.month_end,
    coalesce(sum(x.invoiced) FILTER (WHERE x.d >= m.month AND x.d <= m.month_end), 0)::DECIMAL(18,6) AS invoiced_gross,
    coalesce(sum(x.collected) FILTER (WHERE x.d >= m.month AND x.d <= m.month_end), 0)::DECIMAL(18,6) AS collected,
    coalesce(sum(x.invoiced - x.collected) FILTER (WHERE x.d <= m.month_end), 0)::DECIMAL(18,6) AS receivables,
    (sum(x.invoiced - x.collected) FILTER (WHERE x.d <= m.month_end)
        / nullif(sum(x.invoiced) FILTER (WHERE x.d > m.month_end - INTERVAL 90 DAY AND x.d <= m.month_end), 0) * 90)::DECIMAL(9,1) AS dso
FROM months m
LEFT JOIN docs x ON x.d <= m.month_end
GROUP BY m.month, m.month_end
