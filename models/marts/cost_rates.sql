-- What an hour of each person costs, per calendar year (metrics §3.3), from
-- finance.costs in conflux.yaml: the person's own row (by email) or else
-- their role's, the latest one in force by the end of the year.
--   annual_loaded_cost         = salary × (1 + burden)
--   cost_rate_direct           = annual_loaded_cost ÷ Σ capacity_h of the year
--                                (after holidays, before time off — the canonical rate)
--   cost_rate_direct_available = annual_loaded_cost ÷ Σ available_h (time off spread
--                                into the rate; for quoting only, never for margin)
--   cost_rate_loaded_available = (annual_loaded_cost + overhead_share) ÷ Σ available_h
--   breakeven_bill_rate        = (annual_loaded_cost + overhead_share)
--                                ÷ (finance.target_utilization × Σ available_h)
-- People with no cost configured keep the cost rate their source stamps.
-- test: unique(person_key, year)
WITH years AS (
    SELECT person_key, year(date) AS year, sum(capacity_h) AS capacity_h, sum(available_h) AS available_h
    FROM {{ ref "core.capacity_day" }}
    GROUP BY ALL
),
cfg AS (
    SELECT y.person_key, y.year, y.capacity_h, y.available_h, c.salary, c.burden, c.overhead_share, c.is_delivery,
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
    capacity_h::DECIMAL(14,4) AS capacity_h,
    available_h::DECIMAL(14,4) AS available_h,
    (salary * (1 + burden) / nullif(capacity_h, 0))::DECIMAL(18,6) AS cost_rate_direct,
    (salary * (1 + burden) / nullif(available_h, 0))::DECIMAL(18,6) AS cost_rate_direct_available,
    ((salary * (1 + burden) + overhead_share) / nullif(available_h, 0))::DECIMAL(18,6) AS cost_rate_loaded_available,
    f.target_utilization,
    ((salary * (1 + burden) + overhead_share) / nullif(f.target_utilization * available_h, 0))::DECIMAL(18,6) AS breakeven_bill_rate
FROM cfg
CROSS JOIN seeds.finance f
