package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/demo"
)

// TestBenchSyncsEveryTimeToolsTime runs the bench's first syncs, each in
// a process of its own as conflux bench does, and checks that each read
// all of the agency's time from its tool's fake, and that DuckDB read the
// same records back.
func TestBenchSyncsEveryTimeToolsTime(t *testing.T) {
	// The child is this test binary, started as conflux (see TestMain).
	was := selfCommand
	selfCommand = func(ctx context.Context, args ...string) (*exec.Cmd, error) {
		c := exec.CommandContext(ctx, os.Args[0])
		c.Env = append(os.Environ(), "CONFLUX_TEST_MAIN=1", "CONFLUX_TEST_ARGS="+strings.Join(args, " "))
		return c, nil
	}
	t.Cleanup(func() { selfCommand = was })

	ctx := context.Background()
	a := demo.Generate(demo.Options{People: 4, Years: 1, EntriesPerDay: 2})
	f, err := demo.StartFakes(a, demo.Unlimited)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	h, err := syncInChild(ctx, childSpec{tool: "harvest", db: filepath.Join(dir, "harvest.duckdb"), url: f.HarvestURL, start: a.Start})
	if err != nil {
		t.Fatal(err)
	}
	others, err := benchTimeTools(ctx, f, a, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]toolSync{"harvest": {tool: "harvest", child: h, jsonRate: 1}}
	for _, o := range others {
		got[o.tool] = o
	}
	for _, tool := range timeTools {
		// Productive's fake holds the entries its people log (leave is
		// booked, not logged): its own count.
		want := int64(len(a.Entries))
		if tool.tool == "productive" {
			want = int64(f.Productive.Count("time_entries"))
		}
		s, ok := got[tool.tool]
		switch {
		case !ok:
			t.Errorf("%s: not synced", tool.tool)
		case s.child.Records != want || want == 0:
			t.Errorf("%s %s: synced %d records, the fake holds %d", tool.tool, tool.stream, s.child.Records, want)
		case s.child.Seconds <= 0 || s.jsonRate <= 0:
			t.Errorf("%s: %v s, read_json_objects %v records/s", tool.tool, s.child.Seconds, s.jsonRate)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*")); len(entries) != 1 {
		t.Errorf("the bench left %v in its directory, want only the Harvest warehouse it builds", entries)
	}
}
