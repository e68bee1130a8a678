package demo_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/hubspot"
	"github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
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

func money(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

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
		billing := map[int64]string{}
		for _, p := range a.Projects {
			billing[p.ID] = p.Billing
		}
		var want []string
		// C01: three billable T&M entries from March never reached an invoice.
		var c01, c01Cents, c01Quarters, c01Project int64
		for i := range a.Entries {
			e := &a.Entries[i]
			if c01 < 3 && e.Billable && billing[e.ProjectID] == demo.TM && e.Date.Month() == time.March && e.InvoiceID != 0 &&
				(c01Project == 0 || e.ProjectID == c01Project) {
				c01Project, e.InvoiceID = e.ProjectID, 0
				c01++
				c01Quarters += int64(e.Quarters)
				c01Cents += int64(e.Quarters) * int64(e.BillRate) * 25
			}
		}
		want = append(want, fmt.Sprintf("C01 project %s %s", money(c01Cents), money(c01Quarters*25)))
		// C19 and C22: an invoiced T&M entry loses its rate; another is entered twice.
		var unpriced, twice *demo.Entry
		for i := range a.Entries {
			e := &a.Entries[i]
			if e.Billable && billing[e.ProjectID] == demo.TM && e.InvoiceID != 0 && e.Date.Month() == time.February {
				if unpriced == nil {
					unpriced = e
				} else if e.PersonID != unpriced.PersonID && e.Quarters <= 16 { // doubled, still a plausible day
					twice = e
					break
				}
			}
		}
		var defaultRate int
		for _, p := range a.People {
			if p.ID == unpriced.PersonID {
				defaultRate = p.BillRate
			}
		}
		want = append(want, fmt.Sprintf("C19 project %s %s", money(int64(unpriced.Quarters)*int64(defaultRate)*25), money(int64(unpriced.Quarters)*25)))
		unpriced.BillRate = 0
		dup := *twice
		dup.ID = a.Entries[len(a.Entries)-1].ID + 1
		a.Entries = append(a.Entries, dup)
		want = append(want, fmt.Sprintf("C22 time_entry %s %s", money(int64(dup.Quarters)*int64(dup.BillRate)*25), money(int64(dup.Quarters)*25)))
		// C23: 17 hours on the internal project on a Saturday.
		sat := time.Date(2025, 4, 5, 0, 0, 0, 0, time.UTC)
		p0 := a.People[0]
		a.Entries = append(a.Entries, demo.Entry{ID: dup.ID + 1, PersonID: p0.ID, ProjectID: 6998, TaskID: 7, Date: sat, Quarters: 68,
			CostRate: p0.CostRate, Created: sat.Add(18 * time.Hour)})
		want = append(want, fmt.Sprintf("C23 person_day %s 17.00", money(17*int64(p0.CostRate)*100)))
		// C05: two hours on a project after it ended; C20: an internal entry
		// with no cost rate; C25: billable time on an invoice that does not exist.
		var ended demo.Project
		for _, p := range a.Projects {
			if p.Billing == demo.TM && !p.End.IsZero() && p.End.Before(opts.End.AddDate(0, -1, 0)) {
				ended = p
				break
			}
		}
		if ended.ID == 0 {
			t.Fatal("no finished T&M project to log time after")
		}
		after := ended.End.AddDate(0, 0, 3)
		for after.Weekday() == time.Saturday || after.Weekday() == time.Sunday {
			after = after.AddDate(0, 0, 1)
		}
		p1, p2 := a.People[1], a.People[2]
		next := a.Entries[len(a.Entries)-1].ID + 1
		a.Entries = append(a.Entries,
			demo.Entry{ID: next, PersonID: p1.ID, ProjectID: ended.ID, TaskID: 5, Date: after, Quarters: 8, CostRate: p1.CostRate, Created: after.Add(18 * time.Hour)},
			demo.Entry{ID: next + 1, PersonID: p2.ID, ProjectID: 6998, TaskID: 7, Date: sat.AddDate(0, 0, -7), Quarters: 6, Created: sat.Add(-6 * 24 * time.Hour)},
			demo.Entry{ID: next + 2, PersonID: p2.ID, ProjectID: twice.ProjectID, TaskID: twice.TaskID, Date: sat.AddDate(0, 0, -14), Quarters: 12,
				Billable: true, BillRate: p2.BillRate, CostRate: p2.CostRate, InvoiceID: 98765, Created: sat.Add(-13 * 24 * time.Hour)})
		want = append(want,
			fmt.Sprintf("C05 project %s 2.00", money(2*int64(p1.CostRate)*100)),
			fmt.Sprintf("C20 person %s 1.50", money(3*int64(p2.CostRate)*50)),
			fmt.Sprintf("C25 invoice %s 3.00", money(3*int64(p2.BillRate)*100)))
		// C15: a finished fixed fee's deal says 5,000 more than was invoiced.
		for i := range a.Deals {
			d := &a.Deals[i]
			if d.Stage != "Closed won" {
				continue
			}
			for _, p := range a.Projects {
				if p.ID == d.ProjectID && p.Billing == demo.FixedFee && !p.End.IsZero() && p.End.Before(opts.End) && d.AmountCents == int64(p.Fee*100) {
					d.AmountCents += 500_000
					want = append(want, "C15 project 5000.00 -")
					break
				}
			}
			if strings.HasPrefix(want[len(want)-1], "C15") {
				break
			}
		}
		if !strings.HasPrefix(want[len(want)-1], "C15") {
			t.Fatal("no finished fixed fee to plant C15 on")
		}
		// C02: a deal won six weeks ago that no project carries; C30: an open
		// deal that was due to close ten days ago (Proposal, 50%).
		a.Deals = append(a.Deals,
			demo.Deal{ID: 99001, ClientID: a.Clients[0].ID, Name: "Planted won deal", AmountCents: 4_200_000, Stage: "Closed won",
				CloseDate: opts.End.AddDate(0, 0, -42), OwnerID: a.Deals[0].OwnerID},
			demo.Deal{ID: 99002, ClientID: a.Clients[1].ID, Name: "Planted stale deal", AmountCents: 2_000_050, Stage: "Proposal",
				CloseDate: opts.End.AddDate(0, 0, -10), OwnerID: a.Deals[0].OwnerID})
		want = append(want, "C02 deal 42000.00 -", "C30 deal 10000.25 -")
		sort.Strings(want)
		got := gapsOf(t, a)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("gaps found:\n%s\nplanted:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
