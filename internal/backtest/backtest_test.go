package backtest_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/backtest"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// openDB is an in-memory warehouse, migrated, closed with the test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh.DB()
}

// Bookings that understate the hours worked by exactly 20% score a bias of
// −20% and a MAPE of 20% at every horizon, and a calibration of 1.25; a
// fixed fee whose estimate at half its budget was 90 of a final 120 scores
// −25% there.
func TestABacktestReportsAKnownBiasExactly(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	for _, q := range []string{
		`CREATE TABLE seeds.org AS SELECT DATE '2026-06-01' AS as_of`,
		`CREATE TABLE core.projects AS SELECT 'p1' AS project_key, 'archived' AS status, NULL::VARCHAR AS deal_key`,
		`CREATE TABLE marts.project_month (project_key VARCHAR, month DATE, revenue DECIMAL(18,6))`,
		`CREATE TABLE marts.project_forecast AS SELECT 'p1' AS project_key, 120.0 AS consumed`,
		`CREATE TABLE core.people AS SELECT unnest(['u1', 'a', 'b']) AS person_key, unnest(['Kim Murphy', 'Ann', 'Bo']) AS name, unnest(['Project Manager', 'Designer', 'Designer']) AS role`,
		// The Designers' plan for the week of 9 March, 4 weeks ahead: 84 h for the 70 h they worked.
		`INSERT INTO snapshots.forecasts (taken_on, kind, key, period, value) VALUES (DATE '2026-02-09', 'role_week', 'Designer', DATE '2026-03-09', 84)`,
		// A deal forecast at 10 h a week became project p2, where 8 h were logged in each of two weeks.
		`CREATE TABLE core.time_entries AS SELECT 'p2' AS project_key, d AS entry_date, 8.0 AS hours, true AS counted, 'client' AS time_category
			FROM (SELECT unnest([DATE '2026-04-07', DATE '2026-04-14']) AS d)`,
		`INSERT INTO core.projects VALUES ('p2', 'active', 'd1')`,
		`INSERT INTO snapshots.forecasts (taken_on, kind, key, period, value) VALUES
			(DATE '2026-03-30', 'deal_week', 'd1', DATE '2026-04-06', 10),
			(DATE '2026-04-06', 'deal_week', 'd1', DATE '2026-04-13', 10)`,
		`CREATE TABLE core.project_managers AS SELECT 'p1' AS project_key, 'u1' AS person_key, 'harvest' AS source`,
		// Two people, twelve weeks from 2 March, 30 and 40 h worked.
		`CREATE TABLE marts.person_week AS
			SELECT p AS person_key, (DATE '2026-03-02' + (7 * w)::INTEGER)::DATE AS week_start, CASE p WHEN 'a' THEN 30 ELSE 40 END::DECIMAL(14,4) AS worked_h
			FROM (SELECT unnest(['a', 'b']) AS p), range(12) r(w)`,
		// Each week forecast 1, 4 and 12 weeks ahead at 80% of what was worked.
		`INSERT INTO snapshots.forecasts
			SELECT (week_start - 7 * h)::DATE, 'person_week', person_key, week_start, 0.8 * worked_h, NULL, NULL, 'Designer', NULL
			FROM marts.person_week, (SELECT unnest([1, 4, 12]) AS h)`,
		`INSERT INTO snapshots.forecasts VALUES
			(DATE '2026-01-05', 'project_eac', 'p1', DATE '2026-01-05', 80, 100, 0.3, 'fixed_fee', NULL),
			(DATE '2026-02-02', 'project_eac', 'p1', DATE '2026-02-02', 90, 100, 0.5, 'fixed_fee', NULL),
			(DATE '2026-03-02', 'project_eac', 'p1', DATE '2026-03-02', 100, 100, 0.6, 'fixed_fee', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := backtest.Score(ctx, db); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT measure, horizon, segment, n, bias_pct, mape_pct, calibration FROM marts.forecast_accuracy ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][4]float64{}
	for rows.Next() {
		var m, h, seg string
		var n int
		var bias, mape, cal float64
		if err := rows.Scan(&m, &h, &seg, &n, &bias, &mape, &cal); err != nil {
			t.Fatal(err)
		}
		got[m+"|"+h+"|"+seg] = [4]float64{float64(n), bias, mape, cal}
	}
	for _, h := range []string{"1 week ahead", "4 weeks ahead", "12 weeks ahead"} {
		for _, seg := range []string{"all", "Designer"} {
			// Weeks whose period has passed (all 12, as of 1 June) × 2 people.
			if want := [4]float64{24, -20, 20, 1.25}; got["capacity plan|"+h+"|"+seg] != want {
				t.Errorf("capacity plan %s %s: %v; want %v", h, seg, got["capacity plan|"+h+"|"+seg], want)
			}
		}
	}
	// At 25%: the first estimate at or past it (30% used, 80): −33.333%.
	// At 50%: 90 of 120: −25%. At 75%: none was taken that late.
	if g := got["estimate at completion|25% of budget used|all"]; g != [4]float64{1, -33.333, 33.333, 1.5} {
		t.Errorf("EAC at 25%%: %v", g)
	}
	if g := got["estimate at completion|50% of budget used|fixed_fee"]; g != [4]float64{1, -25, 25, 1.3333} {
		t.Errorf("EAC at 50%% (fixed fee): %v", g)
	}
	if g := got["estimate at completion|50% of budget used|PM Kim Murphy"]; g != [4]float64{1, -25, 25, 1.3333} {
		t.Errorf("EAC at 50%% (the PM's): %v", g)
	}
	// The deal's 20 forecast hours came to 16: overstated by 25% of what came, 1 week ahead.
	if g := got["pipeline demand|1 week ahead|all"]; g != [4]float64{2, 25, 25, 0.8} {
		t.Errorf("pipeline demand: %v", g)
	}
	if g := got["role plan|4 weeks ahead|Designer"]; g != [4]float64{1, 20, 20, 0.8333} {
		t.Errorf("the Designers' role plan: %v", g)
	}
	if _, ok := got["estimate at completion|75% of budget used|all"]; ok {
		t.Error("an EAC at 75% was scored, though none was taken past 60%")
	}
}

// A second build on the same day keeps that day's forecasts as the last
// build made them: a changed one replaced, a gone one removed, the rest
// kept, and earlier days untouched.
func TestRecordKeepsTheDaysLastForecasts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec(`CREATE TABLE seeds.org AS SELECT DATE '2026-06-01' AS as_of`,
		`CREATE TABLE marts.schedule_week (person_key VARCHAR, week_start DATE, confirmed_h DOUBLE, role VARCHAR)`,
		`INSERT INTO marts.schedule_week VALUES ('a', DATE '2026-06-08', 30, 'Designer'), ('b', DATE '2026-06-08', 20, 'Designer'), ('c', DATE '2026-06-08', 10, NULL)`,
		`CREATE TABLE marts.project_forecast (project_key VARCHAR, eac DOUBLE, budget DOUBLE, budget_used_pct DOUBLE, billing_model VARCHAR)`,
		`CREATE TABLE core.projects (project_key VARCHAR, end_date DATE, status VARCHAR)`,
		`CREATE TABLE core.bookings (project_key VARCHAR, date DATE)`,
		`CREATE TABLE marts.role_week_plan (role VARCHAR, week_start DATE, forecast_h DOUBLE)`,
		`CREATE TABLE marts.pipeline_demand (deal_key VARCHAR, week_start DATE, weighted_h DOUBLE)`,
		`CREATE TABLE marts.revenue_forecast (month DATE, revenue DOUBLE)`,
		`INSERT INTO snapshots.forecasts (taken_on, kind, key, period, value) VALUES (DATE '2026-05-31', 'person_week', 'a', DATE '2026-06-08', 99)`)
	if err := backtest.Record(ctx, db); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE marts.schedule_week SET confirmed_h = 35 WHERE person_key = 'a'`, `DELETE FROM marts.schedule_week WHERE person_key = 'b'`,
		`UPDATE marts.schedule_week SET role = 'Developer' WHERE person_key = 'c'`)
	if err := backtest.Record(ctx, db); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT taken_on::VARCHAR || ' ' || key || ' ' || value || ' ' || coalesce(segment, '-') FROM snapshots.forecasts ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	want := []string{"2026-05-31 a 99.0 -", "2026-06-01 a 35.0 Designer", "2026-06-01 c 10.0 Developer"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("forecasts:\n got %q\nwant %q", got, want)
	}
}
