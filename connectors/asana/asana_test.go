package asana

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/asana/asanafake"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

func TestVendorPayloads(t *testing.T) {
	for _, f := range []string{"time_tracking_entries.json", "tasks.json", "projects.json", "users.json"} {
		body, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		recs, next, err := decodeEnvelope(body)
		if err != nil || len(recs) != 1 || recs[0].ID != "12345" || next == "" {
			t.Errorf("%s: %v %q %v", f, recs, next, err)
		}
	}
}

type env struct {
	fake *asanafake.Server
	conn *Connector
	now  *time.Time
}

func setup(t *testing.T) env {
	t.Helper()
	fake := asanafake.New("tok", "w1")
	fake.PerMinute = 0
	fake.SetUsers([]asanafake.User{{GID: "u1", Name: "Ana"}})
	fake.SetProjects([]asanafake.Project{{GID: "p1", Name: "Web"}, {GID: "p2", Name: "App"}})
	old := "2025-01-01T00:00:00Z"
	fake.SetTasks([]asanafake.Task{{GID: "t1", Name: "Design", Projects: []asanafake.Ref{{GID: "p1"}}, ModifiedAt: old},
		{GID: "t2", Name: "Build", Projects: []asanafake.Ref{{GID: "p2"}}, ModifiedAt: old}})
	var entries []asanafake.TimeEntry
	for i := range 250 {
		entries = append(entries, asanafake.TimeEntry{GID: fmt.Sprintf("e%03d", i), DurationMinutes: 60,
			EnteredOn: time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -i).Format(time.DateOnly), CreatedBy: asanafake.Ref{GID: "u1"}})
	}
	fake.SetEntries(entries)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{WorkspaceID: "w1", Token: "tok", BaseURL: srv.URL + "/api/1.0", StartDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Rate: 1000, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return env{fake, c, &now}
}

func (e env) stream(name string) connectors.Stream {
	for _, s := range e.conn.Streams() {
		if s.Name == name {
			return s
		}
	}
	panic(name)
}

func collect(t *testing.T, st connectors.Stream, from connectors.Cursor) ([]connectors.Page, connectors.Cursor) {
	t.Helper()
	var pages []connectors.Page
	err := st.Read(context.Background(), from, func(p connectors.Page) error {
		pages = append(pages, p)
		from = p.Next
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages, from
}

func count(pages []connectors.Page) int {
	n := 0
	for _, p := range pages {
		n += len(p.Records)
	}
	return n
}

func TestEntriesFullThenRereadWindow(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("time_tracking_entries"), nil)
	if count(pages) != 250 || len(pages) != 3 || !pages[2].Scan.Done {
		t.Fatalf("full read: %d records on %d pages", count(pages), len(pages))
	}
	*e.now = e.now.Add(time.Hour)
	pages, _ = collect(t, e.stream("time_tracking_entries"), cur)
	// The last 35 days: 2025-04-27 .. 2025-05-31, a key-set diff of the
	// stored entries entered on those days.
	last := pages[len(pages)-1]
	if count(pages) != 35 || last.Scan == nil || !last.Scan.Done || last.Scan.Field != "entered_on" || last.Scan.From != "2025-04-27" {
		t.Errorf("re-read: %d records, scan %+v", count(pages), last.Scan)
	}
}

func TestTasksModifiedSinceAndExpiredOffset(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("tasks"), nil)
	if count(pages) != 2 {
		t.Fatalf("tasks: %d", count(pages))
	}
	*e.now = e.now.Add(time.Hour)
	e.fake.SetTasks([]asanafake.Task{{GID: "t2", Name: "Build v2", Projects: []asanafake.Ref{{GID: "p2"}}, ModifiedAt: e.now.Add(-time.Minute).Format(time.RFC3339)}})
	pages, _ = collect(t, e.stream("tasks"), cur)
	if count(pages) != 1 || !strings.Contains(string(pages[0].Records[0].Payload), "Build v2") {
		t.Errorf("modified_since pass: %d records", count(pages))
	}
	// A stored offset that has expired restarts its listing instead of failing.
	stale := []byte(`{"paths":["/time_tracking_entries?workspace=w1&entered_on_start_date=2024-01-01"],"offset":"bm9wZQ","scan_id":"s"}`)
	pages, _ = collect(t, e.stream("time_tracking_entries"), stale)
	if count(pages) != 250 {
		t.Errorf("after an expired offset: %d records", count(pages))
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/workspaces/w1/users", asanafake.Fault{Status: 429, RetryAfter: "0"}, asanafake.Fault{Status: 500})
	if pages, _ := collect(t, e.stream("users"), nil); count(pages) != 1 {
		t.Error("429 then 500 then success lost records")
	}
	e.fake.Fail("/projects", asanafake.Fault{Malformed: true})
	err := e.stream("projects").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	bad, _ := New(Config{Source: "as", WorkspaceID: "w1", Token: "nope", BaseURL: e.conn.cfg.BaseURL})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.as.token") || strings.Contains(err.Error(), "nope") {
		t.Errorf("401: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{{Config{Token: "t"}, "sources.asana.workspace_id"}, {Config{WorkspaceID: "w"}, "sources.asana.token"}} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
