-- Invoice lines from every tool that holds invoices. A line's project is its
-- own (Harvest, Productive) or the project whose code or name its tracking
-- option (Xero) or its class or job (QuickBooks) gives. is_ledger marks the lines that count as invoiced: an
-- accounting source is the ledger when one is configured, else the time
-- tools' invoices are (design §6, "one ledger"). net_amount_reporting is the
-- net in the reporting currency (org.currency) at the rate the ledger stored
-- on the invoice (metrics §9.4): Xero's CurrencyRate is invoice currency per
-- base unit (divide), QuickBooks' ExchangeRate base per invoice unit
-- (multiply); the ledger's base currency is taken to be the reporting
-- currency. A foreign-currency invoice without a stored rate (a time tool's
-- own) is translated at the fx_rates row on or before its issue date, else
-- it has none.
-- test: unique(line_key)
-- test: not_null(line_key, invoice_key)
WITH l AS (
    SELECT * FROM {{ ref "staging.harvest_invoice_lines" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_invoice_lines" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.xero_invoice_lines" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.quickbooks_invoice_lines" }}
),
i AS (
    SELECT invoice_key, client_key, number, issue_date, status, currency, CAST(NULL AS DECIMAL(18,8)) AS fx_rate, CAST(NULL AS VARCHAR) AS fx_quote, total FROM {{ ref "staging.harvest_invoices" }}
    UNION ALL
    SELECT invoice_key, client_key, number, issue_date, status, currency, NULL, NULL, total FROM {{ ref "staging.productive_invoices" }}
    UNION ALL
    SELECT invoice_key, client_key, number, issue_date, status, currency, fx_rate, fx_quote, total FROM {{ ref "staging.xero_invoices" }}
    UNION ALL
    SELECT invoice_key, client_key, number, issue_date, status, currency, fx_rate, fx_quote, total FROM {{ ref "staging.quickbooks_invoices" }}
),
by_ref AS (
    SELECT ref, min(project_key) AS project_key, count(DISTINCT project_key) AS n
    FROM (
        SELECT lower(code) AS ref, project_key FROM {{ ref "core.projects" }} WHERE code IS NOT NULL
        UNION ALL
        SELECT lower(name), project_key FROM {{ ref "core.projects" }}
    )
    GROUP BY ref
),
ledger AS (
    SELECT count(*) FILTER (WHERE kind = 'accounting') > 0 AS has_accounting FROM seeds.sources
)
SELECT
    l.line_key, l.source, l.source_id, l.invoice_key, i.client_key,
    coalesce(l.project_key, CASE WHEN r.n = 1 THEN r.project_key END) AS project_key,
    l.project_ref,
    i.number, i.issue_date, i.status, i.currency, i.fx_rate,
    l.kind, l.description, l.quantity, l.unit_price, l.net_amount,
    CASE
        WHEN i.currency = org.currency THEN l.net_amount
        WHEN i.fx_quote = 'foreign_per_home' THEN l.net_amount / i.fx_rate
        WHEN i.fx_quote = 'home_per_foreign' THEN l.net_amount::DECIMAL(38,6) * i.fx_rate
        ELSE l.net_amount::DECIMAL(38,6) * (
            SELECT f.rate FROM seeds.fx_rates f
            WHERE f.from_currency = i.currency AND f.to_currency = org.currency AND f.date <= i.issue_date
            ORDER BY f.date DESC LIMIT 1)
    END::DECIMAL(18,6) AS net_amount_reporting,
    i.total < 0 AS is_credit_note,
    coalesce(s.kind = 'accounting', false) OR NOT ledger.has_accounting AS is_ledger
FROM l
JOIN i USING (invoice_key)
LEFT JOIN by_ref r ON r.ref = lower(l.project_ref)
LEFT JOIN seeds.sources s ON s.name = l.source
CROSS JOIN ledger
CROSS JOIN seeds.org
