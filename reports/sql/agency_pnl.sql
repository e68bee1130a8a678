-- title: Agency P&L by month
-- param: from date
-- param: to date
-- The agency month (metrics §5.1): revenue, AGI, delivery payroll, the part
-- projects absorbed and the unabsorbed rest (bench, time off, internal
-- time), delivery margin, operating overhead (finance.monthly_overhead) and
-- operating profit, with margins on AGI. The running month counts up to
-- org.as_of — payroll and overhead too — and says so in its period.
SELECT
    month,
    strftime(month, '%Y-%m') || CASE WHEN partial THEN strftime(through, ' (to %-d %b)') ELSE '' END AS period,
    partial,
    revenue::DECIMAL(18,2) AS revenue,
    agi::DECIMAL(18,2) AS agi,
    delivery_payroll::DECIMAL(18,2) AS delivery_payroll,
    dl_charged::DECIMAL(18,2) AS absorbed,
    unabsorbed::DECIMAL(18,2) AS unabsorbed,
    delivery_margin::DECIMAL(18,2) AS delivery_margin,
    round(delivery_margin_pct, 4) AS delivery_margin_pct,
    operating_overhead::DECIMAL(18,2) AS operating_overhead,
    operating_profit::DECIMAL(18,2) AS operating_profit,
    round(operating_margin_agi, 4) AS operating_margin_pct
FROM marts.agency_month_reported
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
ORDER BY month
