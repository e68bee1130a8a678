package demo_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/xero"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// With Xero configured beside Harvest, Xero is the ledger: invoiced amounts
// per project come from its invoices (linked to projects by the lines'
// tracking option, the project code), and Harvest's own invoices are not
// counted a second time.
func TestXeroIsTheLedger(t *testing.T) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{People: 12, Clients: 6, Projects: 12, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "l.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for _, st := range stacks {
		if st.name == "harvest" { // time, and Harvest's own invoices
			st.sync(t, a, wh)
		}
	}
	fake := xerofake.New(demo.XeroTenant, a.Name, func(tok string) bool { return tok == demo.XeroToken })
	fake.PerMinute = 0
	a.LoadXero(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	conn, err := xero.New(xero.Config{TenantID: demo.XeroTenant, BaseURL: srv.URL + "/api.xro/2.0",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: demo.XeroToken}), Rate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "xero", Connector: conn}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Build(ctx, wh, models.Options{Sources: map[string]string{"harvest": "harvest", "xero": "xero"}, Seeds: demotest.Seeds(a)}); err != nil {
		t.Fatal(err)
	}
	invoiced := a.InvoicedCents()
	rows, err := wh.DB().Query(`SELECT source_id, round(invoiced_amount * 100)::BIGINT FROM marts.project_financials`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var sid string
		var got int64
		rows.Scan(&sid, &got)
		id, _ := strconv.ParseInt(sid, 10, 64)
		if got != invoiced[id] {
			t.Errorf("project %d: invoiced %d cents, truth %d", id, got, invoiced[id])
		}
		n++
	}
	if n != len(a.Projects) {
		t.Errorf("%d projects", n)
	}
	var ledger, billing int
	wh.DB().QueryRow(`SELECT count(*) FILTER (WHERE is_ledger), count(*) FILTER (WHERE NOT is_ledger) FROM core.invoice_lines`).Scan(&ledger, &billing)
	if ledger == 0 || billing == 0 {
		t.Errorf("ledger lines %d (Xero), billing-record lines %d (Harvest): both must be there, only Xero's counted", ledger, billing)
	}
}
