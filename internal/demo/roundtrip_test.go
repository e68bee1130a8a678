package demo_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/asana"
	"github.com/conflux-dev/conflux/connectors/asana/asanafake"
	"github.com/conflux-dev/conflux/connectors/clockify"
	"github.com/conflux-dev/conflux/connectors/clockify/clockifyfake"
	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/connectors/jira"
	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
	"github.com/conflux-dev/conflux/connectors/productive"
	"github.com/conflux-dev/conflux/connectors/productive/productivefake"
	"github.com/conflux-dev/conflux/connectors/toggl"
	"github.com/conflux-dev/conflux/connectors/toggl/togglfake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

type stack struct {
	name string
	// sync serves the agency through the tool's fake and syncs it.
	sync func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse)
	// id turns the tool's id of a person or project back into the generator's.
	id       func(sourceID string) int64
	invoices bool // whether the tool holds the invoices
	noMoney  bool // the tool keeps no billable flag or rates (Jira)
}

var stacks = []stack{
	{name: "productive", invoices: true, id: func(s string) int64 {
		id, _ := strconv.ParseInt(s, 10, 64)
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
		fake := productivefake.New(demo.ProductiveToken, demo.ProductiveOrganization)
		fake.PerTenSeconds = 0
		a.LoadProductive(fake)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		conn, err := productive.New(productive.Config{OrganizationID: demo.ProductiveOrganization, Token: demo.ProductiveToken, BaseURL: srv.URL + "/api/v2", Rate: rate.Inf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "productive", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "asana", id: func(s string) int64 {
		id, _ := strconv.ParseInt(s[2:], 10, 64)
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
		fake := asanafake.New(demo.AsanaToken, demo.AsanaWorkspace)
		fake.PerMinute = 0
		a.LoadAsana(fake)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		conn, err := asana.New(asana.Config{WorkspaceID: demo.AsanaWorkspace, Token: demo.AsanaToken, BaseURL: srv.URL + "/api/1.0", Rate: rate.Inf, StartDate: a.Start})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "asana", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "jira", noMoney: true, id: func(s string) int64 {
		id, _ := strconv.ParseInt(s[max(0, len(s)-7):], 10, 64)
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
		fake := jirafake.New(demo.JiraEmail, demo.JiraToken)
		a.LoadJira(fake)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		conn, err := jira.New(jira.Config{BaseURL: srv.URL, Email: demo.JiraEmail, APIToken: demo.JiraToken, Rate: rate.Inf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "jira", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "toggl", id: func(s string) int64 {
		id, _ := strconv.ParseInt(s, 10, 64)
		if id > 50000 && id < 60000 { // a workspace user's id
			id -= 50000
		}
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
		fake := togglfake.New(demo.TogglToken, demo.TogglWorkspaceInfo)
		fake.RateLimit = 0
		a.LoadToggl(fake)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		conn, err := toggl.New(toggl.Config{WorkspaceID: strconv.Itoa(demo.TogglWorkspace), APIToken: demo.TogglToken, BaseURL: srv.URL,
			PageSize: 1000, Rate: rate.Inf, StartDate: a.Start})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "toggl", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "harvest", invoices: true, id: func(s string) int64 {
		var id int64
		fmt.Sscan(s, &id)
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
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
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "harvest", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "clockify", id: func(s string) int64 {
		id, _ := strconv.ParseInt(s[1:], 16, 64)
		return id
	}, sync: func(t *testing.T, a *demo.Agency, wh *warehouse.Warehouse) {
		fake := clockifyfake.New(demo.ClockifyKey, demo.ClockifyWorkspace)
		fake.RateLimit = 0
		a.LoadClockify(fake)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		conn, err := clockify.New(clockify.Config{WorkspaceID: demo.ClockifyWorkspace, APIKey: demo.ClockifyKey, BaseURL: srv.URL + "/api/v1", Rate: rate.Inf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "clockify", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}},
}

// syncedThrough syncs the agency through the named stacks' fakes and
// connectors into a new warehouse in t's temp dir.
func syncedThrough(t *testing.T, a *demo.Agency, names ...string) *warehouse.Warehouse {
	t.Helper()
	wh, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	for _, st := range stacks {
		if slices.Contains(names, st.name) {
			st.sync(t, a, wh)
		}
	}
	return wh
}

// TestRoundTrip drives the generator's truth through each time tool's fake,
// the real connector, the warehouse and the models, and checks the marts
// give the truth back: hours per person-week and money per project.
func TestRoundTrip(t *testing.T) {
	a := demo.Generate(demo.Options{End: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
	for _, st := range stacks {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, a, st)
		})
	}
}

func roundTrip(t *testing.T, a *demo.Agency, st stack) {
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	// Twice in a row: the second, incremental sync must duplicate nothing.
	st.sync(t, a, wh)
	st.sync(t, a, wh)
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{st.name: st.name}, Seeds: demotest.Seeds(a)}); err != nil {
		t.Fatal(err)
	}

	truth := a.PersonWeeks()
	rows, err := wh.DB().Query(`SELECT p.source_id, week_start, worked_h, billable_h, time_off_h FROM marts.person_week JOIN core.people p USING (person_key)`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var sid string
		var week time.Time
		var worked, billable, off float64
		if err := rows.Scan(&sid, &week, &worked, &billable, &off); err != nil {
			t.Fatal(err)
		}
		want := truth[demo.WeekKey{PersonID: st.id(sid), Week: week.UTC()}]
		if st.noMoney {
			want.BillableQ = 0
		}
		if worked*4 != float64(want.WorkedQ) || billable*4 != float64(want.BillableQ) || off*4 != float64(want.TimeOffQ) {
			t.Errorf("person %s week %s: worked %v billable %v off %v, truth %v %v %v", sid, week.Format(time.DateOnly),
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
		var sid string
		var v, inv int64
		if err := prow.Scan(&sid, &v, &inv); err != nil {
			t.Fatal(err)
		}
		id := st.id(sid)
		projects++
		wantInv, wantValue := invoiced[id], value[id]
		if !st.invoices {
			wantInv = 0
		}
		if st.noMoney {
			wantValue = 0
		}
		if v != wantValue || inv != wantInv {
			t.Errorf("project %d: billable value %d invoiced %d cents, truth %d %d", id, v, inv, wantValue, wantInv)
		}
	}
	if projects != len(a.Projects) {
		t.Errorf("projects: %d, truth %d", projects, len(a.Projects))
	}
}
