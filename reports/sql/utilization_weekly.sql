-- title: Utilization by week
-- param: from date
-- param: to date
-- param: team string
-- Team utilization per ISO week as ratios of sums (metrics §2.2–2.3, §2.8),
-- delivery staff, counting only the days inside the period: a week the
-- period cuts counts its days in it (from_date and to_date say which).
SELECT
    date_trunc('week', d.date)::DATE AS week_start,
    strftime(date_trunc('week', d.date), '%G-W%V') AS iso_week,
    min(d.date) AS from_date,
    max(d.date) AS to_date,
    sum(d.available_h)::DECIMAL(14,2) AS available_h,
    sum(d.worked_h)::DECIMAL(14,2) AS worked_h,
    sum(d.billable_h)::DECIMAL(14,2) AS billable_h,
    round(sum(d.billable_h) / nullif(sum(d.available_h), 0), 4) AS billable_util,
    round(sum(d.worked_h) / nullif(sum(d.available_h), 0), 4) AS total_util
FROM marts.person_day_reported d
JOIN core.people p USING (person_key)
WHERE p.is_delivery
  AND ($from::DATE IS NULL OR d.date >= $from::DATE)
  AND ($to::DATE IS NULL OR d.date <= $to::DATE)
  AND ($team::VARCHAR IS NULL OR p.team = $team::VARCHAR)
GROUP BY 1, 2
ORDER BY 1
