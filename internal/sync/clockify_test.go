package sync_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors/clockify"
	"github.com/conflux-dev/conflux/connectors/clockify/clockifyfake"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/sync"
)

// Clockify: a sync that fails part-way (a page that keeps failing) and is
// run again ends with the same rows as one clean sync, and a second sync
// in a row duplicates nothing.
func TestClockifyResumesAndRepeatsWithoutDuplicates(t *testing.T) {
	a := demo.Generate(demo.Options{People: 6, Clients: 3, Projects: 5, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	fake := clockifyfake.New(demo.ClockifyKey, demo.ClockifyWorkspace)
	fake.RateLimit = 0
	a.LoadClockify(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	conn := func() sync.Source {
		c, err := clockify.New(clockify.Config{WorkspaceID: demo.ClockifyWorkspace, APIKey: demo.ClockifyKey, BaseURL: srv.URL + "/api/v1",
			PageSize: 100, Rate: rate.Inf, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond, MaxAttempts: 2}, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return sync.Source{Name: "clockify", Connector: c}
	}
	ctx := context.Background()
	ref := openWH(t, filepath.Join(t.TempDir(), "ref.duckdb"))
	defer ref.Close()
	if _, err := sync.Run(ctx, ref, conn(), nil, nil); err != nil {
		t.Fatal(err)
	}
	want := fingerprint(t, ref)

	w := openWH(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	third := "/workspaces/" + demo.ClockifyWorkspace + "/user/" + demo.ClockifyID(0, a.People[2].ID)
	fake.Fail(third, clockifyfake.Fault{Status: 500}, clockifyfake.Fault{Status: 500})
	if _, err := sync.Run(ctx, w, conn(), nil, nil); err == nil {
		t.Fatal("the failing page did not fail the sync")
	}
	var partial int
	w.DB().QueryRow(`SELECT count(*) FROM raw.clockify__time_entries`).Scan(&partial)
	if partial == 0 || partial >= fake.CountTimeEntries() {
		t.Fatalf("%d of %d entries before the failure: not part-way", partial, fake.CountTimeEntries())
	}
	if _, err := sync.Run(ctx, w, conn(), nil, nil); err != nil {
		t.Fatal(err)
	}
	got := fingerprint(t, w)
	for tbl, fp := range want {
		if got[tbl] != fp {
			t.Errorf("%s: resumed %s, clean %s", tbl, got[tbl], fp)
		}
	}

	// Twice in a row: the second sync reads the change feeds (an hour later)
	// and changes nothing.
	now = now.Add(time.Hour)
	if _, err := sync.Run(ctx, w, conn(), nil, nil); err != nil {
		t.Fatal(err)
	}
	again := fingerprint(t, w)
	for tbl, fp := range got {
		if again[tbl] != fp {
			t.Errorf("%s: second sync %s, first %s", tbl, again[tbl], fp)
		}
	}
}
