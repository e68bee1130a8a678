package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/conflux-dev/conflux/internal/warehouse"
)

// putIn writes records into raw.<source>__<stream>.
func putIn(t testing.TB, w *warehouse.Warehouse, source, stream string, records ...map[string]any) {
	t.Helper()
	ctx := context.Background()
	if err := w.EnsureRawTable(ctx, source, stream); err != nil {
		t.Fatal(err)
	}
	var rows []warehouse.Row
	for _, r := range records {
		body, _ := json.Marshal(r)
		rows = append(rows, warehouse.Row{ID: fmt.Sprint(r["id"]), Payload: body})
	}
	if _, err := w.CommitPage(ctx, source, stream, 1, warehouse.Page{Rows: rows}); err != nil {
		t.Fatal(err)
	}
}

func worklog(id, account, issue, started string, seconds int) m {
	return m{"id": id, "issueId": issue, "author": m{"accountId": account}, "started": started + "T09:00:00.000+0100",
		"timeSpentSeconds": seconds}
}

// overlapAgency is the fixture agency with Jira beside Harvest: Ana and Ben
// in both (same emails), Acme Web in both (code AW). In Jira, Ana's 27 May
// 8 h again with no reference (a copy typed twice), Ben's 28 May 6 h that
// Harvest's entry references (Harvest for Jira), and 2 h of Ben's on 29 May
// that only Jira holds.
func overlapAgency(t *testing.T) (*warehouse.Warehouse, Options) {
	w, opts := fixtureAgency(t)
	put(t, w, "projects",
		m{"id": 100, "name": "Acme Web", "code": "AW", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "is_fixed_fee": false, "budget_by": "project", "budget": 100.0, "is_active": true})
	ref := entry(7, 2, 100, 1, "Design", "2025-05-28", 6, true)
	ref["external_reference"] = m{"id": "9001", "group_id": "500", "permalink": "https://x.atlassian.net/browse/AW-1", "service": "atlassian.net"}
	put(t, w, "time_entries", ref)
	putIn(t, w, "jira", "users",
		m{"id": "acc-ana", "accountId": "acc-ana", "accountType": "atlassian", "displayName": "Ana A", "emailAddress": "ana@x.test", "active": true},
		m{"id": "acc-ben", "accountId": "acc-ben", "accountType": "atlassian", "displayName": "Ben B", "emailAddress": "ben@x.test", "active": true})
	putIn(t, w, "jira", "projects", m{"id": "500", "key": "AW", "name": "Acme Web", "self": "https://x.atlassian.net/rest/api/3/project/500"})
	putIn(t, w, "jira", "issues", m{"id": "9001", "key": "AW-1", "self": "https://x.atlassian.net/rest/api/3/issue/9001",
		"fields": m{"summary": "Design", "project": m{"id": "500", "key": "AW"}}})
	putIn(t, w, "jira", "worklogs",
		worklog("1", "acc-ana", "9001", "2025-05-27", 8*3600),
		worklog("2", "acc-ben", "9001", "2025-05-28", 6*3600),
		worklog("3", "acc-ben", "9001", "2025-05-29", 2*3600))
	opts.Sources = map[string]string{"harvest": "harvest", "jira": "jira"}
	return w, opts
}

type counting struct {
	counted               bool
	reason, duplicateOf   string
	personKey, projectKey string
}

func countingOf(t *testing.T, w *warehouse.Warehouse) map[string]counting {
	t.Helper()
	rows, err := w.DB().Query(`SELECT entry_key, counted, coalesce(not_counted, ''), coalesce(duplicate_of, ''), person_key, project_key
		FROM core.time_entries WHERE source = 'jira' OR entry_key IN ('harvest:1', 'harvest:7')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]counting{}
	for rows.Next() {
		var k string
		var c counting
		if err := rows.Scan(&k, &c.counted, &c.reason, &c.duplicateOf, &c.personKey, &c.projectKey); err != nil {
			t.Fatal(err)
		}
		out[k] = c
	}
	return out
}

// Two tools, one agency: each hour counts once, the person and project are
// one, and capacity is counted once.
func TestOverlappingToolsCountEachHourOnce(t *testing.T) {
	w, opts := overlapAgency(t)
	build(t, w, opts)
	got := countingOf(t, w)
	want := map[string]counting{
		"harvest:1": {true, "", "", "harvest:1", "harvest:100"},
		"harvest:7": {true, "", "", "harvest:2", "harvest:100"},
		"jira:1":    {false, "matched", "harvest:1", "harvest:1", "harvest:100"},
		"jira:2":    {false, "referenced", "harvest:7", "harvest:2", "harvest:100"},
		"jira:3":    {true, "", "", "harvest:2", "harvest:100"},
	}
	for k, c := range want {
		if got[k] != c {
			t.Errorf("%s: %+v, want %+v", k, got[k], c)
		}
	}
	// One row per person and week, capacity once: Ana 40 − 8 (bank
	// holiday), Ben 24 − 8; Ben's hours are Harvest's 17 and Jira's 2.
	rows, err := w.DB().Query(`SELECT person_key, capacity_h::DOUBLE, worked_h::DOUBLE FROM marts.person_week
		WHERE week_start = DATE '2025-05-26' AND (capacity_h > 0 OR worked_h > 0) ORDER BY person_key`)
	if err != nil {
		t.Fatal(err)
	}
	var weeks []string
	for rows.Next() {
		var p string
		var capH, worked float64
		rows.Scan(&p, &capH, &worked)
		weeks = append(weeks, fmt.Sprintf("%s %.0f %.0f", p, capH, worked))
	}
	rows.Close()
	if fmt.Sprint(weeks) != "[harvest:1 32 24 harvest:2 16 19]" {
		t.Errorf("person_week in 2025-W22: %v", weeks)
	}
	var n int
	var hours float64
	var detail string
	query(t, w, `SELECT count(*), coalesce(sum(hours_at_stake), 0)::DOUBLE, coalesce(any_value(detail), '') FROM marts.gaps WHERE check_id = 'C34'`, &n, &hours, &detail)
	if n != 1 || hours != 8 {
		t.Errorf("C34: %d findings, %v h (%s); want Ana's unreferenced copy of 8 h", n, hours, detail)
	}
	// The copy's finding is its person's: a lead of her team sees it.
	var person string
	query(t, w, `SELECT coalesce(any_value(person_key), '') FROM marts.gaps WHERE check_id = 'C34'`, &person)
	var copier string
	query(t, w, `SELECT any_value(person_key) FROM core.time_entries WHERE not_counted = 'matched'`, &copier)
	if person == "" || person != copier {
		t.Errorf("C34's finding is person %q's, want %q, who logged the copy", person, copier)
	}

	// time.prefer: jira keeps Jira's copies instead.
	opts.Seeds.Time = TimeRules{Prefer: "jira"}
	opts.Force = true
	build(t, w, opts)
	got = countingOf(t, w)
	if c := got["harvest:7"]; c.counted || c.reason != "referenced" || c.duplicateOf != "jira:2" {
		t.Errorf("with prefer jira, harvest:7 is %+v", c)
	}
	if c := got["jira:1"]; !c.counted {
		t.Errorf("with prefer jira, jira:1 is %+v", c)
	}

	// A system of record: Harvest for project AW. Jira's hours there are
	// kept but not counted, and show as logged outside it.
	opts.Seeds.Time = TimeRules{Sources: []TimeSource{{Tool: "harvest", Projects: []string{"AW"}}}}
	build(t, w, opts)
	got = countingOf(t, w)
	if c := got["jira:3"]; c.counted || c.reason != "outside the system of record" {
		t.Errorf("with Harvest the system of record, jira:3 is %+v", c)
	}
	query(t, w, `SELECT worked_h::DOUBLE FROM marts.person_week WHERE person_key = 'harvest:2' AND week_start = DATE '2025-05-26'`, &hours)
	if hours != 17 {
		t.Errorf("Ben's week counts %v h, want Harvest's 17", hours)
	}
}

// Two time tools with the same project (Harvest and an acquired studio's
// Toggl, "Acme Web" in both): the project is one — every hour counts under
// Harvest's record, Toggl's record carries none — and an hour in both is
// counted once and raised as C34.
func TestTwoTimeToolsOneProject(t *testing.T) {
	w, opts := fixtureAgency(t)
	putIn(t, w, "toggl", "users",
		m{"id": 501, "user_id": 501, "name": "Ana A", "email": "ana@x.test", "timezone": "Europe/London", "rate": 100.0, "labor_cost": 50.0, "active": true})
	putIn(t, w, "toggl", "clients", m{"id": 61, "name": "Acme"})
	putIn(t, w, "toggl", "projects",
		m{"id": 71, "name": "Acme Web", "client_id": 61, "billable": true, "active": true, "currency": "USD", "workspace_id": 9})
	togglEntry := func(id int, start string, hours float64) m {
		return m{"id": id, "user_id": 501, "project_id": 71, "billable": true, "hourly_rate_in_cents": 10000, "currency": "USD",
			"time_entries": []m{{"id": id, "seconds": int(hours * 3600), "start": start, "at": start}}}
	}
	// Ana's 27 May 8 h again (Harvest has it), and 3 h on 30 May only here.
	putIn(t, w, "toggl", "time_entries", togglEntry(801, "2025-05-27T09:00:00+01:00", 8), togglEntry(802, "2025-05-30T13:00:00+01:00", 3))
	opts.Sources = map[string]string{"harvest": "harvest", "toggl": "toggl"}
	build(t, w, opts)

	rows, err := w.DB().Query(`SELECT entry_key, person_key, project_key, counted, coalesce(duplicate_of, '') FROM core.time_entries WHERE source = 'toggl' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var k, person, project, dup string
		var counted bool
		rows.Scan(&k, &person, &project, &counted, &dup)
		got = append(got, fmt.Sprintf("%s %s %s %v %s", k, person, project, counted, dup))
	}
	rows.Close()
	if want := "[toggl:801 harvest:1 harvest:100 false harvest:1 toggl:802 harvest:1 harvest:100 true ]"; fmt.Sprint(got) != want {
		t.Errorf("Toggl's entries:\n %v\nwant\n %v", got, want)
	}
	var harvestH, togglH, value float64
	query(t, w, `SELECT sum(hours) FILTER (WHERE project_key = 'harvest:100')::DOUBLE, coalesce(sum(hours) FILTER (WHERE project_key = 'toggl:71'), 0)::DOUBLE,
		sum(billable_value) FILTER (WHERE project_key = 'harvest:100')::DOUBLE FROM marts.project_financials`, &harvestH, &togglH, &value)
	// Harvest's Acme Web: Ana 8 + 8 + 4, Ben 8 + 6 + 3 (meetings) = 37 h, 34 h billable at 100; with Toggl's 3 h: 40 h, 3,700.
	if harvestH != 40 || togglH != 0 || value != 3700 {
		t.Errorf("Acme Web: Harvest's record %v h (value %v), Toggl's %v h; want 40 h (3700) and 0", harvestH, value, togglH)
	}
	var n int
	var hours float64
	query(t, w, `SELECT count(*), coalesce(sum(hours_at_stake), 0)::DOUBLE FROM marts.gaps WHERE check_id = 'C34'`, &n, &hours)
	if n != 1 || hours != 8 {
		t.Errorf("C34: %d findings for %v h; want Toggl's copy of 8 h", n, hours)
	}
}

// The canonical entries are rebuilt by day: a change in one tool must
// re-decide the copies of the same day in the other, which did not change.
func TestOverlapRebuiltByDay(t *testing.T) {
	w, opts := overlapAgency(t)
	putHistory(t, w)
	build(t, w, opts)
	counted := func(source, id string) bool {
		t.Helper()
		var c bool
		query(t, w, fmt.Sprintf(`SELECT counted FROM core.time_entries WHERE source = '%s' AND source_id = '%s'`, source, id), &c)
		return c
	}
	changedOnly := func(res *Result) bool {
		for _, mr := range res.Models {
			if mr.Name == "core.time_entries" {
				return mr.Status == "built" && mr.Incremental
			}
		}
		return false
	}
	if counted("jira", "1") {
		t.Fatal("Ana's 27 May typed twice counts twice")
	}
	// Jira's copy becomes 7 h: no longer the same hours, both count.
	putIn(t, w, "jira", "worklogs", worklog("1", "acc-ana", "9001", "2025-05-27", 7*3600))
	if !changedOnly(build(t, w, opts)) {
		t.Fatal("a changed worklog rebuilt every day of the entries")
	}
	if !counted("jira", "1") || !counted("harvest", "1") {
		t.Error("after the edit, Jira's 7 h and Harvest's 8 h should both count")
	}
	sameAsForced(t, w, opts, "7 h", "core.time_entries", "marts.entry_values", "marts.person_day", "marts.person_week")
	// And back to 8 h: the copy again.
	putIn(t, w, "jira", "worklogs", worklog("1", "acc-ana", "9001", "2025-05-27", 8*3600))
	if !changedOnly(build(t, w, opts)) {
		t.Fatal("a changed worklog rebuilt every day of the entries")
	}
	if counted("jira", "1") == counted("harvest", "1") {
		t.Error("after the edit back, one copy of the 8 h should count")
	}
	sameAsForced(t, w, opts, "back to 8 h", "core.time_entries", "marts.entry_values", "marts.person_day", "marts.person_week")
}

// A change to one person's day rebuilds that person's day, not everyone's,
// through the canonical person: Ana's Jira worklog changes, and her Harvest
// entry of the same day (the copy) is made again beside it; Cy's and Di's
// worklogs that day are not.
func TestOnePersonsDayRebuiltAlone(t *testing.T) {
	w, opts := overlapAgency(t)
	putIn(t, w, "jira", "users",
		m{"id": "acc-cy", "accountId": "acc-cy", "accountType": "atlassian", "displayName": "Cy C", "emailAddress": "cy@x.test", "active": true},
		m{"id": "acc-di", "accountId": "acc-di", "accountType": "atlassian", "displayName": "Di D", "emailAddress": "di@x.test", "active": true})
	putIn(t, w, "jira", "worklogs", worklog("4", "acc-cy", "9001", "2025-05-27", 3*3600), worklog("5", "acc-di", "9001", "2025-05-27", 5*3600))
	// Cy and Di in Harvest too, working on Ana's day off.
	put(t, w, "users",
		m{"id": 3, "first_name": "Cy", "last_name": "C", "email": "cy@x.test", "weekly_capacity": 144000, "is_active": true, "created_at": "2025-01-01T00:00:00Z"},
		m{"id": 4, "first_name": "Di", "last_name": "D", "email": "di@x.test", "weekly_capacity": 144000, "is_active": true, "created_at": "2025-01-01T00:00:00Z"})
	put(t, w, "time_entries", entry(40, 3, 100, 1, "Design", "2025-05-30", 6, true), entry(41, 4, 100, 1, "Design", "2025-05-30", 5, true))
	build(t, w, opts)
	var ana string
	query(t, w, `SELECT person_key FROM core.time_entries WHERE entry_key = 'harvest:1'`, &ana)

	// Ana's Jira copy becomes 7 h: both her entries count.
	putIn(t, w, "jira", "worklogs", worklog("1", "acc-ana", "9001", "2025-05-27", 7*3600))
	res := build(t, w, opts)
	for _, mr := range res.Models {
		if (mr.Name == "core.time_entries" || mr.Name == "marts.entry_values") && !(mr.Status == "built" && mr.Incremental) {
			t.Errorf("%s was not built from its changes (%s)", mr.Name, mr.Status)
		}
	}
	changes := func(model string) []string { return noted(t, w, model) }
	if got, want := changes("staging.jira_worklogs"), []string{"2025-05-27 jira:acc-ana"}; !slices.Equal(got, want) {
		t.Errorf("the worklogs' staging noted %v, want %v", got, want)
	}
	// Her canonical person's day: both copies changed (the Harvest one
	// counts no longer as the copy's original alone).
	if got, want := changes("core.time_entries"), []string{"2025-05-27 " + ana}; !slices.Equal(got, want) {
		t.Errorf("the entries noted %v, want %v", got, want)
	}
	if c := countingOf(t, w); !c["jira:1"].counted || !c["harvest:1"].counted {
		t.Errorf("after the edit, Jira's 7 h and Harvest's 8 h should both count: %+v", c)
	}
	sameAsForced(t, w, opts, "Ana's 7 h", "core.time_entries", "marts.entry_values", "core.time_off", "core.capacity_day",
		"marts.person_day", "marts.person_week", "marts.day_findings", "marts.entry_month")

	// Back to 8 h, and Cy's day too: two of the three people Jira has
	// that day, so the whole day is made again (cheaper than by person).
	putIn(t, w, "jira", "worklogs", worklog("1", "acc-ana", "9001", "2025-05-27", 8*3600), worklog("4", "acc-cy", "9001", "2025-05-27", 4*3600))
	build(t, w, opts)
	if got, want := changes("core.time_entries"), []string{"2025-05-27 every person"}; !slices.Equal(got, want) {
		t.Errorf("the entries noted %v, want %v", got, want)
	}
	if c := countingOf(t, w); c["jira:1"].counted == c["harvest:1"].counted {
		t.Error("after the edit back, one copy of the 8 h should count")
	}
	sameAsForced(t, w, opts, "back to 8 h", "core.time_entries", "marts.entry_values", "core.time_off", "core.capacity_day",
		"marts.person_day", "marts.person_week", "marts.day_findings", "marts.entry_month")

	// Ana's day by person, but Ben's 29 May whole (he is all Jira has that
	// day): with as many days whole as by person, both are made whole.
	putIn(t, w, "jira", "worklogs", worklog("1", "acc-ana", "9001", "2025-05-27", 7*3600), worklog("3", "acc-ben", "9001", "2025-05-29", 1*3600))
	build(t, w, opts)
	if got, want := changes("staging.jira_worklogs"), []string{"2025-05-27 every person", "2025-05-29 every person"}; !slices.Equal(got, want) {
		t.Errorf("the worklogs' staging noted %v, want %v", got, want)
	}
	sameAsForced(t, w, opts, "a day whole", "core.time_entries", "marts.entry_values", "marts.person_day", "marts.day_findings")

	// Ana's day off becomes half a day: her leave and her capacity that
	// day change, made again for her alone (the calendar too).
	put(t, w, "time_entries", entry(5, 1, 101, 4, "Time Off", "2025-05-30", 4, false))
	build(t, w, opts)
	if got, want := changes("core.capacity_day"), []string{"2025-05-30 " + ana}; !slices.Equal(got, want) {
		t.Errorf("capacity noted %v, want %v", got, want)
	}
	var off float64
	query(t, w, `SELECT time_off_h FROM core.capacity_day WHERE person_key = '`+ana+`' AND date = DATE '2025-05-30'`, &off)
	if off != 4 {
		t.Errorf("Ana's time off on 30 May: %v h, want 4", off)
	}
	sameAsForced(t, w, opts, "half a day off", "core.time_off", "core.capacity_day", "marts.person_day", "marts.person_week", "marts.schedule_day")
}
