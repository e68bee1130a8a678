package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	gosync "sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
	"github.com/conflux-dev/conflux/reports"
)

func newBenchCmd(g *globals) *cobra.Command {
	var entries int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure sync throughput and model build time on a generated agency",
		Long: `Bench generates an agency with about --entries time entries, serves it from
the Harvest fake on loopback, syncs it through the real connector into a
temporary warehouse (records per second into raw tables), then builds every
model from scratch and again with nothing changed. The vendor's rate limit is
lifted on both sides: this measures Conflux, not Harvest's quota.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			// About 1,970 entries per person over two years at up to 8 a day.
			people := max(1, entries/1970)
			t0 := time.Now()
			a := demo.Generate(demo.Options{People: people, Clients: max(25, people/8), Projects: max(60, people), EntriesPerDay: 8})
			fakes, err := demo.StartFakes(a)
			if err != nil {
				return err
			}
			defer fakes.Close()
			fakes.Harvest.RateLimit = 0
			fmt.Fprintf(out, "generated %d time entries, %d people, %d projects in %s (%s, %d CPUs)\n",
				len(a.Entries), len(a.People), len(a.Projects), time.Since(t0).Round(time.Millisecond), runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU())

			dir, err := os.MkdirTemp("", "conflux-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			wh, err := warehouse.Open(ctx, filepath.Join(dir, "bench.duckdb"))
			if err != nil {
				return err
			}
			defer wh.Close()
			conn, err := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: fakes.HarvestURL, Rate: rate.Inf})
			if err != nil {
				return err
			}
			t1 := time.Now()
			results, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: conn}, nil, g.logger())
			if err != nil {
				return err
			}
			syncTime := time.Since(t1)
			var total int64
			for _, r := range results {
				total += r.Records
				if r.Stream == "time_entries" {
					fmt.Fprintf(out, "sync time_entries: %d records, %d pages in %s = %.0f records/s\n", r.Records, r.Pages, r.Duration.Round(time.Millisecond), float64(r.Records)/r.Duration.Seconds())
				}
			}
			fmt.Fprintf(out, "sync all streams: %d records in %s = %.0f records/s\n", total, syncTime.Round(time.Millisecond), float64(total)/syncTime.Seconds())

			opts := models.Options{Sources: map[string]string{"harvest": "harvest"}, Force: true}
			t2 := time.Now()
			if _, err := models.Build(ctx, wh, opts); err != nil {
				return err
			}
			full := time.Since(t2)
			opts.Force = false
			t3 := time.Now()
			if _, err := models.Build(context.Background(), wh, opts); err != nil {
				return err
			}
			fmt.Fprintf(out, "build all models: %s from scratch, %s with nothing changed\n", full.Round(time.Millisecond), time.Since(t3).Round(time.Millisecond))
			var weeks, projects int
			wh.DB().QueryRow(`SELECT (SELECT count(*) FROM marts.person_week), (SELECT count(*) FROM marts.project_financials)`).Scan(&weeks, &projects)
			fmt.Fprintf(out, "marts: %d person-weeks, %d projects\n", weeks, projects)
			return benchDashboards(ctx, wh, out)
		},
	}
	cmd.Flags().IntVar(&entries, "entries", 1_000_000, "approximate number of time entries to generate")
	return cmd
}

// benchDashboards serves the warehouse in-process and times the
// dashboards with 8 clients: cold (every client's first view right after
// the data changed, so the reports run) and warm (the same views again,
// from the kept results), as the latency of each page.
func benchDashboards(ctx context.Context, wh *warehouse.Warehouse, out io.Writer) error {
	cat, err := reports.Load()
	if err != nil {
		return err
	}
	s, err := dashboards.New(dashboards.Options{Warehouse: wh, Reports: cat})
	if err != nil {
		return err
	}
	// The same pages from a server that keeps nothing: what every view
	// cost before results were kept.
	uncached, err := dashboards.New(dashboards.Options{Warehouse: wh, Reports: cat, CacheBytes: -1})
	if err != nil {
		return err
	}
	var target gosync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _ := target.Load("h")
		h.(http.Handler).ServeHTTP(w, r)
	}))
	defer srv.Close()
	target.Store("h", uncached)
	const clients = 8
	var pages []string
	for _, d := range dashboards.All() {
		if !d.Drill {
			pages = append(pages, d.Path)
		}
	}
	pages = append(pages, "/entries")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	get := func(path string) (time.Duration, int, error) {
		t := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("bench: GET %s: %s", path, resp.Status)
		}
		return time.Since(t), int(n), nil
	}
	// round has every client view every page once (each from another
	// page on), and gives each view's latency.
	round := func() ([]time.Duration, error) {
		var mu gosync.Mutex
		var lat []time.Duration
		var firstErr error
		var wg gosync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := range pages {
					d, _, err := get(pages[(c+i)%len(pages)])
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					lat = append(lat, d)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return lat, firstErr
	}
	var none, cold, warm []time.Duration
	for range 2 {
		l, err := round()
		if err != nil {
			return err
		}
		none = append(none, l...)
	}
	target.Store("h", s)
	for range 3 {
		s.DataChanged()
		l, err := round()
		if err != nil {
			return err
		}
		cold = append(cold, l...)
		for range 3 {
			l, err := round()
			if err != nil {
				return err
			}
			warm = append(warm, l...)
		}
	}
	_, size, err := get("/entries")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "dashboards (%d pages, %d clients): nothing kept p50 %s p95 %s; cold p50 %s p95 %s; warm p50 %s p95 %s; /entries %d KB compressed\n",
		len(pages), clients, percentile(none, 50), percentile(none, 95), percentile(cold, 50), percentile(cold, 95),
		percentile(warm, 50), percentile(warm, 95), size/1024)
	return nil
}

// percentile is the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := (len(s)*p + 99) / 100
	return s[max(0, i-1)].Round(100 * time.Microsecond)
}
