-- QuickBooks invoices and credit memos (negative). There is no status: paid
-- is Balance 0 on a positive total, a void is a zero total whose private
-- note says "Voided". ExchangeRate is home units per foreign unit. An
-- invoice against a job belongs to the job's parent customer, and names the
-- job as its project.
-- test: unique(invoice_key)
WITH docs AS (
    SELECT source, id, payload, updated_at, false AS is_credit_note FROM {{ source "quickbooks" "invoices" }}
    UNION ALL
    SELECT source, id, payload, updated_at, true FROM {{ source "quickbooks" "credit_memos" }}
)
SELECT
    d.source,
    d.id AS source_id,
    d.source || ':' || CASE WHEN d.is_credit_note THEN 'cm' ELSE 'inv' END || ':' || d.id AS invoice_key,
    d.source || ':' || coalesce(CASE WHEN c.is_job THEN c.parent_id END, d.payload->'CustomerRef'->>'value') AS client_key,
    CASE WHEN c.is_job THEN c.name END AS job_name,
    d.payload->>'DocNumber' AS number,
    (d.payload->>'TxnDate')::DATE AS issue_date,
    (d.payload->>'DueDate')::DATE AS due_date,
    CASE
        WHEN (d.payload->>'TotalAmt')::DECIMAL(18,6) = 0 AND coalesce(d.payload->>'PrivateNote', '') LIKE 'Voided%' THEN 'voided'
        WHEN (d.payload->>'Balance')::DECIMAL(18,6) = 0 AND (d.payload->>'TotalAmt')::DECIMAL(18,6) > 0 THEN 'paid'
        ELSE 'open'
    END AS status,
    d.payload->'CurrencyRef'->>'value' AS currency,
    (d.payload->>'ExchangeRate')::DECIMAL(18,8) AS fx_rate,
    'home_per_foreign' AS fx_quote,
    (CASE WHEN d.is_credit_note THEN -1 ELSE 1 END * (d.payload->>'TotalAmt')::DECIMAL(18,6))::DECIMAL(18,6) AS total,
    (CASE WHEN d.is_credit_note THEN -1 ELSE 1 END * coalesce((d.payload->'TxnTaxDetail'->>'TotalTax')::DECIMAL(18,6), 0))::DECIMAL(18,6) AS tax_amount,
    ((d.payload->>'TotalAmt')::DECIMAL(18,6) - coalesce((d.payload->>'Balance')::DECIMAL(18,6), 0))::DECIMAL(18,6) AS amount_paid,
    -- Balance is what is still owed; a credit memo's RemainingCredit counts against it.
    (CASE WHEN d.is_credit_note THEN -coalesce((d.payload->>'RemainingCredit')::DECIMAL(18,6), 0)
          ELSE coalesce((d.payload->>'Balance')::DECIMAL(18,6), 0) END)::DECIMAL(18,6) AS amount_due,
    d.is_credit_note,
    d.payload->'Line' AS lines,
    'https://app.qbo.intuit.com/app/' || CASE WHEN d.is_credit_note THEN 'creditmemo' ELSE 'invoice' END || '?txnId=' || d.id AS source_url,
    d.updated_at
FROM docs d
LEFT JOIN {{ ref "staging.quickbooks_customers" }} c ON c.source = d.source AND c.source_id = (d.payload->'CustomerRef'->>'value')
