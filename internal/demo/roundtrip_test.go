package demo_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/holidays"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// TestRoundTrip drives the generator's truth through the Harvest fake, the
// real connector, the warehouse and the models, and checks the marts give
// the truth back: hours per person-week and money per project.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{End: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
	fake := harvestfake.New(demo.HarvestToken, demo.HarvestAccount)
	if err := a.LoadHarvest(fake); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	conn, err := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: srv.URL + "/v2"})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: conn}, nil, nil); err != nil {
		t.Fatal(err)
	}
	var seeds models.Seeds
	for _, d := range holidays.Between(a.Calendar, a.Start.Year(), a.Options.End.Year()) {
		seeds.Holidays = append(seeds.Holidays, models.Holiday{Calendar: d.Calendar, Date: d.Date, Name: d.Name, Fraction: 1})
	}
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: seeds}); err != nil {
		t.Fatal(err)
	}

	truth := a.PersonWeeks()
	rows, err := wh.DB().Query(`SELECT person_key, week_start, worked_h, billable_h, time_off_h FROM marts.person_week`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var key string
		var week time.Time
		var worked, billable, off float64
		if err := rows.Scan(&key, &week, &worked, &billable, &off); err != nil {
			t.Fatal(err)
		}
		var id int64
		if _, err := fmtSscan(key, &id); err != nil {
			t.Fatal(err)
		}
		want := truth[demo.WeekKey{PersonID: id, Week: week.UTC()}]
		if worked*4 != float64(want.WorkedQ) || billable*4 != float64(want.BillableQ) || off*4 != float64(want.TimeOffQ) {
			t.Errorf("%s week %s: worked %v billable %v off %v, truth %v %v %v", key, week.Format(time.DateOnly),
				worked, billable, off, float64(want.WorkedQ)/4, float64(want.BillableQ)/4, float64(want.TimeOffQ)/4)
		}
		if want.WorkedQ+want.TimeOffQ > 0 {
			seen++
		}
	}
	if seen != len(truth) {
		t.Errorf("person-weeks with time: marts %d, truth %d", seen, len(truth))
	}

	value, invoiced := a.BillableValueCents(), a.InvoicedCents()
	prow, err := wh.DB().Query(`SELECT source_id, round(billable_value * 100)::BIGINT, round(invoiced_amount * 100)::BIGINT FROM marts.project_financials`)
	if err != nil {
		t.Fatal(err)
	}
	projects := 0
	for prow.Next() {
		var id, v, inv int64
		if err := prow.Scan(&id, &v, &inv); err != nil {
			t.Fatal(err)
		}
		projects++
		if v != value[id] || inv != invoiced[id] {
			t.Errorf("project %d: billable value %d invoiced %d cents, truth %d %d", id, v, inv, value[id], invoiced[id])
		}
	}
	if projects != len(a.Projects) {
		t.Errorf("projects: %d, truth %d", projects, len(a.Projects))
	}
}
