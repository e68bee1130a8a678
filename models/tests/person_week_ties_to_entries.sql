-- Every counted worked hour in core.time_entries lands in marts.person_week
-- exactly once (a copy another tool also holds is not counted).
SELECT * FROM (
    SELECT (SELECT coalesce(sum(hours), 0) FROM core.time_entries WHERE counted AND time_category <> 'time_off') AS entries_h,
           (SELECT coalesce(sum(worked_h), 0) FROM marts.person_week) AS weeks_h
) WHERE entries_h <> weeks_h
