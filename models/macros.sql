-- Money helpers every model and `conflux query` can use (metrics §9.5).

-- money(x): an amount rounded once, at presentation, to cents — DECIMAL
-- rounding, ties away from zero: money(2.675) = 2.68 (a float would give 2.67).
CREATE OR REPLACE MACRO money(x) AS round(x::DECIMAL(18,6), 2);

-- allocate(total, weights): split a whole number of minor units (cents) by
-- weights without losing a cent — each share gets the floor of its exact
-- part, and the cents left over go one each to the largest remainders, ties
-- to the first share (Fowler's Money.allocate). One row per weight, in order:
-- allocate(10000, [1, 1, 1]) = 3334, 3333, 3333; allocate(5, [30, 70]) = 2, 3.
CREATE OR REPLACE MACRO allocate(total, weights) AS TABLE
WITH w AS (
    SELECT unnest(weights) AS weight, generate_subscripts(weights, 1) AS i
),
x AS (
    SELECT i, total::HUGEINT * weight / sum(weight) OVER () AS exact FROM w
),
f AS (
    SELECT i, floor(exact)::HUGEINT AS base, exact - floor(exact) AS remainder FROM x
),
r AS (
    SELECT i, base, row_number() OVER (ORDER BY remainder DESC, i) AS rank, total - sum(base) OVER () AS leftover FROM f
)
SELECT i AS share, (base + CASE WHEN rank <= leftover THEN 1 ELSE 0 END)::BIGINT AS amount
FROM r ORDER BY i;
