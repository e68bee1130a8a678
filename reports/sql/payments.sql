-- title: Payments received
-- param: from date
-- param: to date
-- param: client string
-- param: currency string
-- The ledger's payments behind a collected number, newest first: the
-- amount in the invoice's currency and in the reporting currency (at the
-- rate stored on the invoice), with the invoice it paid and a link to it.
SELECT
    p.payment_date,
    c.name AS client,
    i.number AS invoice,
    p.amount,
    p.currency,
    p.amount_reporting,
    p.payment_date - i.issue_date AS days_to_pay,
    i.source_url
FROM core.payments p
JOIN core.invoices i USING (invoice_key)
LEFT JOIN core.clients c ON c.client_key = p.client_key
WHERE p.is_ledger
  AND ($from::DATE IS NULL OR p.payment_date >= $from::DATE)
  AND ($to::DATE IS NULL OR p.payment_date <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR c.name = $client::VARCHAR OR p.client_key = $client::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
ORDER BY p.payment_date DESC, client, invoice
