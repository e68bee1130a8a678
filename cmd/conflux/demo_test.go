package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// `make demo` end to end, minus the server: the default stack (Harvest,
// HubSpot, Xero with a grant its fake OAuth server issued) syncs through the
// real connectors and builds, and the ledger's invoiced revenue per client
// and month ties out to the generator's truth to the cent.
func TestDemoDefaultStackTiesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs three fakes")
	}
	dir := t.TempDir()
	code, out, err := run(t, "demo", "--dir", dir, "--people", "8", "--no-serve")
	if code != 0 {
		t.Fatalf("demo: %d %v\n%s", code, err, out)
	}
	if !strings.Contains(out, "harvest,hubspot,xero") {
		t.Errorf("the default stack is not Harvest, HubSpot and Xero:\n%s", out)
	}
	_, byMonth := demo.Generate(demo.Options{People: 8}).LedgerInvoicedCents()
	var truth int64
	for _, v := range byMonth {
		truth += v
	}
	wh, err := warehouse.Open(context.Background(), filepath.Join(dir, "conflux.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	var got, deals int64
	var months int
	if err := wh.DB().QueryRow(`SELECT sum(round(invoiced_amount * 100))::BIGINT, count(*) FILTER (WHERE invoiced_amount <> 0) FROM marts.client_month`).Scan(&got, &months); err != nil {
		t.Fatal(err)
	}
	wh.DB().QueryRow(`SELECT count(*) FROM core.deals WHERE source = 'hubspot'`).Scan(&deals)
	if got != truth || months != len(byMonth) || deals == 0 {
		t.Errorf("invoiced %d cents over %d client-months, truth %d over %d; %d deals", got, months, truth, len(byMonth), deals)
	}
	wh.Close()
	cfg := filepath.Join(dir, "conflux.yaml")
	code, out, err = run(t, "--config", cfg, "gaps", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "check_id,severity,owner,entity,record,amount_at_stake") {
		t.Errorf("gaps --format csv: %d %v\n%s", code, err, out)
	}
	if code, out, err = run(t, "--config", cfg, "gaps"); code != 0 || !strings.Contains(out, "Totals by check") {
		t.Errorf("gaps: %d %v\n%s", code, err, out)
	}
	if code, _, err = run(t, "--config", cfg, "gaps", "--min-amount", "-1"); code != exitUsage || !strings.Contains(err.Error(), "--min-amount") {
		t.Errorf("gaps --min-amount -1: %d %v", code, err)
	}
}
