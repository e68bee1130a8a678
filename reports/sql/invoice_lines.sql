-- title: Invoice lines
-- param: from date
-- param: to date
-- param: client string
-- param: project string
-- param: currency string
-- The ledger's lines behind an invoiced number (drafts, voided and deleted
-- documents left out; credit notes negative), newest first: the amount as
-- invoiced and in the reporting currency at the ledger's rate, with a link
-- to the document in the ledger. currency is the client's contract
-- currency, as on every page.
SELECT
    l.issue_date,
    l.number,
    coalesce(c.name, ci.name) AS client,
    p.name AS project,
    l.project_key,
    l.description,
    l.net_amount,
    l.currency,
    l.net_amount_reporting,
    l.status,
    l.is_credit_note,
    i.source_url
FROM core.invoice_lines l
JOIN (SELECT invoice_key, source_url FROM core.invoices) i USING (invoice_key)
LEFT JOIN core.projects p ON p.project_key = l.project_key
LEFT JOIN core.clients c ON c.client_key = p.client_key
LEFT JOIN core.clients ci ON ci.client_key = l.client_key
WHERE l.is_ledger AND l.status NOT IN ('draft', 'submitted', 'voided', 'deleted')
  AND ($from::DATE IS NULL OR l.issue_date >= $from::DATE)
  AND ($to::DATE IS NULL OR l.issue_date <= $to::DATE)
  AND ($client::VARCHAR IS NULL OR coalesce(c.name, ci.name) = $client::VARCHAR OR coalesce(p.client_key, l.client_key) = $client::VARCHAR)
  AND ($project::VARCHAR IS NULL OR p.name = $project::VARCHAR OR l.project_key = $project::VARCHAR)
  AND ($currency::VARCHAR IS NULL OR coalesce(p.client_key, l.client_key) IN (SELECT client_key FROM core.clients WHERE currency = $currency::VARCHAR))
ORDER BY l.issue_date DESC, l.number, l.line_key
