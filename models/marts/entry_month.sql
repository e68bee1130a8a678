-- Time by project, person, month, kind of time and invoice: the sums of
-- marts.entry_values that the monthly P&Ls (marts.project_month,
-- marts.team_month), realization and the forecasts read, so they read a row
-- per person, project and month instead of every entry. invoice_key is the
-- invoice the entries are on (NULL: not invoiced). Each sum keeps its
-- column's type in entry_values: a DECIMAL(38) column is stored as 128-bit
-- integers, ten times slower to read. Partitioned by month and person: a
-- build that changed some people's days of time remakes only their months.
-- materialized: incremental
-- partition: month by month, person_key
-- test: unique(project_key, person_key, month, time_category, invoice_key)
SELECT
    project_key, person_key, month, time_category, invoice_key,
    sum(hours)::DECIMAL(12,4) AS hours,
    sum(billable_hours)::DECIMAL(12,4) AS billable_hours,
    sum(billable_value)::DECIMAL(18,6) AS billable_value,
    sum(list_value)::DECIMAL(18,6) AS list_value,
    sum(billable_value_reporting)::DECIMAL(18,6) AS billable_value_reporting,
    sum(cost_amount)::DECIMAL(18,6) AS cost_amount
FROM {{ ref "marts.entry_values" }}
GROUP BY ALL
