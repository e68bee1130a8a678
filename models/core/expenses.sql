-- The canonical project expense. A billable expense is a pass-through cost
-- (rebilled at cost plus finance.expense_markup, metrics §4.2, §4.7); a
-- non-billable one is direct non-labour cost (§5.1).
-- test: unique(expense_key)
-- test: not_null(expense_key, expense_date, amount)
SELECT
    e.expense_key, e.source, e.source_id, e.project_key, e.person_key, e.expense_date,
    e.category, e.amount, coalesce(e.currency, p.currency) AS currency,
    e.billable, e.is_billed, e.notes, e.source_url
FROM {{ ref "staging.harvest_expenses" }} e
LEFT JOIN {{ ref "core.projects" }} p USING (project_key)
