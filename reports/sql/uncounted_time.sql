-- title: Time not counted
-- Hours kept but not counted, by why, tool and project: a copy of an hour
-- another tool holds (referenced by Harvest for Jira, or matched by person,
-- project, day and hours — C34), and hours logged outside the system of
-- record that time.sources names for the person's team or the project.
SELECT
    e.not_counted AS reason,
    e.source,
    coalesce(p.name, e.project_key) AS project,
    count(DISTINCT e.person_key) AS people,
    count(*) AS entries,
    sum(e.hours)::DECIMAL(14,2) AS hours,
    min(e.entry_date) AS first_date,
    max(e.entry_date) AS last_date
FROM core.time_entries e
LEFT JOIN core.projects p USING (project_key)
WHERE NOT e.counted
GROUP BY ALL
ORDER BY hours DESC, reason, source, project
