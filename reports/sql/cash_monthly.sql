-- title: Invoiced and collected by month
-- param: from date
-- param: to date
-- Per calendar month, from the ledger in the reporting currency
-- (marts.cash_month): documents issued with tax, payments received, what
-- clients owed at the month's end, and days sales outstanding then
-- (receivables ÷ the 90 days' invoicing × 90).
SELECT
    month,
    strftime(month, '%Y-%m') AS period,
    invoiced_gross::DECIMAL(18,2) AS invoiced_gross,
    collected::DECIMAL(18,2) AS collected,
    receivables::DECIMAL(18,2) AS receivables,
    dso
FROM marts.cash_month
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
ORDER BY month
