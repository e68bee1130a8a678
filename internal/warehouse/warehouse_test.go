package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func open(t testing.TB) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func count(t testing.TB, w *Warehouse, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestCommitPageUpsertsAndSavesCursor(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	if err := w.EnsureRawTable(ctx, "harvest", "users"); err != nil {
		t.Fatal(err)
	}
	run, _ := w.StartRun(ctx, "harvest", "users")
	ts := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	page := Page{Rows: []Row{
		{ID: "1", UpdatedAt: ts, Payload: []byte(`{"id":1,"v":"a"}`)},
		{ID: "2", Payload: []byte(`{"id":2}`)},
		{ID: "1", UpdatedAt: ts, Payload: []byte(`{"id":1,"v":"b"}`)}, // later copy wins
	}, Cursor: []byte(`{"n":1}`)}
	res, err := w.CommitPage(ctx, "harvest", "users", run, page)
	if err != nil {
		t.Fatal(err)
	}
	if res.Upserted != 2 {
		t.Errorf("upserted %d, want 2", res.Upserted)
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__users WHERE payload->>'v' = 'b'`); got != 1 {
		t.Errorf("later duplicate did not win")
	}
	// The overlap: the same record again replaces, never duplicates.
	if _, err := w.CommitPage(ctx, "harvest", "users", run, Page{Rows: page.Rows[:1], Cursor: []byte(`{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__users`); got != 2 {
		t.Errorf("rows = %d, want 2", got)
	}
	c, _ := w.Cursor(ctx, "harvest", "users")
	if string(c) != `{"n":2}` {
		t.Errorf("cursor = %s", c)
	}
}

func TestCommitPageIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	w.EnsureRawTable(ctx, "harvest", "users")
	run, _ := w.StartRun(ctx, "harvest", "users")
	if _, err := w.CommitPage(ctx, "harvest", "users", run, Page{Rows: []Row{{ID: "1", Payload: []byte(`{}`)}}, Cursor: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	bad := Page{Rows: []Row{{ID: "2", Payload: []byte(`{}`)}, {ID: "3", Payload: []byte(`{not json`)}}, Cursor: []byte(`{"n":2}`)}
	if _, err := w.CommitPage(ctx, "harvest", "users", run, bad); err == nil {
		t.Fatal("bad JSON committed")
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__users`); got != 1 {
		t.Errorf("rows = %d after a failed page, want 1", got)
	}
	if c, _ := w.Cursor(ctx, "harvest", "users"); string(c) != `{"n":1}` {
		t.Errorf("cursor moved to %s after a failed page", c)
	}
}

// A page of new ids is inserted plainly; a page that holds an id the table
// has is rolled back and merged, once per run, with the later copy winning
// and nothing of the failed try kept; a page that repeats an id is merged;
// bad JSON fails the page on either path.
// A record read again exactly as stored keeps its synced_at and run: a
// build reads only the records a sync changed. A changed one, or a deleted
// one seen again, is written.
func TestRecordReadAgainUnchangedIsLeftAlone(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	w.EnsureRawTable(ctx, "harvest", "users")
	run1, _ := w.StartRun(ctx, "harvest", "users")
	rows := []Row{{ID: "1", Payload: []byte(`{"id":1,"v":"a"}`)}, {ID: "2", Payload: []byte(`{"id":2}`)}, {ID: "3", Payload: []byte(`{"id":3}`)}}
	if _, err := w.CommitPage(ctx, "harvest", "users", run1, Page{Rows: rows}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CommitPage(ctx, "harvest", "users", run1, Page{Deleted: []string{"3"}}); err != nil {
		t.Fatal(err)
	}
	w.FinishRun(run1, nil)
	run2, _ := w.StartRun(ctx, "harvest", "users")
	again := []Row{{ID: "1", Payload: []byte(`{"id":1,"v":"b"}`)}, rows[1], rows[2]}
	res, err := w.CommitPage(ctx, "harvest", "users", run2, Page{Rows: again})
	if err != nil {
		t.Fatal(err)
	}
	if res.Upserted != 2 {
		t.Errorf("upserted %d, want 2: the changed record and the one deleted before", res.Upserted)
	}
	for id, want := range map[string]int64{"1": run2, "2": run1, "3": run2} {
		if got := count(t, w, `SELECT sync_run FROM raw.harvest__users WHERE id = ?`, id); int64(got) != want {
			t.Errorf("record %s: sync_run %d, want %d", id, got, want)
		}
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__users WHERE deleted_at IS NULL`); got != 3 {
		t.Errorf("%d live records, want 3 (the deleted one is back)", got)
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__users WHERE payload->>'v' = 'b'`); got != 1 {
		t.Error("the changed record kept its old payload")
	}
}

func TestPagesInsertNewIDsAndMergeKnownOnes(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	w.EnsureRawTable(ctx, "files", "time_entries")
	run, _ := w.StartRun(ctx, "files", "time_entries")
	const n = 3000
	page := func(from, n int, v string) Page {
		p := Page{Rows: make([]Row, n), Cursor: fmt.Appendf(nil, `{"v":%q}`, v), ScanID: "s"}
		for i := range p.Rows {
			p.Rows[i] = Row{ID: fmt.Sprint(from + i), Payload: fmt.Appendf(nil, `{"v":%q}`, v)}
		}
		return p
	}
	if res, err := w.CommitPage(ctx, "files", "time_entries", run, page(0, n, "a")); err != nil || res.Upserted != n {
		t.Fatalf("new page: %+v, %v", res, err)
	}
	if w.merging(run) {
		t.Fatal("a page of new ids was merged")
	}
	known := page(n/2, n, "b") // half known, half new
	if res, err := w.CommitPage(ctx, "files", "time_entries", run, known); err != nil || res.Upserted != n {
		t.Fatalf("page with known ids: %+v, %v", res, err)
	}
	if !w.merging(run) {
		t.Fatal("a page with known ids did not switch its run to merging")
	}
	repeated := page(2*n, n, "c")
	repeated.Rows = append(repeated.Rows, Row{ID: repeated.Rows[0].ID, Payload: []byte(`{"v":"d"}`)})
	if _, err := w.CommitPage(ctx, "files", "time_entries", run, repeated); err != nil {
		t.Fatalf("page repeating an id: %v", err)
	}
	w.FinishRun(run, nil)
	run2, _ := w.StartRun(ctx, "files", "time_entries")
	bad := page(4*n, n, "e")
	bad.Rows[7].Payload = []byte(`{not json`)
	if _, err := w.CommitPage(ctx, "files", "time_entries", run2, bad); err == nil {
		t.Error("a new page with bad JSON committed")
	}
	bad.Rows = append(bad.Rows, bad.Rows[0])
	if _, err := w.CommitPage(ctx, "files", "time_entries", run2, bad); err == nil {
		t.Error("a merged page with bad JSON committed")
	}
	got := count(t, w, `SELECT count(*) FROM raw.files__time_entries`)
	if want := 3*n/2 + n; got != want {
		t.Errorf("rows = %d, want %d", got, want)
	}
	for v, want := range map[string]int{"a": n / 2, "b": n, "c": n - 1, "d": 1} {
		if got := count(t, w, `SELECT count(*) FROM raw.files__time_entries WHERE payload->>'v' = ?`, v); got != want {
			t.Errorf("rows with v=%s: %d, want %d", v, got, want)
		}
	}
	// The rolled-back try of the page with known ids left no trace.
	if got := count(t, w, `SELECT pages FROM meta.sync_runs WHERE id = ?`, run); got != 3 {
		t.Errorf("run pages = %d, want 3", got)
	}
	if got := count(t, w, `SELECT count(*) FROM meta.scan_seen`); got != 3*n+1 {
		t.Errorf("scan_seen rows = %d, want %d", got, 3*n+1)
	}
	if c, _ := w.Cursor(ctx, "files", "time_entries"); string(c) != `{"v": "c"}` && string(c) != `{"v":"c"}` {
		t.Errorf("cursor = %s, want the last committed page's", c)
	}
}

func TestScanMarksMissingRowsDeleted(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	w.EnsureRawTable(ctx, "harvest", "clients")
	run, _ := w.StartRun(ctx, "harvest", "clients")
	rows := func(ids ...string) []Row {
		var r []Row
		for _, id := range ids {
			r = append(r, Row{ID: id, Payload: []byte(`{}`)})
		}
		return r
	}
	w.CommitPage(ctx, "harvest", "clients", run, Page{Rows: rows("1", "2", "3")})
	w.CommitPage(ctx, "harvest", "clients", run, Page{Rows: rows("1"), ScanID: "s1"})
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__clients WHERE deleted_at IS NOT NULL`); got != 0 {
		t.Fatalf("deleted before the scan finished: %d", got)
	}
	res, err := w.CommitPage(ctx, "harvest", "clients", run, Page{Rows: rows("3"), ScanID: "s1", ScanDone: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 1 {
		t.Errorf("deleted = %d, want 1", res.Deleted)
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__clients WHERE deleted_at IS NOT NULL AND id = '2'`); got != 1 {
		t.Error("row 2 not marked deleted")
	}
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__clients`); got != 3 {
		t.Error("deleted rows must be kept")
	}
	w.CommitPage(ctx, "harvest", "clients", run, Page{Deleted: []string{"1"}})
	if got := count(t, w, `SELECT count(*) FROM raw.harvest__clients WHERE deleted_at IS NULL`); got != 1 {
		t.Errorf("tombstone not applied: %d live", got)
	}
}

func TestRawTablesStoreIDsAndPayloadsFSST(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	if err := w.EnsureRawTable(ctx, "harvest", "users"); err != nil {
		t.Fatal(err)
	}
	run, _ := w.StartRun(ctx, "harvest", "users")
	var rows []Row
	for i := range 3000 {
		rows = append(rows, Row{ID: fmt.Sprint(i), Payload: []byte(`{"team":"delivery"}`)})
	}
	if _, err := w.CommitPage(ctx, "harvest", "users", run, Page{Rows: rows, Cursor: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	// Left to choose, DuckDB stores one payload repeated as a dictionary:
	// only the named method gives FSST here.
	for _, col := range []string{"id", "payload"} {
		got := count(t, w, `SELECT count(*) FROM pragma_storage_info('raw.harvest__users')
			WHERE column_name = ? AND segment_type <> 'VALIDITY' AND compression <> 'FSST'`, col)
		if got != 0 {
			t.Errorf("%s: %d segments not FSST", col, got)
		}
	}
}

func TestPruneRunsKeepsEachStreamsLastAndLastGoodRun(t *testing.T) {
	ctx := context.Background()
	w := open(t)
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	// harvest.time_entries: good runs 90 and 60 days ago, failing since 45
	// days ago (its last good run is old); harvest.users: good every 20
	// days; jira.worklogs: two old failed runs, nothing since.
	runs := []struct {
		stream string
		ago    int
		status string
	}{
		{"harvest.time_entries", 90, "ok"}, {"harvest.time_entries", 60, "ok"}, {"harvest.time_entries", 45, "failed"},
		{"harvest.time_entries", 10, "failed"}, {"harvest.time_entries", 1, "failed"},
		{"harvest.users", 80, "ok"}, {"harvest.users", 40, "interrupted"}, {"harvest.users", 20, "ok"}, {"harvest.users", 0, "ok"},
		{"jira.worklogs", 95, "failed"}, {"jira.worklogs", 70, "failed"},
	}
	for _, r := range runs {
		source, stream, _ := strings.Cut(r.stream, ".")
		if _, err := w.DB().Exec(`INSERT INTO meta.sync_runs (source, stream, started_at, finished_at, status) VALUES (?, ?, ?, ?, ?)`,
			source, stream, day(r.ago), day(r.ago).Add(time.Minute), r.status); err != nil {
			t.Fatal(err)
		}
	}
	// What the page headers and the sync alert read, per stream.
	const last = `SELECT string_agg(source || '.' || stream || ' ' || coalesce(strftime(ok_at, '%Y-%m-%d'), 'never') || ' ' || status, '; ' ORDER BY source, stream)
		FROM (SELECT source, stream, max(finished_at) FILTER (WHERE status = 'ok') AS ok_at, arg_max(status, started_at) AS status
		FROM meta.sync_runs GROUP BY ALL)`
	var before, after string
	if err := w.DB().QueryRow(last).Scan(&before); err != nil {
		t.Fatal(err)
	}
	// A sync prunes its own source's runs: Jira's wait for Jira's sync.
	if err := w.PruneRuns(ctx, "harvest", now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, `SELECT count(*) FROM meta.sync_runs WHERE source = 'jira'`); n != 2 {
		t.Errorf("pruning Harvest's runs left %d of Jira's 2", n)
	}
	if err := w.PruneRuns(ctx, "jira", now); err != nil {
		t.Fatal(err)
	}
	if err := w.DB().QueryRow(last).Scan(&after); err != nil {
		t.Fatal(err)
	}
	const want = "harvest.time_entries 2026-05-01 failed; harvest.users 2026-06-30 ok; jira.worklogs never failed"
	if before != want || after != want {
		t.Errorf("last runs before pruning %q, after %q; want %q", before, after, want)
	}
	var kept string
	w.DB().QueryRow(`SELECT string_agg(stream || ' ' || (DATE '2026-06-30' - started_at::DATE), ', ' ORDER BY stream, started_at) FROM meta.sync_runs`).Scan(&kept)
	// Within 30 days, or the stream's last run or last good one.
	if want := "time_entries 60, time_entries 10, time_entries 1, users 20, users 0, worklogs 70"; kept != want {
		t.Errorf("kept runs (stream, days ago) %q, want %q", kept, want)
	}
	// Run again the same day: nothing more goes.
	for _, source := range []string{"harvest", "jira"} {
		if err := w.PruneRuns(ctx, source, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, w, `SELECT count(*) FROM meta.sync_runs`); n != 6 {
		t.Errorf("%d runs after pruning twice, want 6", n)
	}
}
