package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/models"
)

// BenchmarkBuildDemo is a full build (every model, every test) of the
// default demo agency.
func BenchmarkBuildDemo(b *testing.B) {
	wh, a := demotest.Synced(b, demo.Options{End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	opts := models.Options{Sources: map[string]string{"harvest": "harvest"}, Force: true, Seeds: demotest.Seeds(a)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := models.Build(context.Background(), wh, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(a.Entries)), "entries")
}
