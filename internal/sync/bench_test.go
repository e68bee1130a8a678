package sync_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
)

// BenchmarkSyncTimeEntries is records/s from harvestfake over loopback HTTP
// into raw.harvest__time_entries, through the real connector.
func BenchmarkSyncTimeEntries(b *testing.B) {
	a := demo.Generate(demo.Options{People: 30, Years: 2, EntriesPerDay: 6, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	fake := harvestfake.New(demo.HarvestToken, demo.HarvestAccount)
	fake.RateLimit = 0
	a.LoadHarvest(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	records := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		wh := openWH(b, filepath.Join(b.TempDir(), "b.duckdb"))
		c, _ := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: srv.URL + "/v2", Rate: rate.Inf})
		b.StartTimer()
		res, err := sync.Run(context.Background(), wh, sync.Source{Name: "harvest", Connector: c, Streams: []string{"time_entries"}}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		records += int(res[0].Records)
		b.StopTimer()
		wh.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
