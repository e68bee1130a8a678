-- title: Team profitability
-- param: from date
-- param: to date
-- Per team (the person's role) over the period (marts.team_month_reported): hours,
-- revenue and AGI shared by each team's hours on each project-month, the
-- team's own labour cost, contribution and its % of AGI.
SELECT
    team,
    sum(worked_h)::DECIMAL(14,2) AS hours,
    sum(billable_h)::DECIMAL(14,2) AS billable_h,
    sum(revenue)::DECIMAL(18,2) AS revenue,
    sum(agi)::DECIMAL(18,2) AS agi,
    sum(dl)::DECIMAL(18,2) AS labour,
    sum(contribution)::DECIMAL(18,2) AS contribution,
    round(sum(contribution) / nullif(sum(agi), 0), 4) AS contribution_pct
FROM marts.team_month_reported
WHERE ($from::DATE IS NULL OR month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR month <= $to::DATE)
GROUP BY team
ORDER BY contribution_pct NULLS LAST, team
