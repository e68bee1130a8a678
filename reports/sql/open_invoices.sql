-- title: Open invoices
-- param: client string
-- param: currency string
-- param: overdue string
-- The ledger's documents with money still owed at org.as_of
-- (marts.receivables), most overdue first: the amount due in the document's
-- currency and in the reporting currency, days past the due date, and a
-- link to the document. overdue=true keeps those past their due date.
SELECT
    r.client_name AS client,
    r.number,
    r.issue_date,
    r.due_date,
    r.days_overdue,
    r.aging_bucket,
    r.total,
    r.outstanding,
    r.currency,
    r.outstanding_reporting,
    r.source_url
FROM marts.receivables r
LEFT JOIN core.clients c USING (client_key)
WHERE ($client::VARCHAR IS NULL OR r.client_key = $client::VARCHAR OR r.client_name = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
  AND ($overdue::VARCHAR IS NULL OR NOT $overdue::BOOLEAN OR r.days_overdue > 0)
ORDER BY r.days_overdue DESC, r.outstanding_reporting DESC, r.number
