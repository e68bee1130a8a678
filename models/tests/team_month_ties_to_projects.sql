-- Sharing a project-month among teams neither creates nor loses money: the
-- teams' revenue and contribution add up to the projects'.
SELECT * FROM (
    SELECT
        (SELECT coalesce(sum(revenue), 0) FROM marts.team_month) AS team_revenue,
        (SELECT coalesce(sum(revenue), 0) FROM marts.project_month) AS project_revenue,
        (SELECT coalesce(sum(contribution), 0) FROM marts.team_month) AS team_contribution,
        (SELECT coalesce(sum(contribution), 0) FROM marts.project_month) AS project_contribution
) WHERE abs(team_revenue - project_revenue) > 0.01 OR abs(team_contribution - project_contribution) > 0.01
