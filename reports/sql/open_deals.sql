-- title: Open deals
-- param: client string
-- The pipeline behind the weighted-pipeline number: open deals with their
-- amount in the reporting currency (fx_rates at org.as_of), stage
-- probability and weighted value, close date, and whether it is stale: its
-- close date has passed (check C30) or it has none. A stale deal counts
-- nowhere — not in the weighted pipeline, not in capacity demand — so its
-- weighted value is 0 and the page's total is the leadership KPI.
SELECT
    d.name AS deal,
    c.name AS client,
    d.stage,
    d.amount_reporting::DECIMAL(18,2) AS amount,
    round(d.probability, 4) AS probability,
    CASE WHEN d.close_date >= o.as_of THEN d.amount_reporting * d.probability ELSE 0 END::DECIMAL(18,2) AS weighted,
    d.close_date,
    coalesce(d.close_date < o.as_of, true) AS stale,
    d.owner,
    d.source,
    d.source_url
FROM core.deals d
LEFT JOIN core.clients c USING (client_key)
CROSS JOIN seeds.org o
WHERE NOT d.is_closed
  AND ($client::VARCHAR IS NULL OR c.name = $client::VARCHAR OR d.client_key = $client::VARCHAR)
ORDER BY weighted DESC NULLS LAST, deal
