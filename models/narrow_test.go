package models

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A declared test narrowed to some days checks the rows of those days; a
// unique key without the partition column is still looked for across the
// whole table, for the keys those days hold.
func TestTestWithinDays(t *testing.T) {
	w := openWarehouse(t)
	db := w.DB()
	if _, err := db.Exec(`CREATE SCHEMA IF NOT EXISTS core;
		CREATE TABLE core.x (entry_key VARCHAR, person_key VARCHAR, entry_date DATE);
		INSERT INTO core.x VALUES
			('a', 'ana', DATE '2025-05-27'), ('a', 'ana', DATE '2025-05-28'), -- a key on a changed and an unchanged day
			('b', 'ben', DATE '2025-05-29'), ('b', 'ben', DATE '2025-05-30'), -- a key twice, on unchanged days only
			('c', NULL,  DATE '2025-05-27'), ('d', NULL, DATE '2025-05-29'),  -- a null on a changed and an unchanged day
			('e', 'eve', DATE '2025-05-27'), ('f', 'eve', DATE '2025-05-27'), ('g', 'eve', DATE '2025-05-30')`); err != nil {
		t.Fatal(err)
	}
	m := &Model{Name: "core.x", Partition: &Partition{Column: "entry_date", Grain: "day"}}
	changed := `SELECT DATE '2025-05-27' AS day, NULL::VARCHAR AS key`
	for spec, want := range map[string]int{
		"unique(entry_key)":                     1, // a, not b
		"unique(person_key, entry_date)":        1, // eve on the 27th
		"not_null(person_key)":                  1, // c, not d
		"accepted_values(person_key: ana, eve)": 0,
	} {
		tt, err := declaredTest(m.Name, spec)
		if err != nil {
			t.Fatal(err)
		}
		q, ok := tt.within(m, changed)
		if !ok {
			t.Fatalf("%s: not narrowed", spec)
		}
		var got int
		if err := db.QueryRow("SELECT count(*) FROM (" + q + ")").Scan(&got); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if got != want {
			t.Errorf("%s on the changed day: %d failures, want %d", spec, got, want)
		}
	}
	if tt, _ := declaredTest(m.Name, "unique(entry_key, person_key)"); func() bool { _, ok := tt.within(m, changed); return ok }() {
		t.Error("a unique key of two columns without the partition column was narrowed")
	}

	// Keyed by person: only the changed people's rows of the day, but a
	// unique key without the person across the whole day.
	keyed := &Model{Name: "core.x", Partition: &Partition{Column: "entry_date", Grain: "day", Key: "person_key"}}
	for _, c := range []struct {
		key, spec string
		want      int
	}{
		{"eve", "unique(person_key, entry_date)", 1}, // e and f
		{"ana", "unique(person_key, entry_date)", 0},
		{"ana", "unique(entry_key)", 1},    // a, on the 28th too
		{"eve", "unique(entry_key)", 0},    // a is not eve's
		{"eve", "not_null(person_key)", 0}, // c is nobody's
		{"ana", "unique(entry_date)", 1},   // every row of the 27th, not only Ana's
	} {
		tt, err := declaredTest(keyed.Name, c.spec)
		if err != nil {
			t.Fatal(err)
		}
		q, ok := tt.within(keyed, `SELECT DATE '2025-05-27' AS day, '`+c.key+`' AS key`)
		if !ok {
			t.Fatalf("%s: not narrowed", c.spec)
		}
		var got int
		if err := db.QueryRow("SELECT count(*) FROM (" + q + ")").Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if got != c.want {
			t.Errorf("%s on %s's changed day: %d failures, want %d", c.spec, c.key, got, c.want)
		}
	}
}

// A build that changed a few days still fails on a bad row there, and once
// a test failed it runs whole again.
func TestNarrowedTestsStillFail(t *testing.T) {
	ctx := context.Background()
	w, opts := fixtureAgency(t)
	putHistory(t, w)
	build(t, w, opts)
	lost := entry(500, 2, 100, 1, "Design", "2025-02-03", 1, true)
	delete(lost, "project")
	put(t, w, "time_entries", lost)
	res, err := Build(ctx, w, opts)
	if !errors.Is(err, ErrBuildFailed) {
		t.Fatalf("a build with an entry of no project: %v", err)
	}
	for _, mr := range res.Models {
		if mr.Name == "staging.harvest_time_entries" && !mr.Incremental {
			t.Fatal("the staging entries were built whole: nothing was narrowed")
		}
	}
	failed := false
	for _, tr := range res.Tests {
		if tr.Model == "staging.harvest_time_entries" && tr.Name == "not_null(entry_key, person_key, project_key, entry_date, hours)" {
			failed = tr.Failures == 1
		}
	}
	if !failed {
		t.Error("not_null of the staging entries did not find the entry with no project")
	}
	// Another day changes and the entry stays: the test that failed runs
	// whole, and fails again.
	put(t, w, "time_entries", entry(501, 2, 100, 1, "Design", "2025-03-03", 2, true))
	if _, err := Build(ctx, w, opts); !errors.Is(err, ErrBuildFailed) {
		t.Fatalf("a build that left the entry of no project: %v", err)
	}
	put(t, w, "time_entries", entry(500, 2, 100, 1, "Design", "2025-02-03", 1, true))
	build(t, w, opts)
}

// A build from changes fills the span of its periods into the marks; a
// whole build, or a span from the period of rows with no date, is every day.
func TestFillDays(t *testing.T) {
	p := &Partition{Column: "entry_date", Grain: "day"}
	sql := "SELECT * FROM x, " + daysBuiltMark + " d WHERE " + p.within()
	for _, c := range []struct{ first, after, want string }{
		{"", "", "SELECT * FROM x, (SELECT DATE '0001-01-01' AS first_day, DATE '9999-12-31' AS last_day) d WHERE true"},
		{"2025-05-26", "2025-06-02", "SELECT * FROM x, (SELECT DATE '2025-05-26' AS first_day, DATE '2025-06-02' - 1 AS last_day) d " +
			"WHERE (entry_date >= DATE '2025-05-26' AND entry_date < DATE '2025-06-02')"},
		{"0001-01-01", "2025-06-02", "SELECT * FROM x, (SELECT DATE '0001-01-01' AS first_day, DATE '2025-06-02' - 1 AS last_day) d WHERE true"},
	} {
		if got := fillDays(sql, c.first, c.after); got != c.want {
			t.Errorf("fillDays(%q, %q):\n got %s\nwant %s", c.first, c.after, got, c.want)
		}
	}
}

// from_changes tells the SQL of a build from changes from a whole one's.
func TestFromChanges(t *testing.T) {
	m := &Model{Name: "marts.m", Path: "m.sql", SQL: "SELECT {{ if from_changes }}'changes'{{ else }}'whole'{{ end }} AS how"}
	whole, _, err := render(m, nil, nil, nil)
	if err != nil || !strings.Contains(whole, "'whole'") {
		t.Errorf("whole build: %q, %v", whole, err)
	}
	changes, _, err := render(m, nil, nil, func(name string) string { return name })
	if err != nil || !strings.Contains(changes, "'changes'") {
		t.Errorf("build from changes: %q, %v", changes, err)
	}

	// built is every row of a whole build, the keyed partitions' of a
	// build from changes.
	cal := &Model{Name: "core.c", Path: "c.sql", SQL: `SELECT * FROM x WHERE {{ built "d" "p.person_key" }}`,
		Partition: &Partition{Column: "date", Grain: "day", Key: "person_key"}}
	if whole, _, err := render(cal, nil, nil, nil); err != nil || !strings.HasSuffix(whole, "WHERE true") {
		t.Errorf("built in a whole build: %q, %v", whole, err)
	}
	delta, _, err := render(cal, nil, nil, func(name string) string { return name })
	if err != nil {
		t.Fatal(err)
	}
	want := "WHERE (date_trunc('day', coalesce((d)::DATE, DATE '0001-01-01'))::DATE, (p.person_key)::VARCHAR) IN (SELECT period, key FROM " + periodsTable + ")"
	if got := fillIn(delta, keysOnly); !strings.HasSuffix(got, want) {
		t.Errorf("built from changed keys:\n got %s\nwant …%s", got, want)
	}
	if _, _, err := render(&Model{Name: "core.u", Path: "u.sql", SQL: `SELECT {{ built "d" }}`}, nil, nil, nil); err == nil {
		t.Error("built in an unpartitioned model rendered")
	}
}
