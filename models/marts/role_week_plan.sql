-- Capacity against demand per role per ISO week, from the week of
-- org.as_of (metrics §7.4), Estii's three lines:
--   confirmed_line = confirmed bookings, a placeholder's counted for its role
--   forecast_h     = confirmed + tentative_weight × tentative + probability-weighted deal demand
--   exposure_h     = confirmed + tentative + all open deal demand
--   capacity_gap_h = available_h − forecast_h
-- short when the gap is below −10% of available; hiring_signal when a role is
-- short three weeks running.
-- test: unique(role, week_start)
WITH people AS (
    SELECT coalesce(role, 'unassigned') AS role, week_start,
        sum(available_h) AS available_h, sum(confirmed_h) AS confirmed_h, sum(tentative_h) AS tentative_h
    FROM {{ ref "marts.schedule_day" }}
    GROUP BY ALL
),
placeholders AS (
    SELECT b.role, date_trunc('week', b.date)::DATE AS week_start, 0 AS available_h,
        sum(b.hours) FILTER (WHERE NOT b.tentative) AS confirmed_h, sum(b.hours) FILTER (WHERE b.tentative) AS tentative_h
    FROM {{ ref "core.bookings" }} b CROSS JOIN seeds.org o
    WHERE b.person_key IS NULL AND b.date >= date_trunc('week', o.as_of)
    GROUP BY ALL
),
cap AS (
    SELECT role, week_start, sum(available_h) AS available_h, sum(coalesce(confirmed_h, 0)) AS confirmed_h, sum(coalesce(tentative_h, 0)) AS tentative_h
    FROM (SELECT * FROM people UNION ALL BY NAME SELECT * FROM placeholders)
    GROUP BY ALL
),
dem AS (
    SELECT role, week_start, sum(weighted_h) AS weighted_h, sum(exposure_h) AS exposure_demand_h
    FROM {{ ref "marts.pipeline_demand" }}
    WHERE week_start >= (SELECT date_trunc('week', as_of) FROM seeds.org)
    GROUP BY ALL
),
j AS (
    SELECT coalesce(c.role, d.role) AS role, coalesce(c.week_start, d.week_start) AS week_start,
        coalesce(c.available_h, 0) AS available_h, coalesce(c.confirmed_h, 0) AS confirmed_h,
        coalesce(c.tentative_h, 0) AS tentative_h, coalesce(d.weighted_h, 0) AS weighted_h,
        coalesce(d.exposure_demand_h, 0) AS exposure_demand_h, f.tentative_weight
    FROM cap c FULL JOIN dem d USING (role, week_start)
    CROSS JOIN seeds.finance f
),
k AS (
    SELECT *,
        confirmed_h + tentative_weight * tentative_h + weighted_h AS forecast_h,
        confirmed_h + tentative_h + exposure_demand_h AS exposure_h
    FROM j
),
s AS (
    SELECT *, available_h - forecast_h < -0.1 * available_h AS short FROM k
)
SELECT
    role, week_start,
    available_h::DECIMAL(14,4) AS available_h,
    confirmed_h::DECIMAL(14,4) AS confirmed_h,
    tentative_h::DECIMAL(14,4) AS tentative_h,
    weighted_h::DECIMAL(14,4) AS weighted_demand_h,
    exposure_demand_h::DECIMAL(14,4) AS exposure_demand_h,
    forecast_h::DECIMAL(14,4) AS forecast_h,
    exposure_h::DECIMAL(14,4) AS exposure_h,
    confirmed_h / nullif(available_h, 0) AS confirmed_pct,
    forecast_h / nullif(available_h, 0) AS forecast_pct,
    exposure_h / nullif(available_h, 0) AS exposure_pct,
    (available_h - forecast_h)::DECIMAL(14,4) AS capacity_gap_h,
    short,
    short AND coalesce(lag(short, 1) OVER w AND lag(short, 2) OVER w, false) AS hiring_signal
FROM s
WINDOW w AS (PARTITION BY role ORDER BY week_start)
