package demo_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"fmt"
	"github.com/conflux-dev/conflux/connectors/hubspot"
	"github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
	"github.com/conflux-dev/conflux/connectors/jira"
	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// gapsOf syncs an agency through the Harvest and HubSpot fakes, builds, and
// returns marts.gaps' open findings as "check entity amount hours" lines.
func gapsOf(t *testing.T, a *demo.Agency) []string {
	t.Helper()
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "g.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for _, st := range stacks {
		if st.name == "harvest" {
			st.sync(t, a, wh)
		}
	}
	fake := hubspotfake.New(func(tok string) bool { return tok == demo.HubSpotToken })
	fake.PerTenSeconds, fake.SearchPerSecond = 0, 0
	a.LoadHubSpot(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	conn, _ := hubspot.New(hubspot.Config{Token: demo.HubSpotToken, BaseURL: srv.URL, Rate: rate.Inf})
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "hubspot", Connector: conn}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", "hubspot": "hubspot"}, Seeds: demotest.Seeds(a)}); err != nil {
		t.Fatal(err)
	}
	rows, err := wh.DB().Query(`SELECT check_id, entity, coalesce(amount_at_stake::VARCHAR, '-'), coalesce(hours_at_stake::VARCHAR, '-')
		FROM marts.gaps WHERE status = 'open'`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var id, entity, amount, hours string
		rows.Scan(&id, &entity, &amount, &hours)
		out = append(out, strings.Join([]string{id, entity, amount, hours}, " "))
	}
	sort.Strings(out)
	return out
}

// A clean generated agency has no gaps; gaps planted across Harvest and
// HubSpot are each found once, with the amount and hours at stake
// computed here by hand, and nothing else is.
func TestGapsPlantedAndNoFalsePositives(t *testing.T) {
	opts := demo.Options{People: 8, Clients: 5, Projects: 16, Years: 1, End: time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)}
	t.Run("clean", func(t *testing.T) {
		t.Parallel()
		if got := gapsOf(t, demo.Generate(opts)); len(got) != 0 {
			t.Errorf("a clean agency shows gaps:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("planted", func(t *testing.T) {
		t.Parallel()
		a := demo.Generate(opts)
		var want []string
		for _, p := range a.PlantGaps(false) {
			want = append(want, p.String())
		}
		if len(want) != 17 {
			t.Fatalf("planted %d gaps, want one of each of the 16 kinds (C01 twice): %v", len(want), want)
		}
		sort.Strings(want)
		got := gapsOf(t, a)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("gaps found:\n%s\nplanted:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// With Jira as the project tool beside Harvest, Harvest's projects match
// Jira's by name; time on the one project Jira does not have is C04, at its
// cost plus its billable value. Accepting the pair in mappings.yaml ends it.
func TestTimeOnAProjectTheProjectToolLacks(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{People: 6, Clients: 4, Projects: 6, Years: 1, End: time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)})
	wh := syncedThrough(t, a, "harvest")
	// Jira knows the first client project under another name.
	lost := a.Projects[0]
	a.Projects[0].Name = "Skunkworks"
	fake := jirafake.New(demo.JiraEmail, demo.JiraToken)
	a.LoadJira(fake)
	a.Projects[0].Name = lost.Name
	srv := httptest.NewServer(fake)
	defer srv.Close()
	conn, _ := jira.New(jira.Config{BaseURL: srv.URL, Email: demo.JiraEmail, APIToken: demo.JiraToken, Rate: rate.Inf})
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "jira", Connector: conn, Streams: []string{"projects", "users"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	var cents, quarters int64
	for _, e := range a.Entries {
		if e.ProjectID == lost.ID {
			quarters += int64(e.Quarters)
			cents += int64(e.Quarters) * int64(e.CostRate) * 25
			if e.Billable {
				cents += int64(e.Quarters) * int64(e.BillRate) * 25
			}
		}
	}
	want := fmt.Sprintf("[C04 project %d.%02d %d.%02d]", cents/100, cents%100, quarters/4, quarters%4*25)
	build := func(m []models.Mapping) string {
		s := demotest.Seeds(a)
		s.Mappings = m
		if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", "jira": "jira"}, Seeds: s}); err != nil {
			t.Fatal(err)
		}
		rows, err := wh.DB().Query(`SELECT check_id || ' ' || entity || ' ' || amount_at_stake::VARCHAR || ' ' || hours_at_stake::VARCHAR FROM marts.gaps WHERE check_id = 'C04'`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		return fmt.Sprint(got)
	}
	if got := build(nil); got != want {
		t.Errorf("C04 findings %s, want %s", got, want)
	}
	// Every Harvest person is the same person in Jira (by email, or by name
	// where Jira hides the address).
	var unmatched, people int
	wh.DB().QueryRow(`SELECT count(*) FILTER (WHERE method = 'unmatched'), count(*) FROM core.xref WHERE entity = 'people' AND source = 'harvest'`).Scan(&unmatched, &people)
	if people != len(a.People) || unmatched != 0 {
		t.Errorf("%d of %d Harvest people unmatched in Jira", unmatched, people)
	}
	var jiraKey string
	wh.DB().QueryRow(`SELECT project_key FROM core.projects WHERE source = 'jira' AND name = 'Skunkworks'`).Scan(&jiraKey)
	if got := build([]models.Mapping{{Entity: "projects", A: fmt.Sprintf("harvest:%d", lost.ID), B: jiraKey, Same: true}}); got != "[]" {
		t.Errorf("after mapping the pair: C04 findings %s", got)
	}
}

// Jira holding a copy of every Harvest hour (worklogs typed twice, with no
// reference between them): each hour counts once — every person-week and
// project carries the same hours and billable value as with Harvest alone,
// Jira's people and projects fold into Harvest's, and each copy is one C34.
func TestEveryHourInTwoToolsCountsOnce(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{People: 6, Clients: 4, Projects: 6, Years: 1, End: time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)})
	wh := syncedThrough(t, a, "harvest", "jira")
	figures := func(sources map[string]string) (weeks, projects string) {
		if _, err := models.Build(ctx, wh, models.Options{Sources: sources, Seeds: demotest.Seeds(a), Force: true}); err != nil {
			t.Fatal(err)
		}
		wh.DB().QueryRow(`SELECT count(*) || ' rows ' || sum(worked_h) || ' h ' || sum(billable_h) || ' billable h ' || sum(capacity_h) || ' capacity h'
			FROM marts.person_week WHERE worked_h > 0 OR capacity_h > 0`).Scan(&weeks)
		wh.DB().QueryRow(`SELECT count(*) || ' projects ' || sum(hours) || ' h ' || sum(billable_value)
			FROM marts.project_financials WHERE hours > 0`).Scan(&projects)
		return weeks, projects
	}
	wantWeeks, wantProjects := figures(map[string]string{"harvest": "harvest"})
	gotWeeks, gotProjects := figures(map[string]string{"harvest": "harvest", "jira": "jira"})
	if gotWeeks != wantWeeks || gotProjects != wantProjects {
		t.Errorf("with Jira beside Harvest:\n person-weeks %s\n projects %s\nwith Harvest alone:\n person-weeks %s\n projects %s",
			gotWeeks, gotProjects, wantWeeks, wantProjects)
	}
	t.Logf("person-weeks %s; projects %s", gotWeeks, gotProjects)
	var copies, c34 int
	var c34h float64
	wh.DB().QueryRow(`SELECT count(*) FROM core.time_entries WHERE source = 'jira' AND NOT counted AND not_counted = 'matched'`).Scan(&copies)
	wh.DB().QueryRow(`SELECT count(*), sum(hours_at_stake)::DOUBLE FROM marts.gaps WHERE check_id = 'C34'`).Scan(&c34, &c34h)
	var quarters int64
	for _, e := range a.Entries {
		quarters += int64(e.Quarters)
	}
	if copies != len(a.Entries) || c34 != copies || c34h != float64(quarters)/4 {
		t.Errorf("%d of %d Jira copies not counted, %d C34 findings for %.2f h (want %.2f h)", copies, len(a.Entries), c34, c34h, float64(quarters)/4)
	}
}
