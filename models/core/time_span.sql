-- The days the time entries span, in one row: first_date and last_date of
-- every entry, and of the counted ones (first_counted, last_counted). The
-- calendars read their bounds here rather than from the entries, so an edit
-- of hours that moves neither end leaves them as they were (a model rebuilt
-- to the same rows changes nothing downstream).
SELECT
    min(entry_date) AS first_date,
    max(entry_date) AS last_date,
    min(entry_date) FILTER (WHERE counted) AS first_counted,
    max(entry_date) FILTER (WHERE counted) AS last_counted
FROM {{ ref "core.time_entries" }}
