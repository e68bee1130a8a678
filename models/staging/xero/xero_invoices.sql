-- Xero sales invoices (ACCREC) and sales credit notes (ACCRECCREDIT, as
-- negative amounts). Dates are /Date(ms+0000)/ org-local midnights: the date
-- part is the date. Statuses are kept as Xero says them (voided and deleted
-- included); CurrencyRate is the rate the ledger used, in units of the
-- invoice currency per unit of the organisation's base currency.
-- test: unique(invoice_key)
-- test: accepted_values(status: draft, submitted, authorised, paid, voided, deleted)
WITH docs AS (
    SELECT source, id, payload, updated_at, false AS is_credit_note FROM {{ source "xero" "invoices" }}
    WHERE (payload->>'Type') = 'ACCREC'
    UNION ALL
    SELECT source, id, payload, updated_at, true FROM {{ source "xero" "credit_notes" }}
    WHERE (payload->>'Type') = 'ACCRECCREDIT'
)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS invoice_key,
    source || ':' || (payload->'Contact'->>'ContactID') AS client_key,
    coalesce(payload->>'InvoiceNumber', payload->>'CreditNoteNumber') AS number,
    epoch_ms(regexp_extract(payload->>'Date', '(-?\d+)', 1)::BIGINT)::DATE AS issue_date,
    epoch_ms(nullif(regexp_extract(coalesce(payload->>'DueDate', ''), '(-?\d+)', 1), '')::BIGINT)::DATE AS due_date,
    lower(payload->>'Status') AS status,
    payload->>'CurrencyCode' AS currency,
    (payload->>'CurrencyRate')::DECIMAL(18,8) AS fx_rate,
    'foreign_per_home' AS fx_quote,
    (CASE WHEN is_credit_note THEN -1 ELSE 1 END * (payload->>'Total')::DECIMAL(18,6))::DECIMAL(18,6) AS total,
    (CASE WHEN is_credit_note THEN -1 ELSE 1 END * (payload->>'TotalTax')::DECIMAL(18,6))::DECIMAL(18,6) AS tax_amount,
    coalesce((payload->>'AmountPaid')::DECIMAL(18,6), 0) AS amount_paid,
    -- What the client still owes: AmountDue; an unallocated credit note's
    -- RemainingCredit counts against it.
    (CASE WHEN is_credit_note THEN -coalesce((payload->>'RemainingCredit')::DECIMAL(18,6), 0)
          ELSE coalesce((payload->>'AmountDue')::DECIMAL(18,6), 0) END)::DECIMAL(18,6) AS amount_due,
    is_credit_note,
    payload->>'LineAmountTypes' AS line_amount_types,
    payload->'LineItems' AS line_items,
    CASE WHEN is_credit_note THEN 'https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=' || id
         ELSE 'https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=' || id END AS source_url,
    updated_at
FROM docs
