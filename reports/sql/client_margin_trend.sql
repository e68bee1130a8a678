-- title: Client margin by month
-- param: from date
-- param: to date
-- param: currency string
-- Margin % (contribution ÷ revenue) of the twelve clients with most revenue
-- in the period, per calendar month (marts.client_month_reported), with the revenue
-- and margin behind each cell: who is getting more or less profitable.
WITH m AS (
    SELECT cm.client_key, cm.client_name, cm.month, cm.revenue, cm.margin
    FROM marts.client_month_reported cm
    LEFT JOIN core.clients c USING (client_key)
    WHERE ($from::DATE IS NULL OR cm.month >= date_trunc('month', $from::DATE))
      AND ($to::DATE IS NULL OR cm.month <= $to::DATE)
      AND ($currency::VARCHAR IS NULL OR c.currency = $currency::VARCHAR)
      AND cm.revenue <> 0
),
top AS (
    SELECT client_key FROM m GROUP BY 1 ORDER BY sum(revenue) DESC LIMIT 12
)
SELECT
    m.client_name AS client,
    m.client_key,
    m.month,
    strftime(m.month, '%Y-%m') AS period,
    m.revenue::DECIMAL(18,2) AS revenue,
    m.margin::DECIMAL(18,2) AS margin,
    round(m.margin / nullif(m.revenue, 0), 4) AS margin_pct
FROM m JOIN top USING (client_key)
ORDER BY m.client_name, m.month
