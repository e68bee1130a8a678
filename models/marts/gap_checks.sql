-- The gaps ledger's checks by name (metrics §8), for people who do not
-- know them by number: the name a page shows, with its code beside it.
-- test: unique(check_id)
SELECT * FROM (VALUES
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
    ('C33', 'Voided invoice or credit note not reflected')
) AS c(check_id, name)
