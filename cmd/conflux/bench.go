package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
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
			return nil
		},
	}
	cmd.Flags().IntVar(&entries, "entries", 1_000_000, "approximate number of time entries to generate")
	return cmd
}
