-- The canonical project; its currency is its own, else its client's, else the
-- organisation's. finance.projects in conflux.yaml may set the billing model
-- by project code. A budgets file (files source) may set its budget: the
-- latest row in force on org.as_of, its hours or amount where given, the
-- tool's otherwise. deal_key links the won deal that carries its code.
-- test: unique(project_key)
-- test: not_null(project_key, billing_model, currency)
-- test: relationships(client_key -> core.clients.client_key)
-- test: accepted_values(billing_model: tm, fixed_fee, retainer, non_billable)
WITH p AS (
    SELECT * FROM {{ ref "staging.harvest_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.clockify_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.toggl_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.jira_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.asana_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.productive_projects" }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref "staging.files_projects" }}
)
SELECT
    p.project_key, p.source, p.source_id, p.client_key, p.name, p.code, coalesce(t.billing_model, p.billing_model) AS billing_model, p.status,
    p.start_date, p.end_date,
    CASE WHEN b.code IS NOT NULL THEN coalesce(b.budget_hours, p.budget_hours) ELSE p.budget_hours END AS budget_hours,
    CASE WHEN b.code IS NOT NULL THEN coalesce(b.budget_amount, p.budget_amount) ELSE p.budget_amount END AS budget_amount,
    coalesce(p.currency, c.currency, o.currency) AS currency,
    d.deal_key,
    p.source_url
FROM p
LEFT JOIN {{ ref "core.clients" }} c USING (client_key)
LEFT JOIN (
    -- A won deal that names the project's code (one per code) is the deal it came from.
    SELECT lower(project_code) AS code, min(deal_key) AS deal_key
    FROM {{ ref "core.deals" }}
    WHERE project_code IS NOT NULL AND is_won
    GROUP BY 1 HAVING count(*) = 1
) d ON d.code = lower(p.code)
LEFT JOIN seeds.project_terms t ON t.code = lower(p.code)
-- A budgets file's latest row in force on org.as_of replaces the tool's
-- budget (a change order raises it from its date on).
LEFT JOIN (
    SELECT code, budget_hours, budget_amount FROM seeds.budgets
    WHERE valid_from <= (SELECT as_of FROM seeds.org)
    QUALIFY row_number() OVER (PARTITION BY code ORDER BY valid_from DESC) = 1
) b ON b.code = lower(p.code)
CROSS JOIN seeds.org o
