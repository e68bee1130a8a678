package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/internal/config"
)

// Columns every rule's query returns, one row per alert: key is stable
// while the alert is the same thing (a project, a person, a finding);
// level is its band (higher is worse) and amount what grows as it
// worsens; link is the page that explains it.
var Columns = []string{"key", "title", "detail", "link", "amount", "level"}

// required are the columns a custom rule must return.
var required = []string{"key", "title"}

// Levels of the budget band.
const (
	levelAmber = 1
	levelRed   = 2
	levelLoss  = 3
)

// builtIn is each kind's query; %s-free, parameters are bound ($1 …).
func builtIn(r config.Rule) (string, []any) {
	switch r.Kind {
	case "budget_burn":
		// metrics §6.6: amber and red from marts.project_forecast.status, and
		// a fixed fee whose cost at completion exceeds its fee (§4.3); of the
		// projects still running (an archived one's budget is history).
		min := levelAmber
		if r.Band == "red" {
			min = levelRed
		}
		return `SELECT f.project_key AS key,
	CASE WHEN f.onerous THEN 'Loss contract: ' ELSE 'Budget ' || f.status || ': ' END || coalesce(p.name, f.project_key) AS title,
	printf('%.0f%% of the budget used; forecast %.0f%% at completion', 100 * coalesce(f.budget_used_pct, 0), 100 * coalesce(f.eac_pct, 0))
		|| CASE WHEN f.onerous THEN printf('; expected loss %,.2f', f.expected_loss) ELSE '' END AS detail,
	'/projects/' || f.project_key AS link,
	round(greatest(coalesce(f.expected_loss, 0), coalesce(f.overrun_value, 0)), 2)::DOUBLE AS amount,
	CASE WHEN f.onerous THEN 3 WHEN f.status = 'red' THEN 2 ELSE 1 END AS level
FROM marts.project_forecast f LEFT JOIN core.projects p USING (project_key)
WHERE coalesce(p.status, 'active') NOT IN ('archived', 'closed', 'completed', 'done')
	AND (f.onerous OR (CASE f.status WHEN 'red' THEN 2 WHEN 'amber' THEN 1 ELSE 0 END) >= $1)
ORDER BY key`, []any{min}
	case "booking":
		// The weeks after org.as_of's week: a week booked over over_pct of the
		// hours available alerts; so do the weeks together booked under under_pct.
		return `WITH w AS (
	SELECT s.person_key, s.person_name, s.week_start, s.available_h, s.booked_h
	FROM marts.schedule_week s CROSS JOIN seeds.org o
	WHERE s.week_start > o.as_of AND s.week_start <= o.as_of + 7 * $1::INTEGER AND s.available_h > 0
),
over AS (
	SELECT person_key, any_value(person_name) AS person_name, max(100 * booked_h / available_h) AS pct,
		arg_max(week_start, booked_h / available_h) AS worst_week, max(booked_h - available_h) AS over_h
	FROM w GROUP BY person_key HAVING max(100 * booked_h / available_h) > $2
),
under AS (
	SELECT person_key, any_value(person_name) AS person_name, 100 * sum(booked_h) / sum(available_h) AS pct,
		sum(available_h) - sum(booked_h) AS free_h
	FROM w GROUP BY person_key HAVING $3 > 0 AND 100 * sum(booked_h) / sum(available_h) < $3
)
SELECT person_key || ':over' AS key,
	coalesce(person_name, person_key) || printf(' booked at %.0f%% in the week of ', pct) || strftime(worst_week, '%-d %b') AS title,
	printf('%.1f h over the hours available that week', over_h) AS detail,
	'/bookings?person=' || person_key AS link, round(over_h, 2)::DOUBLE AS amount, 2 AS level
FROM over
UNION ALL
SELECT person_key || ':under',
	coalesce(person_name, person_key) || printf(' booked at %.0f%% over the next %d weeks', pct, $1::INTEGER),
	printf('%.1f h available and not booked', free_h),
	'/bookings?person=' || person_key, round(free_h, 2)::DOUBLE, 1
FROM under
ORDER BY key`, []any{r.Weeks, r.OverPct, r.UnderPct}
	case "utilization":
		// Billable hours under the target in each of the last complete weeks.
		return `WITH w AS (
	SELECT pw.person_key, pw.week_start, pw.billable_h, pw.target_billable_h, pw.util_gap_h
	FROM marts.person_week pw CROSS JOIN seeds.org o
	WHERE pw.week_start + 7 <= o.as_of AND pw.week_start > o.as_of - 7 * ($1::INTEGER + 1) - 7
	QUALIFY row_number() OVER (PARTITION BY pw.person_key ORDER BY pw.week_start DESC) <= $1
)
SELECT w.person_key AS key,
	coalesce(any_value(p.name), w.person_key) || printf(' under the utilization target %d weeks running', $1::INTEGER) AS title,
	printf('%.1f billable h against a target of %.1f h', sum(w.billable_h), sum(w.target_billable_h)) AS detail,
	'/entries?person=' || w.person_key AS link, round(sum(w.util_gap_h), 2)::DOUBLE AS amount, 1 AS level
FROM w LEFT JOIN core.people p USING (person_key)
GROUP BY w.person_key
HAVING count(*) = $1 AND bool_and(w.target_billable_h > 0 AND w.billable_h < w.target_billable_h)
ORDER BY key`, []any{r.Weeks}
	case "gaps":
		// Open findings of the gaps ledger, not ignored, resolved by hand or snoozed.
		return `SELECT g.finding_key AS key, coalesce(c.name, g.check_id) || ': ' || g.detail AS title,
	coalesce(g.owner, '') AS detail, '/gaps/' || g.finding_key AS link,
	round(coalesce(g.amount_at_stake, 0), 2)::DOUBLE AS amount, 1 AS level
FROM marts.gaps g LEFT JOIN marts.gap_checks c USING (check_id) LEFT JOIN workflow.gap_state s USING (finding_key)
WHERE g.status = 'open' AND coalesce(s.status, 'open') IN ('open', 'acknowledged')
	AND (s.snoozed_until IS NULL OR s.snoozed_until <= current_date)
	AND coalesce(g.amount_at_stake, 0) >= $1 AND ($2 = '' OR g.check_id = $2)
ORDER BY key`, []any{r.Amount, r.Check}
	case "stale_deal":
		return `SELECT d.deal_key AS key, 'Stale deal: ' || d.name AS title,
	'expected to close on ' || strftime(d.close_date, '%-d %b %Y') || coalesce(', ' || d.stage, '') || coalesce('; owner ' || d.owner, '') AS detail,
	coalesce(d.source_url, '/deals') AS link, round(coalesce(d.amount_reporting, 0), 2)::DOUBLE AS amount, 1 AS level
FROM core.deals d CROSS JOIN seeds.org o
WHERE NOT d.is_closed AND d.close_date IS NOT NULL AND d.close_date < o.as_of - $1::INTEGER
ORDER BY key`, []any{r.Days}
	case "sync":
		// A stream whose last run failed, and a source with no good sync for max_age.
		return `WITH last AS (
	SELECT source, stream, arg_max(status, started_at) AS status, arg_max(error, started_at) AS error,
		max(finished_at) FILTER (WHERE status = 'ok') AS ok_at
	FROM meta.sync_runs GROUP BY source, stream
)
SELECT 'failed:' || source || '.' || stream AS key, 'Sync failed: ' || source || '.' || stream AS title,
	coalesce(error, '') AS detail, '/ops' AS link, NULL::DOUBLE AS amount, 2 AS level
FROM last WHERE status = 'failed'
UNION ALL
SELECT 'stale:' || source, 'No good sync of ' || source || ' for ' || $1,
	'last good sync ' || coalesce(strftime(min(ok_at), '%Y-%m-%d %H:%M UTC'), 'never'), '/ops', NULL, 1
FROM last GROUP BY source
HAVING min(ok_at) IS NULL OR min(ok_at) < now() - to_seconds($2::BIGINT)
ORDER BY key`, []any{r.MaxAge.String(), int64(r.MaxAge.Seconds())}
	case "restated":
		// A closed month whose figures moved since its close (marts.restatements),
		// by at least min_amount of revenue, cost or invoiced money.
		return `SELECT strftime(r.month, '%Y-%m') || '/v' || r.close_version AS key,
	strftime(r.month, '%B %Y') || ' restated since its close' AS title,
	count(*) || ' changes since ' || strftime(any_value(r.closed_at), '%-d %b %Y') || printf(': revenue %+,.2f, invoiced %+,.2f, %+.2f h',
		sum(r.revenue_change), sum(r.invoiced_change), sum(r.hours_change)) AS detail,
	'/finance' AS link, round(sum(abs(r.revenue_change)) + sum(abs(r.invoiced_change)) + sum(abs(r.cost_change)), 2)::DOUBLE AS amount, 1 AS level
FROM marts.restatements r
GROUP BY r.month, r.close_version
HAVING sum(abs(r.revenue_change)) + sum(abs(r.invoiced_change)) + sum(abs(r.cost_change)) >= $1 OR (count(*) > 0 AND $1 = 0)
ORDER BY key`, []any{r.Amount}
	case "data_test":
		return `SELECT test AS key, 'Data test failed: ' || test AS title,
	CASE WHEN status = 'error' THEN coalesce(error, 'error') ELSE failures || ' failing rows in ' || model END AS detail,
	'/ops' AS link, failures::DOUBLE AS amount, 1 AS level
FROM (SELECT test, model, status, failures, error, run_at, max(run_at) OVER () AS latest FROM meta.test_results)
WHERE run_at = latest AND status <> 'pass'
ORDER BY key`, nil
	}
	return "", nil
}

// query is the rule's SQL in the shape of Columns: a custom query is read
// through a wrapper that adds the columns it leaves out.
func query(ctx context.Context, db *sql.DB, r config.Rule) (string, []any, error) {
	if r.Kind != "sql" {
		q, args := builtIn(r)
		return q, args, nil
	}
	body := strings.TrimRight(strings.TrimSpace(r.Query), ";")
	cols, err := describe(ctx, db, body)
	if err != nil {
		return "", nil, err
	}
	for _, c := range required {
		if !slices.Contains(cols, c) {
			return "", nil, fmt.Errorf("the query returns no %s column (it returns %s; name one AS %s)", c, strings.Join(cols, ", "), c)
		}
	}
	defaults := map[string]string{"detail": "NULL", "link": "NULL", "amount": "NULL", "level": "1"}
	var sel []string
	for _, c := range Columns {
		expr := `"` + c + `"`
		if !slices.Contains(cols, c) {
			expr = defaults[c]
		}
		typ := map[string]string{"amount": "DOUBLE", "level": "INTEGER"}[c]
		if typ == "" {
			typ = "VARCHAR"
		}
		sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", expr, typ, c))
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (" + body + "\n) AS rule ORDER BY key", nil, nil
}

// describe names the columns a query returns without running it.
func describe(ctx context.Context, db *sql.DB, body string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "DESCRIBE ("+body+"\n)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name string
		var typ, null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			return nil, err
		}
		cols = append(cols, strings.ToLower(name))
	}
	return cols, rows.Err()
}
