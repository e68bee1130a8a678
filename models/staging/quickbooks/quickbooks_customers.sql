-- QuickBooks customers. Top-level customers are clients; sub-customers
-- (Job = true, ParentRef) are jobs: a project's name for linking invoices.
-- Inactive customers are kept (QuickBooks never deletes them).
-- test: unique(source, source_id)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS customer_key,
    payload->>'DisplayName' AS name,
    coalesce((payload->>'Job')::BOOLEAN, false) AND (payload->'ParentRef'->>'value') IS NOT NULL AS is_job,
    payload->'ParentRef'->>'value' AS parent_id,
    payload->'CurrencyRef'->>'value' AS currency,
    coalesce((payload->>'Active')::BOOLEAN, true) AS active,
    updated_at
FROM {{ source "quickbooks" "customers" }}
