package models

import (
	"context"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
)

// BenchmarkBuildDemo is a full build (every model, every test) of the
// default demo agency.
func BenchmarkBuildDemo(b *testing.B) {
	ctx := context.Background()
	a := demo.Generate(demo.Options{End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	f, err := demo.StartFakes(a)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	wh := openWarehouse(b)
	c, _ := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: f.HarvestURL})
	if _, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: c}, nil, nil); err != nil {
		b.Fatal(err)
	}
	opts := Options{Sources: map[string]string{"harvest": "harvest"}, Force: true, Seeds: gbSeeds(b)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(ctx, wh, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(a.Entries)), "entries")
}
