package sync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/connectors/toggl"
	"github.com/conflux-dev/conflux/connectors/toggl/togglfake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

const perPage = 400

func demoFake(t testing.TB) *harvestfake.Server {
	t.Helper()
	a := demo.Generate(demo.Options{People: 12, Clients: 5, Projects: 10, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	fake := harvestfake.New(demo.HarvestToken, demo.HarvestAccount)
	fake.RateLimit = 0
	if err := a.LoadHarvest(fake); err != nil {
		t.Fatal(err)
	}
	return fake
}

func connector(t testing.TB, url string) *harvest.Connector {
	t.Helper()
	c, err := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: url + "/v2", PerPage: perPage})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openWH(t testing.TB, path string) *warehouse.Warehouse {
	t.Helper()
	w, err := warehouse.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fingerprint summarises every raw table: rows, live rows and a hash of ids and payloads.
func fingerprint(t testing.TB, w *warehouse.Warehouse) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := w.DB().Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	for _, tbl := range tables {
		var fp string
		err := w.DB().QueryRow(`SELECT count(*) || '/' || count(*) FILTER (WHERE deleted_at IS NULL) || '/' ||
			coalesce(sum(hash(id || payload::VARCHAR)), 0) FROM raw."` + tbl + `"`).Scan(&fp)
		if err != nil {
			t.Fatal(err)
		}
		out[tbl] = fp
	}
	return out
}

func TestHelperSyncProcess(t *testing.T) {
	dbPath, url := os.Getenv("CONFLUX_HELPER_DB"), os.Getenv("CONFLUX_HELPER_URL")
	if dbPath == "" {
		t.Skip("helper process for TestSIGKILLMidStreamLosesNothing")
	}
	w := openWH(t, dbPath)
	sync.Run(context.Background(), w, sync.Source{Name: "harvest", Connector: connector(t, url)}, nil, nil)
	os.Exit(0)
}

func TestSIGKILLMidStreamLosesNothing(t *testing.T) {
	fake := demoFake(t)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/time_entries") {
			time.Sleep(30 * time.Millisecond)
		}
		fake.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	if n := fake.Count("time_entries"); n < perPage*6 {
		t.Fatalf("fixture too small for a mid-stream kill: %d entries", n)
	}

	// The reference: one uninterrupted sync.
	ref := openWH(t, filepath.Join(t.TempDir(), "ref.duckdb"))
	defer ref.Close()
	if _, err := sync.Run(context.Background(), ref, sync.Source{Name: "harvest", Connector: connector(t, srv.URL)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := fingerprint(t, ref)

	dbPath := filepath.Join(t.TempDir(), "killed.duckdb")
	before := fake.Requests("/time_entries")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSyncProcess$")
	cmd.Env = append(os.Environ(), "CONFLUX_HELPER_DB="+dbPath, "CONFLUX_HELPER_URL="+srv.URL)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for fake.Requests("/time_entries") < before+4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no deferred code, no clean shutdown
	cmd.Wait()

	w := openWH(t, dbPath)
	defer w.Close()
	var partial int
	w.DB().QueryRow(`SELECT count(*) FROM raw.harvest__time_entries`).Scan(&partial)
	if partial == 0 || partial >= fake.Count("time_entries") {
		t.Fatalf("the kill did not land mid-stream: %d of %d entries committed", partial, fake.Count("time_entries"))
	}
	if partial%perPage != 0 {
		t.Errorf("%d rows committed: not whole pages", partial)
	}
	if _, err := sync.Run(context.Background(), w, sync.Source{Name: "harvest", Connector: connector(t, srv.URL)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	got := fingerprint(t, w)
	for tbl, fp := range want {
		if got[tbl] != fp {
			t.Errorf("%s: after kill and resume %s, uninterrupted %s", tbl, got[tbl], fp)
		}
	}
	var interrupted int
	w.DB().QueryRow(`SELECT count(*) FROM meta.sync_runs WHERE status = 'interrupted'`).Scan(&interrupted)
	if interrupted != 1 {
		t.Errorf("%d runs marked interrupted, want the killed one", interrupted)
	}
}

// TestDeleteInHarvestReachesTheWarehouse: Harvest hard-deletes without a
// trace; the daily full read's key-set diff marks the row deleted, keeps it,
// and the models stop counting it.
func TestDeleteInHarvestReachesTheWarehouse(t *testing.T) {
	fake := demoFake(t)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c, _ := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: srv.URL + "/v2",
		Now: func() time.Time { return now }})
	ctx := context.Background()
	w := openWH(t, filepath.Join(t.TempDir(), "d.duckdb"))
	defer w.Close()
	if _, err := sync.Run(ctx, w, sync.Source{Name: "harvest", Connector: c}, nil, nil); err != nil {
		t.Fatal(err)
	}
	src := sync.Source{Name: "harvest", Connector: c, Streams: []string{"time_entries"}}
	var victim string
	w.DB().QueryRow(`SELECT min(id) FROM raw.harvest__time_entries`).Scan(&victim)
	var id int64
	fmt.Sscan(victim, &id)
	fake.Delete("time_entries", id)

	now = now.Add(2 * time.Hour) // an incremental pass cannot see a hard delete
	sync.Run(ctx, w, src, nil, nil)
	var deleted int
	w.DB().QueryRow(`SELECT count(*) FROM raw.harvest__time_entries WHERE deleted_at IS NOT NULL`).Scan(&deleted)
	if deleted != 0 {
		t.Fatalf("%d rows deleted by an incremental pass", deleted)
	}
	now = now.Add(24 * time.Hour) // the daily full read finds it
	res, err := sync.Run(ctx, w, src, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var gone string
	w.DB().QueryRow(`SELECT id FROM raw.harvest__time_entries WHERE deleted_at IS NOT NULL`).Scan(&gone)
	if res[0].Deleted != 1 || gone != victim {
		t.Errorf("deleted %d rows (%q), want entry %s", res[0].Deleted, gone, victim)
	}
	if _, err := models.Build(ctx, w, models.Options{Sources: map[string]string{"harvest": "harvest"}}); err != nil {
		t.Fatal(err)
	}
	var inCore int
	w.DB().QueryRow(`SELECT count(*) FROM core.time_entries WHERE source_id = ?`, victim).Scan(&inCore)
	if inCore != 0 {
		t.Error("a deleted entry is still in core.time_entries")
	}
}

func TestMalformedPageCommitsNothingAndNextRunResumes(t *testing.T) {
	fake := demoFake(t)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx := context.Background()
	w := openWH(t, filepath.Join(t.TempDir(), "m.duckdb"))
	defer w.Close()
	src := sync.Source{Name: "harvest", Connector: connector(t, srv.URL), Streams: []string{"time_entries"}}

	// Page 1 succeeds, page 2 is truncated JSON.
	failOnSecondPage := &pageFault{inner: fake, after: 1}
	srv2 := httptest.NewServer(failOnSecondPage)
	defer srv2.Close()
	src.Connector = connector(t, srv2.URL)
	_, err := sync.Run(ctx, w, src, nil, nil)
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	var n int
	w.DB().QueryRow(`SELECT count(*) FROM raw.harvest__time_entries`).Scan(&n)
	if n != perPage {
		t.Errorf("%d rows after a malformed second page, want exactly the first page (%d)", n, perPage)
	}
	var status, msg string
	w.DB().QueryRow(`SELECT status, error FROM meta.sync_runs WHERE stream = 'time_entries' ORDER BY id DESC LIMIT 1`).Scan(&status, &msg)
	if status != "failed" || !strings.Contains(msg, "malformed") {
		t.Errorf("run recorded as %s: %s", status, msg)
	}
	// Two good runs of months ago: the next run lets the older go (a
	// sync prunes its history) and keeps the last good one.
	for _, ago := range []int{90, 60} {
		if _, err := w.DB().Exec(`INSERT INTO meta.sync_runs (source, stream, started_at, finished_at, status)
			VALUES ('harvest', 'time_entries', now() - to_days(?), now() - to_days(?), 'ok')`, ago, ago); err != nil {
			t.Fatal(err)
		}
	}
	// The next run resumes from page 2 and finishes.
	before := fake.Requests("/time_entries")
	src.Connector = connector(t, srv.URL)
	if _, err := sync.Run(ctx, w, src, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.DB().QueryRow(`SELECT count(*) FROM raw.harvest__time_entries`).Scan(&n)
	if n != fake.Count("time_entries") {
		t.Errorf("after resume %d rows, want %d", n, fake.Count("time_entries"))
	}
	var old int
	w.DB().QueryRow(`SELECT count(*) FROM meta.sync_runs WHERE started_at < now() - INTERVAL 30 DAY`).Scan(&old)
	if old != 1 {
		t.Errorf("%d runs older than 30 days after a sync, want 1 (the last good one before it)", old)
	}
	pages := (fake.Count("time_entries") + perPage - 1) / perPage
	if got := fake.Requests("/time_entries") - before; got != pages-1 {
		t.Errorf("resume fetched %d pages, want %d (page 1 is not read again)", got, pages-1)
	}
}

// pageFault serves a truncated body for the time entries page after the first `after`.
type pageFault struct {
	inner http.Handler
	after int
	seen  int
}

func (p *pageFault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/time_entries") {
		p.seen++
		if p.seen > p.after {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"time_entries":[{"id":1,`))
			return
		}
	}
	p.inner.ServeHTTP(w, r)
}

// Harvest keeps no tombstones: with recheck_days, every incremental sync
// re-reads the recent window by date and diffs its keys, so an entry
// deleted there is gone at the next sync; an older deletion waits for the
// daily full read. The recheck costs a few requests per dated stream.
func TestRecentDeleteIsGoneAtTheNextSync(t *testing.T) {
	fake := demoFake(t)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c, _ := harvest.New(harvest.Config{AccountID: demo.HarvestAccount, Token: demo.HarvestToken, BaseURL: srv.URL + "/v2",
		PerPage: perPage, RecheckDays: 45, Now: func() time.Time { return now }})
	ctx := context.Background()
	w := openWH(t, filepath.Join(t.TempDir(), "d.duckdb"))
	defer w.Close()
	if _, err := sync.Run(ctx, w, sync.Source{Name: "harvest", Connector: c}, nil, nil); err != nil {
		t.Fatal(err)
	}
	var recent, old string
	var inWindow int
	w.DB().QueryRow(`SELECT arg_max(id, payload->>'spent_date'), arg_min(id, payload->>'spent_date'),
		count(*) FILTER (WHERE payload->>'spent_date' >= '2025-04-18') FROM raw.harvest__time_entries`).Scan(&recent, &old, &inWindow)
	for _, v := range []string{recent, old} {
		var id int64
		fmt.Sscan(v, &id)
		fake.Delete("time_entries", id)
	}

	before := fake.Requests("/time_entries")
	now = now.Add(2 * time.Hour)
	res, err := sync.Run(ctx, w, sync.Source{Name: "harvest", Connector: c, Streams: []string{"time_entries"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	rows, _ := w.DB().Query(`SELECT id FROM raw.harvest__time_entries WHERE deleted_at IS NOT NULL`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		deleted[id] = true
	}
	rows.Close()
	if !deleted[recent] || deleted[old] || len(deleted) != 1 || res[0].Deleted != 1 {
		t.Errorf("deleted %v (%d), want only the recent entry %s (the old one, %s, waits for the full read)", deleted, res[0].Deleted, recent, old)
	}
	requests := fake.Requests("/time_entries") - before
	// One incremental page, then the window's entries at perPage a page.
	if want := 1 + (inWindow-1+perPage-1)/perPage; requests != want {
		t.Errorf("the sync made %d requests, want %d (%d entries in the window)", requests, want, inWindow)
	}
	t.Logf("recheck of 45 days: %d requests for %d entries in the window", requests-1, inWindow-1)

	// Killed during the recheck, the next run resumes it and still finds the delete.
	var next string
	w.DB().QueryRow(`SELECT id FROM raw.harvest__time_entries WHERE deleted_at IS NULL ORDER BY payload->>'spent_date' DESC, id LIMIT 1`).Scan(&next)
	var id int64
	fmt.Sscan(next, &id)
	fake.Delete("time_entries", id)
	now = now.Add(2 * time.Hour)
	cctx, cancel := context.WithCancel(ctx)
	pages := 0
	stop := sync.Source{Name: "harvest", Connector: c, Streams: []string{"time_entries"}}
	sync.Run(cctx, w, stop, onPage(func() {
		if pages++; pages == 2 { // the incremental page, then the recheck's first
			cancel()
		}
	}), nil)
	cancel()
	if _, err := sync.Run(ctx, w, stop, nil, nil); err != nil {
		t.Fatal(err)
	}
	var gone int
	w.DB().QueryRow(`SELECT count(*) FROM raw.harvest__time_entries WHERE id = ? AND deleted_at IS NOT NULL`, next).Scan(&gone)
	if gone != 1 {
		t.Error("a delete in the window was missed after the recheck was interrupted")
	}
}

// onPage calls f after each committed page.
type onPage func()

func (onPage) StreamStarted(string, string)                     {}
func (f onPage) PageCommitted(string, string, int, int)         { f() }
func (onPage) StreamFinished(string, string, sync.StreamResult) {}

// Toggl's reports keep no tombstones either: the re-read of the recent weeks
// every sync is a key-set diff of those weeks, so an entry deleted there is
// gone at the next sync, and an older one waits for the daily full read.
func TestTogglRecentDeleteIsGoneAtTheNextSync(t *testing.T) {
	a := demo.Generate(demo.Options{People: 6, Clients: 3, Projects: 5, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	fake := togglfake.New(demo.TogglToken, demo.TogglWorkspaceInfo)
	fake.RateLimit = 0
	a.LoadToggl(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c, err := toggl.New(toggl.Config{WorkspaceID: strconv.Itoa(demo.TogglWorkspace), APIToken: demo.TogglToken, BaseURL: srv.URL,
		PageSize: 1000, Rate: rate.Inf, StartDate: a.Start, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := openWH(t, filepath.Join(t.TempDir(), "t.duckdb"))
	defer w.Close()
	src := sync.Source{Name: "toggl", Connector: c, Streams: []string{"time_entries"}}
	if _, err := sync.Run(ctx, w, src, nil, nil); err != nil {
		t.Fatal(err)
	}
	const start = `payload->'time_entries'->0->>'start'`
	var recent, edge, old string
	var inWindow int
	// The re-read covers 35 days back from 2 June (28 April on); its diff
	// starts a day later, so an entry on 28 April is left to the full read.
	w.DB().QueryRow(`SELECT arg_max(id, `+start+`), arg_min(id, `+start+`) FILTER (WHERE `+start+` >= '2025-04-28'), arg_min(id, `+start+`),
		count(*) FILTER (WHERE `+start+` >= '2025-04-28') FROM raw.toggl__time_entries`).Scan(&recent, &edge, &old, &inWindow)
	for _, v := range []string{recent, edge, old} {
		id, _ := strconv.ParseInt(v, 10, 64)
		fake.DeleteEntry(id)
	}
	before := fake.Requests("/reports/")
	now = now.Add(2 * time.Hour)
	res, err := sync.Run(ctx, w, src, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	rows, _ := w.DB().Query(`SELECT id FROM raw.toggl__time_entries WHERE deleted_at IS NOT NULL`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		deleted[id] = true
	}
	rows.Close()
	if !deleted[recent] || deleted[edge] || deleted[old] || len(deleted) != 1 || res[0].Deleted != 1 {
		t.Errorf("deleted %v (%d), want only the recent entry %s (%s on the window's first day and %s before it wait for the full read)",
			deleted, res[0].Deleted, recent, edge, old)
	}
	t.Logf("re-read of 35 days: %d report requests for %d entries", fake.Requests("/reports/")-before, inWindow)

	// The next daily full read finds the other two.
	now = now.Add(24 * time.Hour)
	if _, err := sync.Run(ctx, w, src, nil, nil); err != nil {
		t.Fatal(err)
	}
	var gone int
	w.DB().QueryRow(`SELECT count(*) FROM raw.toggl__time_entries WHERE deleted_at IS NOT NULL`).Scan(&gone)
	if gone != 3 {
		t.Errorf("after the full read %d entries are deleted, want 3", gone)
	}
}
