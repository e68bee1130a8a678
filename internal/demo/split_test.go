package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/models"
	"github.com/conflux-dev/conflux/reports"
)

// The agency of `conflux demo --stack harvest+jira`: developers and QA log
// Jira worklogs, everyone else logs in Harvest, 5% of the worklogs are also
// in Harvest through Harvest for Jira (with a reference) and five are typed
// into Harvest again by hand. Every person-week and every project ties back
// to the generator's truth with each hour counted once, and the five hand
// copies are the C34 findings.
func TestTwoTimeToolsTieToTheTruth(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{People: 10, Clients: 4, Projects: 8, Years: 1, End: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	split := a.SplitHarvestJira(5)
	if len(split.InJira) == 0 || len(split.Mirrored) == 0 || len(split.Doubled) != 5 {
		t.Fatalf("split: %d people in Jira, %d mirrored, %d doubled", len(split.InJira), len(split.Mirrored), len(split.Doubled))
	}
	wh := syncedThrough(t, a, "harvest", "jira")
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", "jira": "jira"}, Seeds: demotest.Seeds(a)}); err != nil {
		t.Fatal(err)
	}
	db := wh.DB()

	// Each source row is kept; the copies in both tools are not counted.
	var harvestRows, jiraRows, referenced, matched int
	db.QueryRow(`SELECT count(*) FILTER (WHERE source = 'harvest'), count(*) FILTER (WHERE source = 'jira'),
		count(*) FILTER (WHERE not_counted = 'referenced' AND source = 'jira'), count(*) FILTER (WHERE not_counted = 'matched' AND source = 'jira')
		FROM core.time_entries`).Scan(&harvestRows, &jiraRows, &referenced, &matched)
	inJira := 0
	for _, e := range a.Entries {
		if split.InJira[e.PersonID] {
			inJira++
		}
	}
	if harvestRows != len(a.Entries)-inJira+len(split.Mirrored)+len(split.Doubled) || jiraRows != inJira ||
		referenced != len(split.Mirrored) || matched != len(split.Doubled) {
		t.Errorf("rows: Harvest %d, Jira %d (%d in Jira); not counted: %d referenced (want %d), %d matched (want %d)",
			harvestRows, jiraRows, inJira, referenced, len(split.Mirrored), matched, len(split.Doubled))
	}

	// Person-weeks, one per canonical person, capacity counted once.
	byEmail := map[string]int64{}
	for _, p := range a.People {
		byEmail[p.Email] = p.ID
	}
	truth := a.PersonWeeks()
	rows, err := db.Query(`SELECT p.email, week_start, worked_h, billable_h, time_off_h, capacity_h FROM marts.person_week JOIN core.people p USING (person_key)`)
	if err != nil {
		t.Fatal(err)
	}
	seen, weeks := 0, map[demo.WeekKey]bool{}
	for rows.Next() {
		var email string
		var week time.Time
		var worked, billable, off, capacity float64
		if err := rows.Scan(&email, &week, &worked, &billable, &off, &capacity); err != nil {
			t.Fatal(err)
		}
		k := demo.WeekKey{PersonID: byEmail[email], Week: week.UTC()}
		if weeks[k] {
			t.Errorf("%s week %s: more than one row", email, week.Format(time.DateOnly))
		}
		weeks[k] = true
		want := truth[k]
		if worked*4 != float64(want.WorkedQ) || billable*4 != float64(want.BillableQ) || off*4 != float64(want.TimeOffQ) || capacity > 40 {
			t.Errorf("%s week %s: worked %v billable %v off %v capacity %v, truth %v %v %v (capacity at most 40)", email, week.Format(time.DateOnly),
				worked, billable, off, capacity, float64(want.WorkedQ)/4, float64(want.BillableQ)/4, float64(want.TimeOffQ)/4)
		}
		if want.WorkedQ+want.TimeOffQ > 0 {
			seen++
		}
	}
	if seen != len(truth) {
		t.Errorf("person-weeks with time: marts %d, truth %d", seen, len(truth))
	}

	// Projects: the Harvest project carries every hour and its value; the
	// Jira project of the same name carries none (its hours are Harvest's).
	value, invoiced := a.BillableValueCents(), a.InvoicedCents()
	prow, err := db.Query(`SELECT f.source, f.source_id, round(f.billable_value * 100)::BIGINT, round(f.invoiced_amount * 100)::BIGINT, f.hours
		FROM marts.project_financials f`)
	if err != nil {
		t.Fatal(err)
	}
	projects := 0
	for prow.Next() {
		var source, sid string
		var v, inv int64
		var hours float64
		if err := prow.Scan(&source, &sid, &v, &inv, &hours); err != nil {
			t.Fatal(err)
		}
		if source == "jira" {
			if v != 0 || hours != 0 {
				t.Errorf("Jira project %s: %v h, value %d cents; its hours belong to the Harvest project", sid, hours, v)
			}
			continue
		}
		var id int64
		fmt.Sscan(sid, &id)
		projects++
		if v != value[id] || inv != invoiced[id] {
			t.Errorf("project %d: billable value %d invoiced %d cents, truth %d %d", id, v, inv, value[id], invoiced[id])
		}
	}
	if projects != len(a.Projects) {
		t.Errorf("Harvest projects: %d, truth %d", projects, len(a.Projects))
	}

	// The hand copies are C34, with the hours and value at stake; nothing
	// else is a finding for being in two tools or unpriced.
	var wantQ, wantCents int64
	for _, e := range a.Entries {
		if split.Doubled[e.ID] {
			wantQ += int64(e.Quarters)
			wantCents += int64(e.Quarters) * int64(e.BillRate) * 25
		}
	}
	var c34 int
	var c34h float64
	var c34v int64
	db.QueryRow(`SELECT count(*), coalesce(sum(hours_at_stake), 0)::DOUBLE, coalesce(round(sum(amount_at_stake) * 100), 0)::BIGINT FROM marts.gaps WHERE check_id = 'C34'`).Scan(&c34, &c34h, &c34v)
	if c34 != len(split.Doubled) || c34h*4 != float64(wantQ) || c34v != wantCents {
		t.Errorf("C34: %d findings, %v h, %d cents; want %d, %v h, %d cents", c34, c34h, c34v, len(split.Doubled), float64(wantQ)/4, wantCents)
	}
	// A project's page lists the copies it does not count, with the copy that counts.
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Entries {
		if !split.Doubled[e.ID] {
			continue
		}
		tbl, err := cat.Run(ctx, wh, "project_uncounted", map[string]string{"project": fmt.Sprintf("harvest:%d", e.ProjectID)})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		reports.Rows(tbl, func(cols []arrow.Array, i int) {
			reason, _, _ := reports.Cell(cols[3], i)
			counted, _, null := reports.Cell(cols[7], i)
			date, _, _ := reports.Cell(cols[0], i)
			if reason == "matched" && !null && strings.Contains(counted, "harvestapp.com") && strings.HasPrefix(date, e.Date.Format(time.DateOnly)) {
				found = true
			}
		})
		tbl.Release()
		if !found {
			t.Errorf("project %d's page does not list the Jira copy of entry %d beside the Harvest copy that counts", e.ProjectID, e.ID)
		}
	}

	var others []string
	grows, err := db.Query(`SELECT check_id || ': ' || detail FROM marts.gaps WHERE check_id IN ('C01', 'C19', 'C24', 'C22') AND status <> 'not_applicable'`)
	if err != nil {
		t.Fatal(err)
	}
	for grows.Next() {
		var s string
		grows.Scan(&s)
		others = append(others, s)
	}
	if len(others) > 0 {
		t.Errorf("findings the split should not raise:\n%v", others)
	}
}
