-- title: Projects most at risk
-- The five running projects with the most at stake: open gaps on the
-- project (unbilled time, overruns, …; each record's largest finding,
-- ignored and resolved ones left out) plus, for budgets past 90%, what is
-- left of the budget, and the forecast overrun of budgets in the red band
-- (metrics §6.6); with the reasons.
WITH g AS (
    SELECT g.canonical_key AS project_key, sum(g.counted_amount) AS at_stake, string_agg(DISTINCT c.name, ', ' ORDER BY c.name) AS checks
    FROM marts.gaps g JOIN workflow.gap_state s USING (finding_key) LEFT JOIN marts.gap_checks c ON c.check_id = g.check_id
    WHERE g.status = 'open' AND s.status IN ('open', 'acknowledged') AND g.entity = 'project' GROUP BY 1
)
SELECT
    f.project_key,
    f.project_name AS project,
    f.client_name AS client,
    f.billing_model,
    round(f.budget_used_pct, 4) AS budget_used_pct,
    coalesce(g.at_stake, 0)::DECIMAL(18,2) AS gaps_at_stake,
    concat_ws('; ',
        CASE WHEN f.budget_used_pct >= 1 THEN 'over budget' WHEN f.budget_used_pct >= 0.9 THEN 'budget nearly used' END,
        CASE WHEN g.checks IS NOT NULL THEN lower(g.checks) END,
        CASE WHEN fc.status = 'red' AND fc.eac_pct > 1.1 THEN format('forecast at {:.0f}% of budget', fc.eac_pct * 100) END,
        CASE WHEN fc.onerous THEN format('loss contract: {:,.0f} expected loss', fc.expected_loss) END,
        CASE WHEN f.margin_pct < 0.2 THEN 'margin under 20%' END) AS why,
    f.source_url
FROM marts.project_financials f
LEFT JOIN g USING (project_key)
LEFT JOIN marts.project_forecast fc USING (project_key)
WHERE f.status = 'active' AND f.billing_model <> 'non_billable'
  AND (g.project_key IS NOT NULL OR f.budget_used_pct >= 0.9 OR f.margin_pct < 0.2 OR fc.status = 'red' OR fc.onerous)
ORDER BY coalesce(g.at_stake, 0) + CASE WHEN f.budget_used_pct >= 0.9 THEN coalesce(f.budget_amount, 0) * 0.1 ELSE 0 END
    + coalesce(fc.overrun_value, 0) + coalesce(fc.expected_loss, 0) DESC, f.project_name
LIMIT 5
