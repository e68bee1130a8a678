// Package demotest gives tests a warehouse holding a generated agency,
// synced from the Harvest fake through the real connector and built.
package demotest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/holidays"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// Seeds are the model seeds for the agency's holiday calendar.
func Seeds(a *demo.Agency) models.Seeds {
	// ClosedGraceDays as the demo's conflux.yaml: the agency bills a
	// project's final month in the next cycle.
	s := models.Seeds{Currency: a.Currency, Timezone: "Europe/London", AsOf: a.Options.End, ClosedGraceDays: 30}
	for _, d := range holidays.Between(a.Calendar, a.Start.Year(), a.Options.End.Year()) {
		s.Holidays = append(s.Holidays, models.Holiday{Calendar: d.Calendar, Date: d.Date, Name: d.Name, Fraction: 1})
	}
	return s
}

// Synced generates an agency and syncs it into a new warehouse in t's temp dir.
func Synced(t testing.TB, opts demo.Options) (*warehouse.Warehouse, *demo.Agency) {
	t.Helper()
	a := demo.Generate(opts)
	return SyncedAgency(t, a), a
}

// SyncedAgency syncs a into a new warehouse in t's temp dir.
func SyncedAgency(t testing.TB, a *demo.Agency) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	f, err := demo.StartFakes(a)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: f.HarvestURL})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: c}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return wh
}

// Built is Synced followed by a full build.
func Built(t testing.TB, opts demo.Options) (*warehouse.Warehouse, *demo.Agency) {
	t.Helper()
	wh, a := Synced(t, opts)
	build(t, wh, a)
	return wh, a
}

// BuiltWithGaps is Built for an agency with the demo's gaps planted (no ledger).
func BuiltWithGaps(t testing.TB, opts demo.Options) (*warehouse.Warehouse, *demo.Agency) {
	t.Helper()
	a := demo.Generate(opts)
	a.PlantGaps(false)
	wh := SyncedAgency(t, a)
	build(t, wh, a)
	return wh, a
}

func build(t testing.TB, wh *warehouse.Warehouse, a *demo.Agency) {
	t.Helper()
	if _, err := models.Build(context.Background(), wh, models.Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: Seeds(a)}); err != nil {
		t.Fatal(err)
	}
}

// BuiltAgency syncs and builds an agency a test has changed, say with
// hostile names planted in it.
func BuiltAgency(t testing.TB, a *demo.Agency) *warehouse.Warehouse {
	t.Helper()
	wh := SyncedAgency(t, a)
	build(t, wh, a)
	return wh
}
