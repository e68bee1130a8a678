-- title: Time of a project not counted
-- param: project string
-- param: from date
-- param: to date
-- The project's entries kept but not counted, each with why and a link to it
-- in its tool, beside the link to the copy that counts: copies of an hour
-- another tool holds (referenced by Harvest for Jira, or matched by person,
-- day and hours — C34) and hours logged outside the system of record.
SELECT
    e.entry_date,
    p.name AS person,
    e.hours,
    e.not_counted AS reason,
    e.source,
    e.source_url,
    d.source AS counted_in,
    d.source_url AS counted_url
FROM core.time_entries e
LEFT JOIN core.people p USING (person_key)
LEFT JOIN core.time_entries d ON d.entry_key = e.duplicate_of
WHERE e.project_key = $project::VARCHAR AND NOT e.counted
  AND ($from::DATE IS NULL OR e.entry_date >= $from::DATE)
  AND ($to::DATE IS NULL OR e.entry_date <= $to::DATE)
ORDER BY e.entry_date DESC, e.source_id DESC
