package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/holidays"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

func openWarehouse(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	w, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// put writes Harvest-shaped records into raw.harvest__<stream>.
func put(t testing.TB, w *warehouse.Warehouse, stream string, records ...map[string]any) {
	t.Helper()
	ctx := context.Background()
	if err := w.EnsureRawTable(ctx, "harvest", stream); err != nil {
		t.Fatal(err)
	}
	var rows []warehouse.Row
	for _, r := range records {
		body, _ := json.Marshal(r)
		rows = append(rows, warehouse.Row{ID: fmt.Sprint(r["id"]), Payload: body})
	}
	if _, err := w.CommitPage(ctx, "harvest", stream, 1, warehouse.Page{Rows: rows}); err != nil {
		t.Fatal(err)
	}
}

type m = map[string]any

func entry(id int, user int, project int, task int, taskName, date string, hours float64, billable bool) m {
	e := m{"id": id, "spent_date": date, "user": m{"id": user}, "project": m{"id": project}, "task": m{"id": task, "name": taskName},
		"hours": hours, "rounded_hours": hours, "billable": billable, "cost_rate": 50.0, "is_billed": false, "invoice": nil}
	if billable {
		e["billable_rate"] = 100.0
	} else {
		e["billable_rate"] = nil
	}
	return e
}

func gbSeeds(t testing.TB) Seeds {
	var s Seeds
	for _, d := range holidays.Between("GB-ENG", 2024, 2027) {
		s.Holidays = append(s.Holidays, Holiday{Calendar: d.Calendar, Date: d.Date, Name: d.Name, Fraction: 1})
	}
	return s
}

// fixtureAgency is metrics §1.9 and §2.11: ISO week 2025-W22, Monday 26 May
// a bank holiday; Ana 1.0 FTE with PTO on Friday, Ben 0.6 FTE Mon–Wed.
func fixtureAgency(t testing.TB) (*warehouse.Warehouse, Options) {
	w := openWarehouse(t)
	put(t, w, "users",
		m{"id": 1, "first_name": "Ana", "last_name": "A", "email": "ana@x.test", "weekly_capacity": 144000, "is_active": true, "created_at": "2025-01-01T00:00:00Z"},
		m{"id": 2, "first_name": "Ben", "last_name": "B", "email": "Ben@x.test", "weekly_capacity": 86400, "is_active": true, "created_at": "2025-01-01T00:00:00Z"})
	put(t, w, "clients", m{"id": 10, "name": "Acme", "currency": "USD"}, m{"id": 11, "name": "Us", "currency": "USD"})
	put(t, w, "projects",
		m{"id": 100, "name": "Acme Web", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "is_fixed_fee": false, "budget_by": "project", "budget": 100.0, "is_active": true},
		m{"id": 101, "name": "Admin", "client": m{"id": 11, "currency": "USD"}, "is_billable": false, "is_fixed_fee": false, "budget_by": "none", "is_active": true},
		m{"id": 102, "name": "Fixed", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "is_fixed_fee": true, "fee": 60000.0, "budget_by": "project", "budget": 450.0, "is_active": true})
	put(t, w, "task_assignments",
		m{"id": 1, "project": m{"id": 100}, "task": m{"id": 1, "name": "Design"}, "billable": true},
		m{"id": 2, "project": m{"id": 100}, "task": m{"id": 2, "name": "Meetings"}, "billable": false},
		m{"id": 3, "project": m{"id": 101}, "task": m{"id": 3, "name": "Admin"}, "billable": false},
		m{"id": 4, "project": m{"id": 101}, "task": m{"id": 4, "name": "Time Off"}, "billable": false})
	put(t, w, "time_entries",
		// Ana: 20 billable + 4 internal + 8 h PTO logged on a time-off task.
		entry(1, 1, 100, 1, "Design", "2025-05-27", 8, true),
		entry(2, 1, 100, 1, "Design", "2025-05-28", 8, true),
		entry(3, 1, 100, 1, "Design", "2025-05-29", 4, true),
		entry(4, 1, 101, 3, "Admin", "2025-05-29", 4, false),
		entry(5, 1, 101, 4, "Time Off", "2025-05-30", 8, false),
		// Ben: 14 billable + 3 non-billable client work.
		entry(6, 2, 100, 1, "Design", "2025-05-27", 8, true),
		entry(7, 2, 100, 1, "Design", "2025-05-28", 6, true),
		entry(8, 2, 100, 2, "Meetings", "2025-05-28", 3, false),
		// Fixed fee: 260 of 450 estimated hours (metrics §4.8, month 2).
		entry(9, 1, 102, 1, "Design", "2025-06-02", 260, true),
	)
	seeds := gbSeeds(t)
	seeds.Schedules = []Schedule{{Email: "ben@x.test", Hours: [7]float64{8, 8, 8}}}
	return w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: seeds}
}

func build(t testing.TB, w *warehouse.Warehouse, opts Options) *Result {
	t.Helper()
	res, err := Build(context.Background(), w, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func query(t testing.TB, w *warehouse.Warehouse, q string, dest ...any) {
	t.Helper()
	if err := w.DB().QueryRow(q).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.00005 }

func TestF1CapacityAndF2Utilization(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	week := "week_start = DATE '2025-05-26'"
	for _, tc := range []struct {
		person                                   string
		scheduled, holiday, capacity, off, avail float64
		billable, worked                         float64
	}{
		{"harvest:1", 40, 8, 32, 8, 24, 20, 24},
		{"harvest:2", 24, 8, 16, 0, 16, 14, 17},
	} {
		var s, h, c, o, a, b, wk float64
		query(t, w, `SELECT scheduled_h, holiday_h, capacity_h, time_off_h, available_h, billable_h, worked_h
			FROM marts.person_week WHERE person_key = '`+tc.person+`' AND `+week, &s, &h, &c, &o, &a, &b, &wk)
		got := []float64{s, h, c, o, a, b, wk}
		want := []float64{tc.scheduled, tc.holiday, tc.capacity, tc.off, tc.avail, tc.billable, tc.worked}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", tc.person, got, want)
				break
			}
		}
	}
	var avail, capacity, sched float64
	query(t, w, `SELECT sum(available_h), sum(capacity_h), sum(scheduled_h) FROM marts.person_week WHERE `+week, &avail, &capacity, &sched)
	if avail != 40 || capacity != 48 || sched != 64 {
		t.Errorf("F1 sums: available %v capacity %v scheduled %v, want 40 48 64", avail, capacity, sched)
	}
	var anaUtil, benUtil, benTotal float64
	query(t, w, `SELECT billable_util FROM marts.person_week WHERE person_key = 'harvest:1' AND `+week, &anaUtil)
	query(t, w, `SELECT billable_util, total_util FROM marts.person_week WHERE person_key = 'harvest:2' AND `+week, &benUtil, &benTotal)
	if !near(anaUtil, 20.0/24) || !near(benUtil, 0.875) || !near(benTotal, 1.0625) {
		t.Errorf("F2 person utils: ana %v ben %v ben total %v", anaUtil, benUtil, benTotal)
	}
	// Team figures are ratios of sums: 85.00%, not the 85.42% average of ratios.
	var teamBill, teamTotal, teamMix, gross float64
	query(t, w, `SELECT sum(billable_h)/sum(available_h), sum(worked_h)/sum(available_h), sum(billable_h)/sum(worked_h), sum(billable_h)/sum(scheduled_h)
		FROM marts.person_week WHERE `+week, &teamBill, &teamTotal, &teamMix, &gross)
	if !near(teamBill, 0.85) || !near(teamTotal, 1.025) || math.Abs(teamMix-0.8293) > 0.00005 || math.Abs(gross-0.53125) > 0.00005 {
		t.Errorf("F2 team: billable %v total %v mix %v gross %v", teamBill, teamTotal, teamMix, gross)
	}
	// Target 75% of available: 30 h, so the team is 4 h ahead (gap −4) and at 113.3%.
	var target, gap, grossMart float64
	query(t, w, `SELECT sum(target_billable_h), sum(util_gap_h), sum(billable_h) / sum(target_billable_h) FROM marts.person_week WHERE `+week, &target, &gap, &grossMart)
	if target != 30 || gap != -4 || math.Abs(grossMart-1.1333) > 0.00005 {
		t.Errorf("F2 target: target %v gap %v attainment %v, want 30, −4, 113.33%%", target, gap, grossMart)
	}
	var anaGross float64
	query(t, w, `SELECT gross_billable_util FROM marts.person_week WHERE person_key = 'harvest:1' AND `+week, &anaGross)
	if !near(anaGross, 0.5) {
		t.Errorf("F2 Ana gross billable util %v, want 50%%", anaGross)
	}
}

func TestF5FixedFeeRevenueAndProjectFinancials(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	var revenue, cost, margin string
	query(t, w, `SELECT revenue::VARCHAR, cost_amount::VARCHAR, margin::VARCHAR FROM marts.project_financials WHERE project_key = 'harvest:102'`, &revenue, &cost, &margin)
	// 60,000 × 260/450 = 34,666.67 at presentation; cost 260 h × 50.
	if revenue != "34666.666667" || cost != "13000.000000" || margin != "21666.666667" {
		t.Errorf("fixed fee: revenue %s cost %s margin %s", revenue, cost, margin)
	}
	var hours, billable, value, used float64
	query(t, w, `SELECT hours, billable_h, billable_value, budget_used_pct FROM marts.project_financials WHERE project_key = 'harvest:100'`, &hours, &billable, &value, &used)
	if hours != 37 || billable != 34 || value != 3400 || !near(used, 0.37) {
		t.Errorf("T&M project: hours %v billable %v value %v used %v", hours, billable, value, used)
	}
	// A fee of 10,000 against 260 h × 50 of cost is a loss contract (§4.3).
	put(t, w, "projects", m{"id": 102, "name": "Fixed", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "is_fixed_fee": true, "fee": 10000.0, "budget_by": "project", "budget": 450.0, "is_active": true})
	build(t, w, opts)
	var onerous bool
	var loss float64
	query(t, w, `SELECT onerous, expected_loss FROM marts.project_forecast WHERE project_key = 'harvest:102'`, &onerous, &loss)
	if !onerous || loss != 3000 {
		t.Errorf("loss contract: onerous %v expected loss %v, want true and 3000", onerous, loss)
	}
}

func TestF12ISOWeeks(t *testing.T) {
	w, opts := fixtureAgency(t)
	put(t, w, "time_entries",
		entry(20, 1, 101, 3, "Admin", "2024-12-29", 1, false),
		entry(21, 1, 101, 3, "Admin", "2024-12-30", 1, false),
		entry(22, 1, 101, 3, "Admin", "2027-01-01", 1, false))
	build(t, w, opts)
	for date, want := range map[string]string{"2024-12-29": "2024-W52", "2024-12-30": "2025-W01", "2027-01-01": "2026-W53"} {
		var got string
		query(t, w, `SELECT format('{}-W{:02d}', iso_year, iso_week) FROM marts.person_week
			WHERE person_key = 'harvest:1' AND week_start = date_trunc('week', DATE '`+date+`')`, &got)
		if got != want {
			t.Errorf("%s: %s, want %s", date, got, want)
		}
	}
}

func TestSkipsUnchangedAndRebuildsOnNewData(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	res := build(t, w, opts)
	for _, mr := range res.Models {
		if mr.Status != "skipped" {
			t.Errorf("%s %s on an unchanged warehouse", mr.Name, mr.Status)
		}
	}
	put(t, w, "time_entries", entry(30, 2, 100, 1, "Design", "2025-05-29", 2, true))
	res = build(t, w, opts)
	status := map[string]string{}
	for _, mr := range res.Models {
		status[mr.Name] = mr.Status
	}
	if status["marts.person_week"] != "built" || status["core.time_entries"] != "built" || status["core.clients"] != "skipped" {
		t.Errorf("after new time: %v", status)
	}
}

func TestCyclesAndFailingTestsAreClearErrors(t *testing.T) {
	w, opts := fixtureAgency(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "marts"), 0o755)
	os.WriteFile(filepath.Join(dir, "marts", "a.sql"), []byte(`SELECT * FROM {{ ref "marts.b" }}`), 0o644)
	os.WriteFile(filepath.Join(dir, "marts", "b.sql"), []byte(`SELECT * FROM marts.a`), 0o644)
	opts.UserDir = dir
	_, err := Build(context.Background(), w, opts)
	if err == nil || !strings.Contains(err.Error(), "cycle: marts.a -> marts.b -> marts.a") {
		t.Errorf("cycle: %v", err)
	}

	dir = t.TempDir()
	os.MkdirAll(filepath.Join(dir, "marts"), 0o755)
	os.WriteFile(filepath.Join(dir, "marts", "dupes.sql"), []byte("-- test: unique(k)\nSELECT 1 AS k UNION ALL SELECT 1"), 0o644)
	os.WriteFile(filepath.Join(dir, "marts", "broken.sql"), []byte("SELECT no_such_column FROM core.people"), 0o644)
	os.WriteFile(filepath.Join(dir, "marts", "reader.sql"), []byte("SELECT * FROM marts.broken"), 0o644)
	opts.UserDir = dir
	res, err := Build(context.Background(), w, opts)
	if !errors.Is(err, ErrBuildFailed) || !strings.Contains(err.Error(), "test unique(k) on marts.dupes failed: 1 rows") {
		t.Errorf("failing test: %v", err)
	}
	status := map[string]string{}
	for _, mr := range res.Models {
		status[mr.Name] = mr.Status
	}
	if status["marts.broken"] != "failed" || status["marts.reader"] != "blocked" || status["marts.person_week"] != "skipped" && status["marts.person_week"] != "built" {
		t.Errorf("a failed model must block only its readers: %v", status)
	}
	// Built again with nothing changed, marts.dupes is skipped and its test
	// not run again, but its failure still fails the build.
	res, err = Build(context.Background(), w, opts)
	if !errors.Is(err, ErrBuildFailed) || !strings.Contains(err.Error(), "test unique(k) on marts.dupes failed: 1 rows") {
		t.Errorf("failing test on a skipped model: %v", err)
	}
	for _, mr := range res.Models {
		if mr.Name == "marts.dupes" && mr.Status != "skipped" {
			t.Errorf("marts.dupes %s with nothing changed", mr.Status)
		}
	}
	// The last build's rows share its time and hold every test, those of
	// the skipped models too: the data_test alert reads them so.
	var runs, tests, failing int
	query(t, w, `SELECT (SELECT count(*) FROM meta.model_runs WHERE built_at = (SELECT max(built_at) FROM meta.model_runs)),
		count(*), count(*) FILTER (WHERE test = 'unique(k)' AND model = 'marts.dupes' AND status = 'fail' AND failures = 1)
		FROM meta.test_results WHERE run_at = (SELECT max(run_at) FROM meta.test_results)`, &runs, &tests, &failing)
	if runs != len(res.Models) || tests != len(res.Tests) || failing != 1 {
		t.Errorf("the last build recorded %d model runs of %d, %d test results of %d, the failing test %d times",
			runs, len(res.Models), tests, len(res.Tests), failing)
	}
}

func TestUserModelOverridesBuiltin(t *testing.T) {
	w, opts := fixtureAgency(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "core"), 0o755)
	os.WriteFile(filepath.Join(dir, "core", "clients.sql"), []byte(`SELECT client_key, source, source_id, upper(name) AS name, currency, active FROM staging.harvest_clients`), 0o644)
	opts.UserDir = dir
	build(t, w, opts)
	var name string
	query(t, w, `SELECT name FROM core.clients WHERE client_key = 'harvest:10'`, &name)
	if name != "ACME" {
		t.Errorf("override not used: %s", name)
	}
}

// F11 (metrics §9.1): Toggl stores instants; an entry belongs to the local
// date of its start in the person's zone.
func TestF11TimeZones(t *testing.T) {
	w := openWarehouse(t)
	ctx := context.Background()
	putSource := func(stream string, records ...m) {
		t.Helper()
		if err := w.EnsureRawTable(ctx, "toggl", stream); err != nil {
			t.Fatal(err)
		}
		var rows []warehouse.Row
		for _, r := range records {
			body, _ := json.Marshal(r)
			id := fmt.Sprint(r["id"])
			if te, ok := r["time_entries"].([]m); ok {
				id = fmt.Sprint(te[0]["id"])
			}
			rows = append(rows, warehouse.Row{ID: id, Payload: body})
		}
		if _, err := w.CommitPage(ctx, "toggl", stream, 1, warehouse.Page{Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
	putSource("users",
		m{"id": 1, "user_id": 11, "name": "LA", "timezone": "America/Los_Angeles"},
		m{"id": 2, "user_id": 12, "name": "London", "timezone": "Europe/London"},
		m{"id": 3, "user_id": 13, "name": "Tokyo", "timezone": "Asia/Tokyo"})
	var entries []m
	for i, u := range []int{11, 12, 13} {
		entries = append(entries, m{"user_id": u, "billable": false, "time_entries": []m{{"id": 100 + i, "seconds": 3600, "start": "2025-06-02T22:30:00Z"}}})
	}
	putSource("time_entries", entries...)
	if _, err := Build(ctx, w, Options{Sources: map[string]string{"toggl": "toggl"}}); err != nil && !errors.Is(err, ErrBuildFailed) {
		t.Fatal(err)
	}
	for person, want := range map[string]string{"toggl:11": "2025-06-02", "toggl:12": "2025-06-02", "toggl:13": "2025-06-03"} {
		var got string
		query(t, w, `SELECT entry_date::VARCHAR FROM staging.toggl_time_entries WHERE person_key = '`+person+`'`, &got)
		if got != want {
			t.Errorf("%s: %s, want %s", person, got, want)
		}
	}
}

// One cause, one finding: a timer left running for 30 hours is a C23
// entry, not also a C23 day. A closed project's unbilled balance is C12
// from the day it closes, or gaps.closed_grace_days after its last entry.
func TestGapsOneFindingPerCauseAndClosedGrace(t *testing.T) {
	w, opts := fixtureAgency(t)
	running := entry(20, 2, 100, 1, "Design", "2025-06-03", 30, true)
	running["is_running"] = true
	put(t, w, "time_entries", running, entry(21, 2, 103, 1, "Design", "2025-06-09", 10, true))
	put(t, w, "projects", m{"id": 103, "name": "Done", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
		"is_fixed_fee": false, "budget_by": "none", "is_active": false})
	opts.Seeds.AsOf = time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	build(t, w, opts)
	var n int
	var keys string
	query(t, w, `SELECT count(*), string_agg(canonical_key, ',' ORDER BY canonical_key) FROM marts.gaps
		WHERE check_id = 'C23' AND (canonical_key = 'harvest:20' OR canonical_key LIKE 'harvest:2@2025-06-03')`, &n, &keys)
	if n != 1 || keys != "harvest:20" {
		t.Errorf("the running timer raised %d C23 findings (%s), want the entry alone", n, keys)
	}
	// A finding on an entry is its person's and its project's client's,
	// and its owner is the project's manager, else the person.
	var person, client, owner string
	query(t, w, `SELECT person_key, client_key, owner FROM marts.gaps WHERE check_id = 'C23' AND canonical_key = 'harvest:20'`, &person, &client, &owner)
	if person != "harvest:2" || client != "harvest:10" || owner != "Ben B" {
		t.Errorf("the running timer's finding: person %s, client %s, owner %s; want harvest:2, harvest:10, Ben B", person, client, owner)
	}
	var c12 float64
	query(t, w, `SELECT coalesce(sum(amount_at_stake), 0) FROM marts.gaps WHERE check_id = 'C12' AND canonical_key = 'harvest:103'`, &c12)
	if c12 != 1000 { // 10 h × 100, nothing invoiced, closed the day after
		t.Errorf("C12 at stake %v, want 1000 the day after the project closed", c12)
	}
	opts.Seeds.ClosedGraceDays = 30
	opts.Force = true
	build(t, w, opts)
	query(t, w, `SELECT count(*) FROM marts.gaps WHERE check_id = 'C12' AND canonical_key = 'harvest:103'`, &n)
	if n != 0 {
		t.Error("C12 fired within gaps.closed_grace_days")
	}
	var threshold string
	query(t, w, `SELECT threshold FROM marts.gap_checks WHERE check_id = 'C12'`, &threshold)
	if threshold != "30 days after its last entry (gaps.closed_grace_days)" {
		t.Errorf("C12's threshold reads %q", threshold)
	}
}

// An incremental model (staging.harvest_time_entries) built from only the
// entries changed since its last build holds exactly what a build from
// scratch makes: after an edit, a deletion, an addition, an entry synced
// again unchanged, and a deletion undone.
// putHistory adds Ben's hour a weekday from January to March 2025 (ids
// from 100), so that a week's changes reach a small share of the entries,
// as in a real agency.
func putHistory(t testing.TB, w *warehouse.Warehouse) []map[string]any {
	var history []map[string]any
	for d, id := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC), 100; d.Month() < 4; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			history = append(history, entry(id, 2, 100, 1, "Design", d.Format(time.DateOnly), 1, true))
			id++
		}
	}
	put(t, w, "time_entries", history...)
	return history
}

// A raw record whose payload changed only in what the staging model does
// not read changes none of its days; an edit changes its own. (The rows
// before are hashed as the table holds them, the rows after as the model
// makes them: both must hash a row alike.)
func TestStagingNotesOnlyTheDaysWhoseRowsChanged(t *testing.T) {
	w, opts := fixtureAgency(t)
	history := putHistory(t, w)
	build(t, w, opts)
	unread := maps.Clone(history[0])
	unread["updated_at"] = "2025-06-02T09:00:00Z"
	edited := maps.Clone(history[1])
	edited["hours"] = 2.5
	put(t, w, "time_entries", unread, edited)
	res := build(t, w, opts)
	for _, mr := range res.Models {
		if mr.Name == "staging.harvest_time_entries" && !mr.Incremental {
			t.Fatalf("staging was rebuilt whole (%s)", mr.Status)
		}
	}
	// Ben is all that day holds: his whole day.
	if days, want := noted(t, w, "staging.harvest_time_entries"), []string{edited["spent_date"].(string) + " every person"}; !slices.Equal(days, want) {
		t.Errorf("changed days %v, want %v (not %s, whose entry changed only its updated_at)", days, want, unread["spent_date"])
	}
}

// noted is what the last build noted as changed in model, "day key" in
// order ("every person" for a whole day).
func noted(t *testing.T, w *warehouse.Warehouse, model string) []string {
	t.Helper()
	rows, err := w.DB().Query(`SELECT day::VARCHAR || ' ' || coalesce(key, 'every person') FROM meta.model_changes WHERE model = ? ORDER BY 1`, model)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// sameAsForced rebuilds with --force, reports each model whose rows
// differ from what the build before made (row for row, both ways), and
// gives the forced build's result.
func sameAsForced(t *testing.T, w *warehouse.Warehouse, opts Options, step string, models ...string) *Result {
	t.Helper()
	for i, model := range models {
		if _, err := w.DB().Exec(fmt.Sprintf(`CREATE OR REPLACE TABLE main.before_forced_%d AS SELECT * FROM %s`, i, model)); err != nil {
			t.Fatal(err)
		}
	}
	forced := opts
	forced.Force = true
	res := build(t, w, forced)
	for i, model := range models {
		var missing, extra int
		query(t, w, fmt.Sprintf(`SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM main.before_forced_%d)`, model, i), &missing)
		query(t, w, fmt.Sprintf(`SELECT count(*) FROM (SELECT * FROM main.before_forced_%d EXCEPT ALL SELECT * FROM %s)`, i, model), &extra)
		if missing != 0 || extra != 0 {
			t.Errorf("%s: the incremental %s lacks %d rows and has %d extra against a forced build", step, model, missing, extra)
		}
	}
	return res
}

func TestIncrementalBuildEqualsFullBuild(t *testing.T) {
	ctx := context.Background()
	w, opts := fixtureAgency(t)
	history := putHistory(t, w)
	build(t, w, opts)
	// The raw time entries' staging, the canonical entries and their
	// values: each built from the changes alone; and what is made from
	// them.
	models := []string{"staging.harvest_time_entries", "core.time_entries", "marts.entry_values"}
	// Made from those by day or week, but only when their days changed.
	alsoByDay := []string{"core.time_off", "core.capacity_day", "marts.person_day", "marts.person_week", "marts.day_findings", "marts.schedule_day", "marts.schedule_week"}
	incremental := func(res *Result) []string {
		var from []string
		for _, mr := range res.Models {
			if slices.Contains(models, mr.Name) && mr.Status == "built" && mr.Incremental {
				from = append(from, mr.Name)
			}
		}
		return from
	}
	compare := func(step string) {
		t.Helper()
		res := sameAsForced(t, w, opts, step, append(slices.Clone(models), alsoByDay...)...)
		if from := incremental(res); len(from) > 0 {
			t.Fatalf("%s: a forced build read only the changes of %v", step, from)
		}
	}

	// Entry 2 edited (8 h to 7 h), entry 3 deleted, entry 31 added, entry 1
	// synced again as it was.
	edited := entry(2, 1, 100, 1, "Design", "2025-05-28", 7, true)
	put(t, w, "time_entries", edited, entry(31, 2, 100, 1, "Design", "2025-05-30", 1.5, true), entry(1, 1, 100, 1, "Design", "2025-05-27", 8, true))
	if _, err := w.CommitPage(ctx, "harvest", "time_entries", 2, warehouse.Page{Deleted: []string{"3"}}); err != nil {
		t.Fatal(err)
	}
	if from := incremental(build(t, w, opts)); len(from) != len(models) {
		t.Fatalf("after a sync only %v read the changes alone", from)
	}
	var hours float64
	query(t, w, `SELECT sum(hours) FROM staging.harvest_time_entries`, &hours)
	if want := 8 + 7 + 4 + 8 + 8 + 6 + 3 + 260 + 1.5 + float64(len(history)); hours != want {
		t.Errorf("hours after the changes: %.2f, want %.2f", hours, want)
	}
	compare("edit, delete, add")

	// The deleted entry comes back, and entry 31 moves to another day (both
	// days change); the forced build above left the state for the next
	// incremental one.
	put(t, w, "time_entries", entry(3, 1, 100, 1, "Design", "2025-05-29", 4, true), entry(31, 2, 101, 3, "Admin", "2025-06-03", 1.5, false))
	// And Ana's day off becomes half a day: her leave and capacity change.
	put(t, w, "time_entries", entry(5, 1, 101, 4, "Time Off", "2025-05-30", 4, false))
	if from := incremental(build(t, w, opts)); len(from) != len(models) {
		t.Fatalf("after an undelete and a move only %v read the changes alone", from)
	}
	compare("undelete, move")

	// An incremental build, then one where the entries' values are not
	// built (an input of theirs fails) though the entries are: the next
	// build must not lose the changes that one did not apply.
	put(t, w, "time_entries", entry(6, 2, 100, 1, "Design", "2025-05-27", 7.5, true))
	build(t, w, opts)
	put(t, w, "time_entries", entry(7, 2, 100, 1, "Design", "2025-05-28", 5, true))
	broken := opts
	broken.UserDir = t.TempDir()
	os.MkdirAll(filepath.Join(broken.UserDir, "marts"), 0o755)
	os.WriteFile(filepath.Join(broken.UserDir, "marts", "cost_rates.sql"), []byte("SELECT * FROM nowhere"), 0o644)
	if _, err := Build(ctx, w, broken); err == nil {
		t.Fatal("a model reading a missing table built")
	}
	put(t, w, "time_entries", entry(4, 1, 101, 3, "Admin", "2025-05-29", 3, false))
	build(t, w, opts)
	compare("after a build that left the values behind")

	// Changes reaching most of the entries rebuild them whole.
	var most []map[string]any
	for _, e := range history[:len(history)*3/4] {
		e["hours"] = 2.0
		most = append(most, e)
	}
	put(t, w, "time_entries", most...)
	res := build(t, w, opts)
	if from := incremental(res); slices.Contains(from, "core.time_entries") {
		t.Error("three quarters of the entries changed were rebuilt by period")
	}
	// The leave, built whole too, is compared by day with before: none of
	// it changed, so the capacity is rebuilt for no day.
	for _, mr := range res.Models {
		if mr.Name == "core.capacity_day" && mr.Status == "built" && !mr.Incremental {
			t.Error("capacity was built whole though no day of leave changed")
		}
	}
	compare("most entries")

	// A change to the model's other inputs (the company's base URL) builds
	// it from scratch.
	put(t, w, "company", m{"base_uri": "https://example.harvestapp.com", "name": "X"})
	if from := incremental(build(t, w, opts)); slices.Contains(from, "staging.harvest_time_entries") {
		t.Error("a new company record was read as a change to the entries only")
	}
}

// A budgets file's change order raises a fixed fee's budget from its date
// on: the overrun Harvest's budget shows (check C14) is gone, and a row
// dated after org.as_of does not count yet.
func TestBudgetsFileReplacesTheToolsBudget(t *testing.T) {
	ctx := context.Background()
	w, opts := fixtureAgency(t)
	opts.Sources["inputs"] = "files"
	put(t, w, "projects", m{"id": 103, "name": "Capped", "code": "CAP-1", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
		"is_fixed_fee": true, "fee": 10000.0, "budget_by": "project", "budget": 10.0, "is_active": true})
	put(t, w, "time_entries", entry(40, 1, 103, 1, "Design", "2025-06-03", 12, true))
	build(t, w, opts)
	overrun := func() (n int, budget float64) {
		query(t, w, `SELECT count(*) FROM marts.gaps WHERE check_id = 'C14' AND source_id = '103'`, &n)
		query(t, w, `SELECT budget_hours FROM core.projects WHERE source_id = '103'`, &budget)
		return n, budget
	}
	if n, budget := overrun(); n != 1 || budget != 10 {
		t.Fatalf("before the budgets file: %d C14 findings, budget %.2f h; want 1 and 10", n, budget)
	}
	if err := w.EnsureRawTable(ctx, "inputs", "budgets"); err != nil {
		t.Fatal(err)
	}
	rows := []warehouse.Row{
		{ID: "inputs/budgets.csv|budgets#2", Payload: []byte(`{"code":"cap-1","budget_hours":"8","from":"2025-01-01"}`)},
		{ID: "inputs/budgets.csv|budgets#3", Payload: []byte(`{"code":"CAP-1","budget_hours":"20","from":"2025-06-01","note":"CO-1"}`)},
		{ID: "inputs/budgets.csv|budgets#4", Payload: []byte(`{"code":"CAP-1","budget_hours":"5","from":"2099-01-01","note":"not yet"}`)},
	}
	if _, err := w.CommitPage(ctx, "inputs", "budgets", 1, warehouse.Page{Rows: rows}); err != nil {
		t.Fatal(err)
	}
	build(t, w, opts)
	if n, budget := overrun(); n != 0 || budget != 20 {
		t.Errorf("after the change order: %d C14 findings, budget %.2f h; want 0 and 20", n, budget)
	}
}

// A model that names how to compress some columns has them stored so,
// in a whole build and in the rows a build from changes adds; a bad
// spec, or a column the model does not make, is a clear error.
func TestDeclaredCompression(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	methods := func(table, col string) string {
		var got string
		query(t, w, `SELECT string_agg(DISTINCT compression, ',' ORDER BY compression) FROM pragma_storage_info('`+table+`')
			WHERE column_name = '`+col+`' AND segment_type = 'VARCHAR' AND compression <> 'Constant'`, &got)
		return got
	}
	// Forced to FSST: on its own, DuckDB stores a small table's keys
	// uncompressed or by dictionary.
	if _, err := w.DB().Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if got := methods("core.time_entries", "entry_key"); got != "FSST" {
		t.Errorf("core.time_entries.entry_key stored as %q, want FSST", got)
	}
	if got := methods("core.time_entries", "person_key"); got != "Dictionary" {
		t.Errorf("core.time_entries.person_key stored as %q, want Dictionary", got)
	}
	// The rows a build from changes adds are stored the same way.
	put(t, w, "time_entries", entry(31, 2, 100, 1, "Design", "2025-05-29", 2, true))
	res := build(t, w, opts)
	for _, mr := range res.Models {
		if mr.Name == "core.time_entries" && !mr.Incremental {
			t.Errorf("core.time_entries built whole after one new entry")
		}
	}
	if _, err := w.DB().Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	var n int
	query(t, w, `SELECT count(*) FROM core.time_entries WHERE entry_key = 'harvest:31'`, &n)
	if got := methods("core.time_entries", "entry_key"); n != 1 || got != "FSST" {
		t.Errorf("after a build from changes: %d new rows, entry_key stored as %q", n, got)
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "marts"), 0o755)
	os.WriteFile(filepath.Join(dir, "marts", "seen.sql"), []byte("-- materialized: view\n-- compression: fsst(k)\nSELECT 'a' AS k"), 0o644)
	opts.UserDir = dir
	if _, err := Build(context.Background(), w, opts); err == nil || !strings.Contains(err.Error(), "a view stores nothing") {
		t.Errorf("compression on a view: %v", err)
	}
	for spec, want := range map[string]string{
		"fsst(k) zip(v)":     "write compression: <method>(<columns>)",
		"fsst k":             "write compression: <method>(<columns>)",
		"fsst()":             "write compression: <method>(<columns>)",
		"fsst(k) rle(k)":     "column k named twice (fsst and rle)",
		"fsst(k, no_column)": "compression names column no_column, which the model does not make",
	} {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "marts"), 0o755)
		os.WriteFile(filepath.Join(dir, "marts", "squeezed.sql"), []byte("-- materialized: table\n-- compression: "+spec+"\nSELECT 'a' AS k, 1 AS v"), 0o644)
		opts.UserDir = dir
		_, err := Build(context.Background(), w, opts)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("compression: %s: %v, want %q", spec, err, want)
		}
	}
}

// A build after one reads the raw rows changed after its watermark while
// the rows changed at that very time are those it saw, and at it again
// when they are not.
func TestWatermarkReadsAfterTheRowsItSaw(t *testing.T) {
	ctx := context.Background()
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	conn, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const model, raw = "staging.harvest_time_entries", `raw."harvest__time_entries"`
	mark := func() string {
		t.Helper()
		marks, _, err := watermarks(ctx, conn, model, []string{raw}, "")
		if err != nil {
			t.Fatal(err)
		}
		return marks[raw]
	}
	if m := mark(); !strings.HasSuffix(m, "+ INTERVAL 1 MICROSECOND") {
		t.Errorf("mark %s: the rows at the watermark are those the build saw, want after it", m)
	}
	// One row joins the watermark's time, or leaves it: the rows at it are
	// no longer those the build saw.
	if _, err := conn.ExecContext(ctx, `UPDATE `+raw+` r SET synced_at = CASE WHEN r.synced_at = t.m THEN r.synced_at - INTERVAL 1 DAY ELSE t.m END
		FROM (SELECT max(synced_at) AS m FROM `+raw+`) t WHERE r.id = (SELECT min(id) FROM `+raw+`)`); err != nil {
		t.Fatal(err)
	}
	if m := mark(); strings.Contains(m, "INTERVAL") {
		t.Errorf("mark %s: the rows at the watermark changed, want at it", m)
	}
}

// A build lets go of the runs and results older than two weeks, but keeps
// each model's last run and each test's last result, however old.
func TestBuildPrunesOldRunsButKeepsTheLast(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	for _, q := range []string{
		// A month-old copy of this build, and a model (and its test) last
		// run a month ago, twice before that.
		`INSERT INTO meta.model_runs SELECT model, hash, built_at - INTERVAL 30 DAY, duration_ms, rows, status, error, version FROM meta.model_runs`,
		`INSERT INTO meta.model_runs VALUES ('marts.gone', 'h1', now() - INTERVAL 30 DAY, 1, 1, 'built', NULL, NULL),
			('marts.gone', 'h0', now() - INTERVAL 31 DAY, 1, 1, 'built', NULL, NULL)`,
		`INSERT INTO meta.test_results SELECT test, model, run_at - INTERVAL 30 DAY, failures, status, error FROM meta.test_results`,
		`INSERT INTO meta.test_results VALUES ('unique(x)', 'marts.gone', now() - INTERVAL 30 DAY, 0, 'pass', NULL),
			('unique(x)', 'marts.gone', now() - INTERVAL 31 DAY, 2, 'fail', NULL)`,
	} {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	build(t, w, opts)
	var runs, results int
	var hash, status string
	query(t, w, `SELECT count(*), any_value(hash) FROM meta.model_runs WHERE built_at < now() - INTERVAL 14 DAY`, &runs, &hash)
	query(t, w, `SELECT count(*), any_value(status) FROM meta.test_results WHERE run_at < now() - INTERVAL 14 DAY`, &results, &status)
	if runs != 1 || hash != "h1" || results != 1 || status != "pass" {
		t.Errorf("kept %d old runs (%s) and %d old results (%s), want only marts.gone's last run (h1) and result (pass)", runs, hash, results, status)
	}
	var recent int
	query(t, w, `SELECT count(DISTINCT built_at) FROM meta.model_runs WHERE built_at >= now() - INTERVAL 14 DAY`, &recent)
	if recent != 2 {
		t.Errorf("%d recent builds kept, want both", recent)
	}
}

// Scoring the forecasts reads every one kept, so a build that changed
// nothing it reads does not score again; one that changed the time
// entries does.
func TestForecastsAreScoredAgainOnlyWhenWhatTheyReadChanged(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	scored := func() (oid int64) {
		query(t, w, `SELECT table_oid FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'forecast_accuracy'`, &oid)
		return oid
	}
	first := scored()
	build(t, w, opts)
	if scored() != first {
		t.Error("a build that changed nothing scored the forecasts again")
	}
	put(t, w, "time_entries", entry(2, 1, 100, 1, "Design", "2025-05-28", 6, true))
	build(t, w, opts)
	if scored() == first {
		t.Error("a build that changed the time entries did not score the forecasts again")
	}
}
