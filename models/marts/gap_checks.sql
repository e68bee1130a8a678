-- The gaps ledger's checks by name (metrics §8), for people who do not
-- know them by number: the name a page shows, with its code beside it,
-- and the threshold it runs with (conflux.yaml gaps:) where it has one.
-- test: unique(check_id)
WITH params AS (SELECT * FROM seeds.gap_params),
checks AS (SELECT * FROM (VALUES
    ('C01', 'Billable time never invoiced'),
    ('C02', 'Won deal without a project'),
    ('C03', 'Billable project without a deal'),
    ('C04', 'Time on a project the PM tool does not know'),
    ('C05', 'Time on a closed project'),
    ('C07', 'Invoice without a project'),
    ('C08', 'One client under two names'),
    ('C09', 'Time by someone not on the staff list'),
    ('C10', 'Capacity with no time logged'),
    ('C11', 'Non-billable time on billable work'),
    ('C12', 'Closed project with an uninvoiced balance'),
    ('C14', 'Over budget without a change order'),
    ('C15', 'Invoices differ from the deal'),
    ('C19', 'Billable time with no rate'),
    ('C20', 'Time without a cost rate'),
    ('C22', 'Time entered twice'),
    ('C23', 'Implausible entry or running timer'),
    ('C24', 'Invoiced in the ledger, unbilled in the time tool'),
    ('C25', 'Marked billed with no ledger invoice'),
    ('C30', 'Stale open deal'),
    ('C33', 'Voided invoice or credit note not reflected'),
    ('C34', 'Time logged twice across tools')
) AS c(check_id, name))
SELECT c.check_id, c.name,
    CASE c.check_id
        WHEN 'C01' THEN format('billable time older than {} days (gaps.unbilled_grace_days)', p.unbilled_grace_days)
        WHEN 'C02' THEN format('won more than {} days ago (gaps.deal_lag_days)', p.deal_lag_days)
        WHEN 'C03' THEN format('started more than {} days ago (gaps.deal_lag_days)', p.deal_lag_days)
        WHEN 'C08' THEN format('names at least {} alike (gaps.min_similarity)', p.min_similarity)
        WHEN 'C12' THEN CASE WHEN p.closed_grace_days = 0 THEN 'as soon as the project is closed (gaps.closed_grace_days: 0)'
            ELSE format('{} days after its last entry (gaps.closed_grace_days)', p.closed_grace_days) END
    END AS threshold
FROM checks c CROSS JOIN params p
