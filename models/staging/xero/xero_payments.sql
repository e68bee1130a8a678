-- Xero payments received against sales invoices (ACCRECPAYMENT); deleted
-- payments are left out. Amount is in the invoice's currency.
-- test: unique(payment_key)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS payment_key,
    source || ':' || (payload->'Invoice'->>'InvoiceID') AS invoice_key,
    epoch_ms(regexp_extract(payload->>'Date', '(-?\d+)', 1)::BIGINT)::DATE AS payment_date,
    (payload->>'Amount')::DECIMAL(18,6) AS amount
FROM {{ source "xero" "payments" }}
WHERE (payload->>'PaymentType') = 'ACCRECPAYMENT' AND (payload->>'Status') <> 'DELETED'
