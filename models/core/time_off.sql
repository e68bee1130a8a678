-- Approved leave (person × day). Harvest records leave as time entries on a
-- time-off task (its own advice), so those entries are the source here.
-- test: unique(person_key, date)
SELECT
    person_key,
    entry_date AS date,
    sum(hours)::DECIMAL(12,4) AS hours,
    'leave' AS kind,
    true AS approved
FROM {{ ref "core.time_entries" }}
WHERE time_category = 'time_off'
GROUP BY person_key, entry_date
