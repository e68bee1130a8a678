-- title: Open deals
-- param: client string
-- The pipeline behind the weighted-pipeline number: open deals with their
-- amount in the reporting currency (fx_rates at org.as_of), stage
-- probability and weighted value, close date, and whether the close date has
-- passed (stale: check C30, left out of capacity demand).
SELECT
    d.name AS deal,
    c.name AS client,
    d.stage,
    d.amount_reporting::DECIMAL(18,2) AS amount,
    round(d.probability, 4) AS probability,
    (d.amount_reporting * d.probability)::DECIMAL(18,2) AS weighted,
    d.close_date,
    d.close_date < o.as_of AS stale,
    d.owner,
    d.source,
    d.source_url
FROM core.deals d
LEFT JOIN core.clients c USING (client_key)
CROSS JOIN seeds.org o
WHERE NOT d.is_closed
  AND ($client::VARCHAR IS NULL OR c.name = $client::VARCHAR OR d.client_key = $client::VARCHAR)
ORDER BY weighted DESC NULLS LAST, deal
