// Package backtest keeps the forecasts each build makes and scores them
// once their period has happened: the capacity plan's bookings against
// the hours worked, the month's revenue forecast against the revenue
// earned, and each project's estimate at completion against its final
// figure (README "How good are our forecasts").
package backtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
)

// exists reports whether every named table or view (schema.name) is
// there, in one look at the catalog.
func exists(ctx context.Context, db *sql.DB, names ...string) bool {
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema || '.' || table_name IN (SELECT unnest(?::VARCHAR[]))`,
		"["+strings.Join(names, ",")+"]").Scan(&n)
	return n == len(names)
}

// Record keeps today's forecasts (taken on org.as_of): confirmed bookings
// per person-week for 12 weeks, each running project's estimate at
// completion with the budget used and its forecast finish (its last booked
// day, else its end date), each role's forecast hours (the role plan:
// confirmed, tentative and weighted deal demand) and each open deal's
// weighted demand per week for 12 weeks, and the next months' revenue.
func Record(ctx context.Context, db *sql.DB) error {
	if !exists(ctx, db, "seeds.org", "marts.schedule_week", "marts.project_forecast", "marts.revenue_forecast", "marts.pipeline_demand", "marts.role_week_plan", "core.projects", "core.bookings") {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		// Today's forecasts are made aside, and only those that differ
		// from what an earlier build of today kept are written: most
		// builds change none, and a rewrite of the day's rows costs a
		// commit of the table's key.
		`CREATE OR REPLACE TEMP TABLE conflux_forecasts AS SELECT * FROM snapshots.forecasts LIMIT 0`,
		`INSERT INTO temp.conflux_forecasts
SELECT o.as_of, 'person_week', s.person_key, s.week_start, sum(s.confirmed_h), NULL, NULL, any_value(s.role), NULL
FROM marts.schedule_week s CROSS JOIN seeds.org o
WHERE s.person_key IS NOT NULL AND s.week_start > o.as_of AND s.week_start <= o.as_of + 84
GROUP BY ALL`,
		`INSERT INTO temp.conflux_forecasts (taken_on, kind, key, period, value, budget, used_pct, segment, finish)
SELECT o.as_of, 'project_eac', f.project_key, o.as_of, f.eac, f.budget, f.budget_used_pct, f.billing_model,
	coalesce((SELECT max(b.date) FROM core.bookings b WHERE b.project_key = f.project_key AND b.date > o.as_of), p.end_date)
FROM marts.project_forecast f CROSS JOIN seeds.org o JOIN core.projects p USING (project_key)
WHERE f.eac IS NOT NULL AND f.budget > 0 AND coalesce(p.status, 'active') NOT IN ('archived', 'closed', 'completed', 'done')`,
		`INSERT INTO temp.conflux_forecasts (taken_on, kind, key, period, value)
SELECT o.as_of, 'role_week', r.role, r.week_start, r.forecast_h
FROM marts.role_week_plan r CROSS JOIN seeds.org o
WHERE r.role IS NOT NULL AND r.week_start > o.as_of AND r.week_start <= o.as_of + 84 AND r.forecast_h > 0`,
		`INSERT INTO temp.conflux_forecasts
SELECT o.as_of, 'deal_week', d.deal_key, d.week_start, sum(d.weighted_h), NULL, NULL, NULL, NULL
FROM marts.pipeline_demand d CROSS JOIN seeds.org o
WHERE d.week_start > o.as_of AND d.deal_key IS NOT NULL
GROUP BY ALL HAVING sum(d.weighted_h) > 0`,
		`INSERT INTO temp.conflux_forecasts
SELECT o.as_of, 'revenue_month', 'agency', r.month, sum(r.revenue), NULL, NULL, NULL, NULL
FROM marts.revenue_forecast r CROSS JOIN seeds.org o
WHERE r.month > date_trunc('month', o.as_of)
GROUP BY ALL`,
		`CREATE OR REPLACE TEMP TABLE conflux_forecasts_kept AS SELECT * FROM snapshots.forecasts WHERE taken_on = (SELECT as_of FROM seeds.org)`,
		`DELETE FROM snapshots.forecasts f USING (SELECT * FROM temp.conflux_forecasts_kept EXCEPT SELECT * FROM temp.conflux_forecasts) g
WHERE f.taken_on = g.taken_on AND f.kind = g.kind AND f.key = g.key AND f.period = g.period`,
		`INSERT INTO snapshots.forecasts SELECT * FROM temp.conflux_forecasts EXCEPT SELECT * FROM temp.conflux_forecasts_kept`,
		`DROP TABLE temp.conflux_forecasts`,
		`DROP TABLE temp.conflux_forecasts_kept`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("forecast snapshot: %w", err)
		}
	}
	return tx.Commit()
}

// Horizons are how far ahead a forecast was made, in weeks.
var Horizons = []int{1, 4, 12}

// Score remakes marts.forecast_accuracy: per measure, horizon and segment,
// the forecasts whose period has passed against what happened. Pipeline
// demand is each open deal's probability-weighted hours per week against
// the hours then logged on the projects the deal became (none if lost).
//
//	bias_pct    = 100 × (Σ forecast − Σ actual) ÷ Σ actual   (negative: understated)
//	mape_pct    = 100 × mean(|forecast − actual| ÷ actual), over actual > 0
//	calibration = Σ actual ÷ Σ forecast   (what to multiply a forecast by)
//
// A person-week's or a month's forecast at horizon h is the latest one
// taken h weeks before its start (rounded up to whole weeks). A project's
// estimate at 25, 50 or 75% of budget used is the first taken at or past
// that share, held against the project's final consumption once it is
// archived; by billing model and by project manager.
func Score(ctx context.Context, db *sql.DB) error {
	q, ok := scoreSQL(ctx, db)
	if !ok {
		return nil
	}
	return score(ctx, db, q)
}

func score(ctx context.Context, db *sql.DB, q string) error {
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("marts.forecast_accuracy: %w", err)
	}
	return nil
}

// Inputs are the models Record and Score read: with the seeds (org.as_of
// among them), what marts.forecast_accuracy is made from, since the
// snapshots of days before are never written again.
var Inputs = []string{"marts.schedule_week", "marts.project_forecast", "marts.revenue_forecast", "marts.pipeline_demand",
	"marts.role_week_plan", "marts.person_week", "marts.project_month", "core.projects", "core.bookings", "core.time_entries",
	"core.people", "core.project_managers"}

// ScoreIfChanged is Score, unless marts.forecast_accuracy was made by the
// same SQL from the same inputs, which from names: what a build knows of
// the seeds and of Inputs, after Record. Scoring reads every snapshot kept
// (a year of daily ones is 2.3M rows at 1M entries, 180 ms), so a build
// that changed none of that does not score again. The table's comment
// keeps what it was made from.
func ScoreIfChanged(ctx context.Context, db *sql.DB, from string) error {
	q, ok := scoreSQL(ctx, db)
	if !ok {
		return nil
	}
	sum := sha256.Sum256([]byte(from + "\x00" + q))
	made := hex.EncodeToString(sum[:16])
	var was sql.NullString
	db.QueryRowContext(ctx, `SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'forecast_accuracy'`).Scan(&was)
	if was.String == made {
		return nil
	}
	if err := score(ctx, db, q); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `COMMENT ON TABLE marts.forecast_accuracy IS '`+made+`'`)
	return err
}

// scoreSQL makes marts.forecast_accuracy; false when what it reads is not
// there.
func scoreSQL(ctx context.Context, db *sql.DB) (string, bool) {
	if !exists(ctx, db, "seeds.org", "marts.person_week", "marts.project_month", "marts.project_forecast", "core.projects", "core.time_entries", "core.people") {
		return "", false
	}
	// A project's manager, where the tool names one (Harvest does).
	managers := "(SELECT NULL::VARCHAR AS project_key, NULL::VARCHAR AS person_key WHERE false)"
	if exists(ctx, db, "core.project_managers") {
		managers = "(SELECT project_key, min(person_key) AS person_key FROM core.project_managers GROUP BY 1)"
	}
	return `CREATE OR REPLACE TABLE marts.forecast_accuracy AS
WITH o AS (SELECT as_of FROM seeds.org),
-- Each forecast's horizon in weeks, rounded up (days + 6 integer-divided
-- by 7, cheaper than ceil over date_diff), and only the horizons scored:
-- a year of daily snapshots is millions of rows.
f AS (
	SELECT * FROM (
		SELECT *, (period - taken_on + 6) // 7 AS h
		FROM snapshots.forecasts WHERE kind IN ('person_week', 'revenue_month', 'deal_week', 'role_week') AND period > taken_on
	) WHERE h IN (1, 4, 12)
),
pw AS (
	SELECT 'capacity plan' AS measure, f.h, coalesce(f.segment, 'all') AS segment, f.value AS forecast, w.worked_h::DOUBLE AS actual
	FROM f JOIN marts.person_week w ON w.person_key = f.key AND w.week_start = f.period CROSS JOIN o
	WHERE f.kind = 'person_week' AND f.h IN (1, 4, 12) AND f.period + 7 <= o.as_of
	QUALIFY row_number() OVER (PARTITION BY f.key, f.period, f.h ORDER BY f.taken_on DESC) = 1
),
rm AS (
	SELECT 'revenue' AS measure, f.h, 'all' AS segment, f.value AS forecast, a.revenue AS actual
	FROM f JOIN (SELECT month, sum(revenue)::DOUBLE AS revenue FROM marts.project_month GROUP BY 1) a ON a.month = f.period CROSS JOIN o
	WHERE f.kind = 'revenue_month' AND f.h IN (1, 4, 12) AND (f.period + INTERVAL 1 MONTH)::DATE <= o.as_of
	QUALIFY row_number() OVER (PARTITION BY f.period, f.h ORDER BY f.taken_on DESC) = 1
),
rw AS (
	SELECT 'role plan' AS measure, f.h, f.key AS segment, f.value AS forecast, coalesce(a.hours, 0) AS actual
	FROM f CROSS JOIN o LEFT JOIN (
		SELECT p.role, w.week_start, sum(w.worked_h)::DOUBLE AS hours
		FROM marts.person_week w JOIN core.people p USING (person_key) GROUP BY ALL
	) a ON a.role = f.key AND a.week_start = f.period
	WHERE f.kind = 'role_week' AND f.h IN (1, 4, 12) AND f.period + 7 <= o.as_of
	QUALIFY row_number() OVER (PARTITION BY f.key, f.period, f.h ORDER BY f.taken_on DESC) = 1
),
dw AS (
	SELECT 'pipeline demand' AS measure, f.h, 'all' AS segment, f.value AS forecast, coalesce(a.hours, 0) AS actual
	FROM f CROSS JOIN o LEFT JOIN (
		SELECT p.deal_key, date_trunc('week', e.entry_date)::DATE AS week_start, sum(e.hours)::DOUBLE AS hours
		FROM core.time_entries e JOIN core.projects p USING (project_key)
		WHERE p.deal_key IS NOT NULL AND e.counted AND e.time_category <> 'time_off' GROUP BY ALL
	) a ON a.deal_key = f.key AND a.week_start = f.period
	WHERE f.kind = 'deal_week' AND f.h IN (1, 4, 12) AND f.period + 7 <= o.as_of
	QUALIFY row_number() OVER (PARTITION BY f.key, f.period, f.h ORDER BY f.taken_on DESC) = 1
),
finals AS (
	SELECT f.project_key, f.consumed::DOUBLE AS final
	FROM marts.project_forecast f JOIN core.projects p USING (project_key)
	WHERE p.status IN ('archived', 'closed', 'completed', 'done') AND f.consumed > 0
),
eac AS (
	SELECT 'estimate at completion' AS measure, t.pct AS h, coalesce(s.segment, 'all') AS segment, s.value AS forecast, fi.final AS actual, s.key
	FROM (SELECT unnest([25, 50, 75]) AS pct) t
	JOIN snapshots.forecasts s ON s.kind = 'project_eac' AND s.used_pct * 100 >= t.pct
	JOIN finals fi ON fi.project_key = s.key
	QUALIFY row_number() OVER (PARTITION BY s.key, t.pct ORDER BY s.taken_on) = 1
),
pm AS (
	SELECT e.measure, e.h, 'PM ' || coalesce(p.name, m.person_key) AS segment, e.forecast, e.actual
	FROM eac e JOIN ` + managers + ` m ON m.project_key = e.key LEFT JOIN core.people p ON p.person_key = m.person_key
),
base AS (SELECT * FROM pw UNION ALL SELECT * FROM rm UNION ALL SELECT * FROM dw UNION ALL SELECT * FROM rw UNION ALL SELECT measure, h, segment, forecast, actual FROM eac),
scored AS (
	SELECT measure, h, segment, count(*) AS n, sum(forecast) AS forecast_total, sum(actual) AS actual_total,
		avg(abs(forecast - actual) / actual) FILTER (WHERE actual > 0) AS ape, 0 AS overall
	FROM (SELECT * FROM base UNION ALL SELECT * FROM pm) GROUP BY measure, h, segment
	UNION ALL
	SELECT measure, h, NULL, count(*), sum(forecast), sum(actual), avg(abs(forecast - actual) / actual) FILTER (WHERE actual > 0), 1
	FROM base GROUP BY measure, h
)
SELECT measure,
	CASE WHEN measure = 'estimate at completion' THEN h || '% of budget used' WHEN h = 1 THEN '1 week ahead' ELSE h || ' weeks ahead' END AS horizon,
	h AS horizon_n, CASE WHEN overall = 1 THEN 'all' ELSE segment END AS segment, n,
	round(forecast_total, 2) AS forecast_total, round(actual_total, 2) AS actual_total,
	round(100 * (forecast_total - actual_total) / nullif(actual_total, 0), 3) AS bias_pct,
	round(100 * ape, 3) AS mape_pct,
	round(actual_total / nullif(forecast_total, 0), 4) AS calibration
FROM scored
WHERE overall = 1 OR segment <> 'all'
ORDER BY measure, h, overall DESC, segment`, true
}
