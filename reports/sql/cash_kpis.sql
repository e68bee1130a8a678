-- title: Cash today
-- Cash at org.as_of in the reporting currency, from the ledger: what
-- clients owe and how much of it is overdue (marts.receivables), days
-- sales outstanding over the last 90 days (marts.cash_month), how long
-- clients take to pay (marts.client_payment_terms, last 365 days), what
-- came in over the last 30 days, and the net cash movement the 13-week
-- forecast expects (marts.cash_forecast_week).
WITH o AS (SELECT as_of FROM seeds.org)
SELECT kpi, value, shown, drill FROM (
    SELECT 1 AS ord, 'Receivables' AS kpi, sum(outstanding_reporting) AS value, (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', sum(outstanding_reporting)) AS shown, '/receivables' AS drill
    FROM marts.receivables
    UNION ALL
    SELECT 2, 'Overdue', coalesce(sum(outstanding_reporting), 0), (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f} ({} invoices)', coalesce(sum(outstanding_reporting), 0), count(*)), '/receivables?overdue=true'
    FROM marts.receivables WHERE days_overdue > 0
    UNION ALL
    SELECT 3, 'Days sales outstanding (90 days)', dso, format('{:.1f} days', dso), NULL
    FROM marts.cash_month WHERE month = (SELECT date_trunc('month', as_of) FROM o)
    UNION ALL
    SELECT 4, 'Average days to pay (365 days)', days_to_pay, format('{:.1f} days ({:+.1f} against terms)', days_to_pay, days_late), NULL
    FROM marts.client_payment_terms WHERE client_key IS NULL
    UNION ALL
    SELECT 5, 'Collected, last 30 days', coalesce(sum(amount_reporting), 0), (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', coalesce(sum(amount_reporting), 0)),
        '/payments?from=' || strftime(any_value(o.as_of) - INTERVAL 29 DAY, '%Y-%m-%d') || '&to=' || strftime(any_value(o.as_of), '%Y-%m-%d')
    FROM core.payments, o WHERE is_ledger AND payment_date > o.as_of - INTERVAL 30 DAY AND payment_date <= o.as_of
    UNION ALL
    SELECT 6, 'Net cash movement, next 13 weeks', sum(net), (SELECT currency FROM seeds.org) || ' ' || format('{:,.0f}', sum(net)), NULL FROM marts.cash_forecast_week
)
ORDER BY ord
