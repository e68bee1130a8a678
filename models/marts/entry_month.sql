-- Time by project, person, month and kind of time: the sums of
-- marts.entry_values that the monthly P&Ls (marts.project_month,
-- marts.team_month) read, so they read a row per person, project and month
-- instead of every entry. Partitioned by month: a build that changed some
-- days of time remakes only their months.
-- materialized: incremental
-- partition: month by month
-- test: unique(project_key, person_key, month, time_category)
SELECT
    project_key, person_key, month, time_category,
    sum(hours) AS hours,
    sum(billable_hours) AS billable_hours,
    sum(billable_value_reporting) AS billable_value_reporting,
    sum(cost_amount) AS cost_amount
FROM {{ ref "marts.entry_values" }}
GROUP BY ALL
