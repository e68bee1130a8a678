package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	gosync "sync"
	"text/tabwriter"
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
temporary warehouse from a process of its own (records per second into raw
tables, and that process's peak resident set). Each other time tool
(Toggl, Clockify, Jira worklogs, Productive, Asana) serves the same
agency's time from its fake, and is synced the same way, alone. Each sync
is set beside DuckDB's read_json_objects over the same records. It then builds every
model from scratch and again with nothing changed. The vendors' rate limits
are lifted on both sides: this measures Conflux, not a vendor's quota. It then
edits 1% of the entries upstream, twice, and times each incremental sync and
build: first the latest entries (people correcting their last days), then one
in a hundred over all the history. Each incremental sync ends, as conflux
sync does when it exits, by writing its changes into the file (a DuckDB
checkpoint), and its time includes that. Then it times the dashboards with 8
clients: from a server that keeps nothing, on the first views after the data
changed (cold), warm, and after a refresh that prepared them. The last lines
are one table of the figures, then one of every time tool's first sync.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			if childSync != "" {
				return runSyncChild(ctx, childSync, g)
			}
			// About 1,970 entries per person over two years at up to 8 a day.
			people := max(1, entries/1970)
			t0 := time.Now()
			a := demo.Generate(demo.Options{People: people, Clients: max(25, people/8), Projects: max(60, people), EntriesPerDay: 8})
			fakes, err := demo.StartFakes(a, demo.Unlimited)
			if err != nil {
				return err
			}
			defer func() {
				if fakes != nil {
					fakes.Close()
				}
			}()
			fmt.Fprintf(out, "generated %d time entries, %d people, %d projects in %s (%s, %d CPUs)\n",
				len(a.Entries), len(a.People), len(a.Projects), time.Since(t0).Round(time.Millisecond), runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU())

			dir, err := os.MkdirTemp("", "conflux-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			// The first sync runs in a process of its own, so its peak
			// resident set is the sync's, not the generator's and the
			// fakes'.
			var fig benchFigures
			dbPath := filepath.Join(dir, "bench.duckdb")
			harvestSync, err := syncInChild(ctx, childSpec{tool: "harvest", db: dbPath, url: fakes.HarvestURL, start: a.Start})
			if err != nil {
				return err
			}
			wh, err := warehouse.Open(ctx, dbPath)
			if err != nil {
				return err
			}
			defer wh.Close()
			conn, err := benchHarvest(fakes.HarvestURL)
			if err != nil {
				return err
			}
			jsonRate, err := readJSONObjectsRate(ctx, wh, dir, "harvest__time_entries")
			if err != nil {
				return err
			}
			fig.tools = append(fig.tools, toolSync{tool: "harvest", stream: "time_entries", child: harvestSync, jsonRate: jsonRate})

			opts := models.Options{Sources: map[string]string{"harvest": "harvest"}, Force: true}
			t2 := time.Now()
			if _, err := models.Build(ctx, wh, opts); err != nil {
				return err
			}
			fig.fullBuild = time.Since(t2)
			opts.Force = false
			t3 := time.Now()
			if _, err := models.Build(ctx, wh, opts); err != nil {
				return err
			}
			fig.noChangeBuild = time.Since(t3)

			// 1% of the entries edited upstream, then an incremental sync
			// and a build: first the latest (people correcting their last
			// days), then 1% spread over all the history.
			for _, edit := range []struct{ label, which string }{
				{"the latest", latestEntries},
				{"spread over the history", spreadEntries},
			} {
				changed, err := touchEntries(ctx, wh, fakes, edit.which)
				if err != nil {
					return err
				}
				run := changeRun{label: edit.label, changed: changed}
				t4 := time.Now()
				if _, err := sync.Run(ctx, wh, sync.Source{Name: "harvest", Connector: conn, Streams: []string{"time_entries"}}, nil, g.logger()); err != nil {
					return err
				}
				// conflux sync writes what it changed into the file as it
				// exits (DuckDB's checkpoint on close), so does this sync:
				// records updated in place rewrite their row groups there,
				// not in some model of the build after.
				if _, err := wh.DB().ExecContext(ctx, "CHECKPOINT"); err != nil {
					return err
				}
				run.sync = time.Since(t4)
				t5 := time.Now()
				res, err := models.Build(ctx, wh, opts)
				if err != nil {
					return err
				}
				run.build = time.Since(t5)
				run.slowest = slowestModels(res, 4)
				fig.changes = append(fig.changes, run)
			}
			// Every other time tool's first sync of its time, from the
			// same agency, each in a process of its own: after Harvest's
			// builds, which it would otherwise share the machine with.
			others, err := benchTimeTools(ctx, fakes, a, dir)
			if err != nil {
				return err
			}
			fig.tools = append(fig.tools, others...)
			// The dashboards are served as by conflux serve: without the
			// generator's agency and the fakes in the same heap.
			fakes.Close()
			fakes, a = nil, nil
			runtime.GC()
			debug.FreeOSMemory()
			if err := benchDashboards(ctx, wh, &fig); err != nil {
				return err
			}
			fig.write(out)
			return nil
		},
	}
	cmd.Flags().IntVar(&entries, "entries", 1_000_000, "approximate number of time entries to generate")
	// A first sync's own process (see syncInChild).
	cmd.Flags().StringVar(&childSync, "sync-child", "", "")
	cmd.Flags().MarkHidden("sync-child")
	return cmd
}

// childSync is set in the process syncInChild starts (see childSpec).
var childSync string

// benchHarvest is the Harvest connector on the fake, its rate limit lifted.
func benchHarvest(url string) (*harvest.Connector, error) {
	return harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: url, Rate: rate.Inf})
}

// peakRSSMB is this process's peak resident set in MB (Linux's VmHWM, of
// this program only: getrusage would count the parent's pages the child
// had before it ran this program); 0 where /proc is not there.
func peakRSSMB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}

// benchDashboards serves the warehouse in-process and times the
// dashboards with 8 clients: cold (every client's first view right after
// the data changed, so the reports run) and warm (the same views again,
// from the kept results), as the latency of each page.
func benchDashboards(ctx context.Context, wh *warehouse.Warehouse, fig *benchFigures) error {
	cat, err := reports.Load()
	if err != nil {
		return err
	}
	// Its refresh writes nothing: the bench times what a refresh does for
	// the readers after it (the dashboards prepared).
	s, err := dashboards.New(dashboards.Options{Warehouse: wh, Reports: cat,
		Refresh: func(context.Context, dashboards.RefreshRequest) dashboards.RefreshResult {
			return dashboards.RefreshResult{}
		}})
	if err != nil {
		return err
	}
	// The same pages from a server that keeps nothing: what every view
	// cost before results were kept.
	uncached, err := dashboards.New(dashboards.Options{Warehouse: wh, Reports: cat, CacheBytes: -1})
	if err != nil {
		return err
	}
	srvNone, srv := httptest.NewServer(uncached), httptest.NewServer(s)
	defer srvNone.Close()
	defer srv.Close()
	const clients = 8
	var pages []string
	for _, d := range dashboards.All() {
		if !d.Drill {
			pages = append(pages, d.Path)
		}
	}
	pages = append(pages, "/entries")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	get := func(base, path string) (time.Duration, int, error) {
		t := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
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
	round := func(base string) ([]time.Duration, error) {
		var mu gosync.Mutex
		var lat []time.Duration
		var firstErr error
		var wg gosync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := range pages {
					d, _, err := get(base, pages[(c+i)%len(pages)])
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
		l, err := round(srvNone.URL)
		if err != nil {
			return err
		}
		none = append(none, l...)
	}
	for range 3 {
		s.DataChanged()
		l, err := round(srv.URL)
		if err != nil {
			return err
		}
		cold = append(cold, l...)
		for range 3 {
			l, err := round(srv.URL)
			if err != nil {
				return err
			}
			warm = append(warm, l...)
		}
	}
	var prepared []time.Duration
	for range 3 {
		t := time.Now()
		s.Refresh(ctx, dashboards.RefreshRequest{})
		fig.prepare += time.Since(t) / 3
		l, err := round(srv.URL)
		if err != nil {
			return err
		}
		prepared = append(prepared, l...)
	}
	_, size, err := get(srv.URL, "/entries")
	if err != nil {
		return err
	}
	fig.pages, fig.clients, fig.entriesKB = len(pages), clients, size/1024
	fig.none, fig.cold, fig.warm, fig.prepared = none, cold, warm, prepared
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

// changeRun is the sync and build after one edit of 1% of the entries.
type changeRun struct {
	label       string
	changed     int
	sync, build time.Duration
	slowest     string
}

// benchFigures are what one bench run measured.
type benchFigures struct {
	fullBuild, noChangeBuild   time.Duration
	changes                    []changeRun
	pages, clients, entriesKB  int
	none, cold, warm, prepared []time.Duration
	prepare                    time.Duration // a refresh's preparing of the dashboards
	tools                      []toolSync    // every time tool's first sync, Harvest's first
}

func (f *benchFigures) write(out io.Writer) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\t")
	h := f.tools[0] // Harvest's, whose warehouse the builds read
	fmt.Fprintf(tw, "sync time_entries\t%.0f records/s (%d records)\t\n", h.child.rate(), h.child.Records)
	fmt.Fprintf(tw, "DuckDB read_json_objects, same records\t%.0f records/s (sync at %.0f%% of it)\t\n", h.jsonRate, 100*h.child.rate()/h.jsonRate)
	peak := "not measured (needs Linux /proc)"
	if h.child.PeakMB > 0 {
		peak = fmt.Sprintf("%d MB (the sync's own process)", h.child.PeakMB)
	}
	fmt.Fprintf(tw, "peak RSS during the sync\t%s\t\n", peak)
	fmt.Fprintf(tw, "build from scratch\t%s\t\n", f.fullBuild.Round(time.Millisecond))
	fmt.Fprintf(tw, "build with nothing changed\t%s\t\n", f.noChangeBuild.Round(time.Millisecond))
	for _, c := range f.changes {
		fmt.Fprintf(tw, "sync after 1%% edited, %s (%d entries)\t%s\t\n", c.label, c.changed, c.sync.Round(time.Millisecond))
		fmt.Fprintf(tw, "build after 1%% edited, %s\t%s (%.0f%% of from scratch)\t\n", c.label, c.build.Round(time.Millisecond), 100*c.build.Seconds()/f.fullBuild.Seconds())
		fmt.Fprintf(tw, "  its slowest models\t%s\t\n", c.slowest)
	}
	for _, d := range []struct {
		name string
		lat  []time.Duration
	}{{"nothing kept", f.none}, {"cold", f.cold}, {"warm", f.warm}, {"after a refresh", f.prepared}} {
		fmt.Fprintf(tw, "dashboards %s, %d clients, p50 / p95\t%s / %s\t\n", d.name, f.clients, percentile(d.lat, 50), percentile(d.lat, 95))
	}
	fmt.Fprintf(tw, "a refresh preparing the dashboards\t%s\t\n", f.prepare.Round(time.Millisecond))
	fmt.Fprintf(tw, "/entries (500 rows), compressed\t%d KB\t\n", f.entriesKB)
	tw.Flush()
	writeTools(out, f.tools)
}

// readJSONObjectsRate is how fast DuckDB itself reads the payloads of a
// raw table (a time tool's synced entries) from a JSON-lines file into a
// table, at best of three: the ceiling the sync is compared with.
func readJSONObjectsRate(ctx context.Context, wh *warehouse.Warehouse, dir, table string) (float64, error) {
	path := filepath.Join(dir, table+".ndjson")
	defer os.Remove(path)
	db := wh.DB()
	if _, err := db.ExecContext(ctx, `COPY (SELECT payload FROM raw."`+table+`") TO '`+path+`' (FORMAT json)`); err != nil {
		return 0, fmt.Errorf("bench: write the payloads: %w", err)
	}
	// The fastest of three reads: a single read, of under a second, gave
	// 1.07–1.32M records/s for Harvest's 756k entries where the fastest
	// of three gave 2.13M.
	var best float64
	for range 3 {
		t := time.Now()
		var n int64
		if _, err := db.ExecContext(ctx, `CREATE TEMP TABLE bench_json AS SELECT json FROM read_json_objects('`+path+`')`); err != nil {
			return 0, fmt.Errorf("bench: read_json_objects: %w", err)
		}
		elapsed := time.Since(t)
		db.QueryRowContext(ctx, `SELECT count(*) FROM bench_json`).Scan(&n)
		db.ExecContext(ctx, `DROP TABLE bench_json`)
		best = max(best, float64(n)/elapsed.Seconds())
	}
	return best, nil
}

// The entries an edit of 1% reaches: the latest by day, or one in a
// hundred of all.
const (
	latestEntries = `ORDER BY payload->>'spent_date' DESC, id LIMIT (SELECT count(*) // 100 FROM raw.harvest__time_entries WHERE deleted_at IS NULL)`
	spreadEntries = `AND hash(id) % 100 = 0`
)

// touchEntries edits the entries which selects (a quarter hour more,
// updated now) in the Harvest fake, as people editing their time would.
func touchEntries(ctx context.Context, wh *warehouse.Warehouse, fakes *demo.Fakes, which string) (int, error) {
	rows, err := wh.DB().QueryContext(ctx, `SELECT payload::VARCHAR FROM raw.harvest__time_entries WHERE deleted_at IS NULL `+which)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	now := time.Now().UTC().Format(time.RFC3339)
	var edited []map[string]any
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return 0, err
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return 0, err
		}
		h, _ := e["hours"].(float64)
		e["hours"], e["rounded_hours"], e["updated_at"] = h+0.25, h+0.25, now
		edited = append(edited, e)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return len(edited), fakes.Harvest.Put("time_entries", edited)
}

// slowestModels names the n models a build spent longest on, with their
// time.
func slowestModels(res *models.Result, n int) string {
	ran := slowestFirst(res)
	var parts []string
	for _, m := range ran[:min(n, len(ran))] {
		parts = append(parts, fmt.Sprintf("%s %s", modelLabel(m), m.Duration.Round(time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}
