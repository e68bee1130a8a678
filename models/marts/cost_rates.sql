-- What an hour of each person costs, per calendar year (metrics §3.3), from
-- finance.costs in conflux.yaml (or a files source's costs file): the
-- person's own row (by email) or else their role's, the latest one in force
-- by the end of the year.
--   annual_loaded_cost         = salary × (1 + burden)
--   year_share                 = the days of the year the person is employed
--                                and the calendar covers ÷ the days of the year
--                                (1 for a whole year; a joiner on 25 November: 37/365)
--   cost_of_year               = annual_loaded_cost × year_share (the year's
--                                loaded cost, annual_loaded_cost(p, y) of §3.3a)
--   cost_rate_direct           = cost_of_year ÷ Σ capacity_h of those days
--                                (after holidays, before time off — the canonical rate)
--   cost_rate_direct_available = cost_of_year ÷ Σ available_h (time off spread
--                                into the rate; for quoting only, never for margin)
--   cost_rate_loaded_available = (cost_of_year + overhead_share × year_share) ÷ Σ available_h
--   breakeven_bill_rate        = (cost_of_year + overhead_share × year_share)
--                                ÷ (finance.target_utilization × Σ available_h)
-- So a joiner's first year, a leaver's last and the part of next year the
-- plan reaches cost what a whole year does per hour, not a year's salary
-- spread over a few weeks.
-- People with no cost configured keep the cost rate their source stamps.
-- test: unique(person_key, year)
WITH years AS (
    SELECT d.person_key, year(d.date) AS year, sum(d.capacity_h) AS capacity_h, sum(d.available_h) AS available_h,
        count(*) FILTER (WHERE d.date >= coalesce(p.start_date, DATE '0001-01-01') AND d.date <= coalesce(p.end_date, DATE '9999-12-31')) AS employed_days
    FROM {{ ref "core.capacity_day" }} d
    JOIN {{ ref "core.people" }} p USING (person_key)
    WHERE p.person_key IN (SELECT p2.person_key FROM {{ ref "core.people" }} p2 JOIN seeds.costs c
        ON c.person = lower(p2.email) OR (coalesce(c.person, '') = '' AND lower(c.role) = lower(p2.role)))
    GROUP BY d.person_key, year(d.date)
),
cfg AS (
    SELECT y.person_key, y.year, y.capacity_h, y.available_h,
        y.employed_days / (make_date(y.year, 12, 31) - make_date(y.year, 1, 1) + 1) AS year_share, c.salary, c.burden, c.overhead_share, c.is_delivery,
        CASE WHEN c.person <> '' THEN 'person' ELSE 'role' END AS matched_by
    FROM years y
    JOIN {{ ref "core.people" }} p USING (person_key)
    JOIN seeds.costs c
        ON (c.person = lower(p.email) OR (coalesce(c.person, '') = '' AND lower(c.role) = lower(p.role)))
        AND c.valid_from <= make_date(y.year, 12, 31)
    QUALIFY row_number() OVER (PARTITION BY y.person_key, y.year ORDER BY (c.person <> '') DESC NULLS LAST, c.valid_from DESC) = 1
)
SELECT
    person_key, year, matched_by, is_delivery,
    salary, burden, overhead_share,
    (salary * (1 + burden))::DECIMAL(18,2) AS annual_loaded_cost,
    round(year_share, 6)::DECIMAL(9,6) AS year_share,
    (salary * (1 + burden) * year_share)::DECIMAL(18,2) AS cost_of_year,
    capacity_h::DECIMAL(14,4) AS capacity_h,
    available_h::DECIMAL(14,4) AS available_h,
    (salary * (1 + burden) * year_share / nullif(capacity_h, 0))::DECIMAL(18,6) AS cost_rate_direct,
    (salary * (1 + burden) * year_share / nullif(available_h, 0))::DECIMAL(18,6) AS cost_rate_direct_available,
    ((salary * (1 + burden) + overhead_share) * year_share / nullif(available_h, 0))::DECIMAL(18,6) AS cost_rate_loaded_available,
    f.target_utilization,
    ((salary * (1 + burden) + overhead_share) * year_share / nullif(f.target_utilization * available_h, 0))::DECIMAL(18,6) AS breakeven_bill_rate
FROM cfg
CROSS JOIN seeds.finance f
