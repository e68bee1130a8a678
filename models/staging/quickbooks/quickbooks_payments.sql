-- QuickBooks payments, one row per invoice a payment line pays
-- (Line[].LinkedTxn with TxnType Invoice); amounts in the invoice's currency.
-- test: unique(payment_key)
SELECT
    p.source,
    p.id AS source_id,
    p.source || ':' || p.id || ':' || (l.line->'LinkedTxn'->0->>'TxnId') AS payment_key,
    p.source || ':inv:' || (l.line->'LinkedTxn'->0->>'TxnId') AS invoice_key,
    (p.payload->>'TxnDate')::DATE AS payment_date,
    (l.line->>'Amount')::DECIMAL(18,6) AS amount
FROM {{ source "quickbooks" "payments" }} p,
    unnest(CAST(p.payload->'Line' AS JSON[])) AS l(line)
WHERE (l.line->'LinkedTxn'->0->>'TxnType') = 'Invoice'
