package sync

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/conflux-dev/conflux/internal/warehouse"
)

// Pages queued behind a commit share the next one, except where a page's
// tombstones or the end of its scan must apply before the pages after it:
// a record deleted and then created again upstream stays live.
func TestQueuedPagesCommitTogetherInOrder(t *testing.T) {
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.EnsureRawTable(ctx, "harvest", "users"); err != nil {
		t.Fatal(err)
	}
	run, err := wh.StartRun(ctx, "harvest", "users")
	if err != nil {
		t.Fatal(err)
	}
	row := func(id, v string) warehouse.Row {
		return warehouse.Row{ID: id, Payload: []byte(`{"id":"` + id + `","v":"` + v + `"}`)}
	}
	pages := []warehouse.Page{
		{Rows: []warehouse.Row{row("a", "1"), row("b", "1")}, Cursor: []byte(`{"p":1}`)},
		{Rows: []warehouse.Row{row("c", "1")}, Deleted: []string{"a"}, Cursor: []byte(`{"p":2}`)},
		{Rows: []warehouse.Row{row("a", "2")}, Cursor: []byte(`{"p":3}`)},
		// A full read starts: its pages commit apart from the last one's.
		{Rows: []warehouse.Row{row("b", "2"), row("c", "2"), row("d", "1")}, ScanID: "s", Cursor: []byte(`{"p":4}`)},
		{Rows: []warehouse.Row{row("a", "3"), row("e", "1")}, ScanID: "s", ScanDone: true, Cursor: []byte(`{"p":5}`)},
	}
	c := &committer{wh: wh, source: "harvest", stream: "users", run: run,
		queue: make(chan queued, len(pages)), done: make(chan struct{})}
	for _, p := range pages {
		c.queue <- queued{Page: p}
	}
	close(c.queue)
	c.loop(ctx)
	if c.err != nil {
		t.Fatal(c.err)
	}
	if c.commits != 3 || c.pages != 5 || c.seen != 9 {
		t.Errorf("%d commits of %d pages, %d records; want 3 commits of 5 pages, 9 records", c.commits, c.pages, c.seen)
	}
	rows, err := wh.DB().QueryContext(ctx, `SELECT id, payload->>'v', deleted_at IS NOT NULL FROM raw.harvest__users ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var id, v string
		var deleted bool
		if err := rows.Scan(&id, &v, &deleted); err != nil {
			t.Fatal(err)
		}
		if deleted {
			v += " deleted"
		}
		got[id] = v
	}
	want := map[string]string{"a": "3", "b": "2", "c": "2", "d": "1", "e": "1"}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: %q, want %q", id, got[id], v)
		}
	}
	if cur, _ := wh.Cursor(ctx, "harvest", "users"); string(cur) != `{"p":5}` {
		t.Errorf("cursor %s, want the last page's", cur)
	}
	var n int
	wh.DB().QueryRowContext(ctx, `SELECT pages FROM meta.sync_runs WHERE id = ?`, run).Scan(&n)
	if n != 5 {
		t.Errorf("the run counts %d pages, want 5", n)
	}
}
