-- title: Utilization by week
-- param: from date
-- param: to date
-- param: team string
-- Team utilization per ISO week as ratios of sums (metrics §2.2–2.3, §2.8).
SELECT
    w.week_start,
    format('{}-W{:02d}', w.iso_year, w.iso_week) AS iso_week,
    sum(w.available_h)::DECIMAL(14,2) AS available_h,
    sum(w.worked_h)::DECIMAL(14,2) AS worked_h,
    sum(w.billable_h)::DECIMAL(14,2) AS billable_h,
    round(sum(w.billable_h) / nullif(sum(w.available_h), 0), 4) AS billable_util,
    round(sum(w.worked_h) / nullif(sum(w.available_h), 0), 4) AS total_util
FROM marts.person_week w
JOIN core.people p USING (person_key)
WHERE p.is_delivery
  AND ($from::DATE IS NULL OR w.week_start >= $from::DATE)
  AND ($to::DATE IS NULL OR w.week_start <= $to::DATE)
  AND ($team::VARCHAR IS NULL OR p.team = $team::VARCHAR)
GROUP BY ALL
ORDER BY w.week_start
