-- Person × ISO week (metrics §1.6, §2.2–2.6, §9.2): sums of the days, and
-- ratios of those sums; a ratio over zero available hours is NULL.
--   gross_billable_util = billable ÷ scheduled hours (before holidays and time off; SPI-comparable)
--   target_billable_h   = the target of the person's role (finance.targets), else
--                         finance.target_utilization, × available hours
--   util_gap_h          = target_billable_h − billable_h (positive: shortfall)
-- Partitioned by week: a week's rows are made from its days.
-- materialized: incremental
-- partition: week_start by week, person_key
-- test: unique(person_key, week_start)
-- test: relationships(person_key -> core.people.person_key)
SELECT
    person_key,
    date_trunc('week', date)::DATE AS week_start,
    isoyear(date) AS iso_year,
    week(date) AS iso_week,
    sum(scheduled_h)::DECIMAL(14,4) AS scheduled_h,
    sum(holiday_h)::DECIMAL(14,4) AS holiday_h,
    sum(capacity_h)::DECIMAL(14,4) AS capacity_h,
    sum(time_off_h)::DECIMAL(14,4) AS time_off_h,
    sum(available_h)::DECIMAL(14,4) AS available_h,
    sum(worked_h)::DECIMAL(14,4) AS worked_h,
    sum(billable_h)::DECIMAL(14,4) AS billable_h,
    sum(nonbillable_h)::DECIMAL(14,4) AS nonbillable_h,
    sum(booked_h)::DECIMAL(14,4) AS booked_h,
    sum(billable_h) / nullif(sum(available_h), 0) AS billable_util,
    sum(worked_h) / nullif(sum(available_h), 0) AS total_util,
    sum(billable_h) / nullif(sum(worked_h), 0) AS billable_mix,
    sum(billable_h) / nullif(sum(scheduled_h), 0) AS gross_billable_util,
    -- The week's sums fit DECIMAL(14,4); a target times the DECIMAL(38,4) a
    -- sum gives is exact only on a path some twenty times slower.
    (any_value(coalesce(rt.target, f.target_utilization)) * sum(available_h)::DECIMAL(14,4))::DECIMAL(14,4) AS target_billable_h,
    (any_value(coalesce(rt.target, f.target_utilization)) * sum(available_h)::DECIMAL(14,4) - sum(billable_h)::DECIMAL(14,4))::DECIMAL(14,4) AS util_gap_h
FROM {{ ref "marts.person_day" }}
JOIN {{ ref "core.people" }} p USING (person_key)
LEFT JOIN seeds.role_targets rt ON lower(rt.role) = lower(p.role)
CROSS JOIN seeds.finance f
GROUP BY person_key, week_start, iso_year, iso_week
