package clockify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/clockify/clockifyfake"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

func TestDecodeVendorPayloads(t *testing.T) {
	for _, tc := range []struct{ file, id string }{
		{"user-time-entries.json", "64c777ddd3fcab07cfbb210c"},
		{"workspace-users.json", "5a0ab5acb07987125438b60f"},
	} {
		body, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := decodeArray(body, func(r json.RawMessage) (json.RawMessage, error) { return r, nil })
		if err != nil || len(recs) != 1 || recs[0].ID != tc.id {
			t.Fatalf("%s: %v %+v", tc.file, err, recs)
		}
		var m map[string]any
		if json.Unmarshal(recs[0].Payload, &m) != nil {
			t.Errorf("%s: payload not kept whole", tc.file)
		}
	}
	if _, err := decodeArray([]byte(`{"code":501,"message":"Not supported"}`), nil); !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("an error object with 200 must fail the page: %v", err)
	}
}

const ws = "ws1"

type env struct {
	fake *clockifyfake.Server
	conn *Connector
	now  *time.Time
}

func setup(t *testing.T) env {
	t.Helper()
	fake := clockifyfake.New("key", ws)
	fake.SetUsers([]clockifyfake.User{{ID: "u1", Name: "Ana"}, {ID: "u2", Name: "Ben"}})
	fake.SetProjects([]clockifyfake.Project{{ID: "p1", Name: "Web"}})
	fake.SetTasks([]clockifyfake.Task{{ID: "t1", ProjectID: "p1", Name: "Design"}, {ID: "t2", ProjectID: "p1", Name: "Build"}})
	base := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	var entries []clockifyfake.TimeEntry
	for i := range 5 {
		entries = append(entries, clockifyfake.TimeEntry{ID: "e" + string(rune('a'+i)), UserID: []string{"u1", "u2"}[i%2], ProjectID: "p1",
			TimeInterval: clockifyfake.TimeInterval{Start: base.AddDate(0, 0, i)}})
	}
	fake.PutTimeEntries(base, entries)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{WorkspaceID: ws, APIKey: "key", BaseURL: srv.URL + "/api/v1", PageSize: 2,
		Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
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

func ids(pages []connectors.Page) []string {
	var out []string
	for _, p := range pages {
		for _, r := range p.Records {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestTimeEntriesFullReadThenChangeFeeds(t *testing.T) {
	e := setup(t)
	st := e.stream("time_entries")
	pages, cur := collect(t, st, nil)
	if got := ids(pages); len(got) != 5 {
		t.Fatalf("full read got %v", got)
	}
	last := pages[len(pages)-1]
	if last.Scan == nil || !last.Scan.Done {
		t.Error("the full read must end with a finished scan")
	}
	for _, p := range pages[:len(pages)-1] {
		if p.Scan == nil || p.Scan.Done {
			t.Error("every page of the full read belongs to the scan, only the last finishes it")
		}
	}

	// An hour later: an edit and a delete come through the feeds.
	*e.now = e.now.Add(time.Hour)
	e.fake.PutTimeEntries(e.now.Add(-10*time.Minute), []clockifyfake.TimeEntry{{ID: "ea", UserID: "u1", ProjectID: "p1", Description: "edited",
		TimeInterval: clockifyfake.TimeInterval{Start: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}}})
	e.fake.DeleteTimeEntry(e.now.Add(-5*time.Minute), "eb")
	pages, cur = collect(t, st, cur)
	if len(pages) != 1 || pages[0].Scan != nil {
		t.Fatalf("incremental pass = %d pages", len(pages))
	}
	if got := ids(pages); len(got) != 1 || got[0] != "ea" || !strings.Contains(string(pages[0].Records[0].Payload), "edited") {
		t.Errorf("updated feed gave %v", got)
	}
	if len(pages[0].Deleted) != 1 || pages[0].Deleted[0] != "eb" {
		t.Errorf("deleted feed gave %v", pages[0].Deleted)
	}
	var state entriesCursor
	json.Unmarshal(cur, &state)
	if want := e.now.Add(-24 * time.Hour); !state.UpdatedSince.Equal(want) {
		t.Errorf("next window starts %v, want now − lookback %v", state.UpdatedSince, want)
	}
}

func TestResumeMidUser(t *testing.T) {
	e := setup(t)
	st := e.stream("time_entries")
	var saved connectors.Cursor
	stop := errors.New("killed")
	n := 0
	st.Read(context.Background(), nil, func(p connectors.Page) error {
		n++
		if n == 2 {
			return stop // page 2 never commits
		}
		saved = p.Next
		return nil
	})
	pages, _ := collect(t, st, saved)
	if got := ids(pages); len(got) != 3 {
		t.Errorf("resumed read got %v, want the 3 entries after the first committed page", got)
	}
}

func TestTasksAndListsAreScanned(t *testing.T) {
	e := setup(t)
	pages, _ := collect(t, e.stream("tasks"), nil)
	if got := ids(pages); len(got) != 2 {
		t.Errorf("tasks %v", got)
	}
	pages, _ = collect(t, e.stream("users"), nil)
	if got := ids(pages); len(got) != 2 || !pages[len(pages)-1].Scan.Done {
		t.Errorf("users %v", got)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/workspaces/ws1/users", clockifyfake.Fault{Status: 502}, clockifyfake.Fault{Status: 429})
	if pages, _ := collect(t, e.stream("users"), nil); len(ids(pages)) != 2 {
		t.Error("5xx and 429 then success lost records")
	}
	e.fake.Fail("/workspaces/ws1/clients", clockifyfake.Fault{Malformed: true})
	err := e.stream("clients").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	bad, _ := New(Config{Source: "cf", WorkspaceID: ws, APIKey: "nope", BaseURL: e.conn.cfg.BaseURL})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.cf.api_key") || strings.Contains(err.Error(), "nope") {
		t.Errorf("401: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{APIKey: "k"}, "sources.clockify.workspace_id: required"},
		{Config{WorkspaceID: "w"}, "sources.clockify.api_key: required"},
		{Config{WorkspaceID: "w", APIKey: "k", Region: "mars"}, "sources.clockify.region"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
	if c, _ := New(Config{WorkspaceID: "w", APIKey: "k", Region: "euc1"}); c.cfg.BaseURL != Regions["euc1"] {
		t.Errorf("region host %s", c.cfg.BaseURL)
	}
}
