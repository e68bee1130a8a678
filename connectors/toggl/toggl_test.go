package toggl

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
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/toggl/togglfake"
)

func TestLegacyEnvelope(t *testing.T) {
	body, err := os.ReadFile("testdata/me-time-entries-current.docs-example.json")
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		ID       int64 `json:"id"`
		WID      int64 `json:"wid"`
		Duration int64 `json:"duration"`
	}
	if err := json.Unmarshal(unwrapData(body), &e); err != nil || e.ID != 436694100 || e.WID != 777 || e.Duration != -1 {
		t.Errorf("the docs' {data: …} example did not unwrap: %+v %v", e, err)
	}
	plain := []byte(`{"id":1,"organization_id":2}`)
	if string(unwrapData(plain)) != string(plain) {
		t.Error("an unwrapped v9 answer must pass through")
	}
}

type env struct {
	fake *togglfake.Server
	conn *Connector
	now  *time.Time
}

func setup(t *testing.T) env {
	t.Helper()
	fake := togglfake.New("tok", togglfake.Workspace{ID: 77, OrganizationID: 88})
	fake.RateLimit = 0
	fake.SetUsers([]togglfake.WorkspaceUser{{ID: 1, UserID: 10, Name: "Ana"}})
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fake.SetProjects([]togglfake.Project{{ID: 5, Name: "Web", Active: true, At: at}, {ID: 6, Name: "App", Active: true, At: at}})
	var rows []togglfake.ReportRow
	// Seven entries across two calendar years: two one-year windows.
	for i, d := range []string{"2023-12-30", "2024-01-02", "2024-06-01", "2024-12-31", "2025-01-02", "2025-03-03", "2025-05-30"} {
		start, _ := time.Parse(time.DateOnly, d)
		start = start.Add(9 * time.Hour)
		rows = append(rows, togglfake.ReportRow{UserID: 10, TimeEntries: []togglfake.ReportEntry{{ID: int64(100 + i), Seconds: 3600, Start: start, Stop: start.Add(time.Hour), At: start}}})
	}
	fake.PutRows(rows)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{WorkspaceID: "77", APIToken: "tok", BaseURL: srv.URL, PageSize: 2, StartDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
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

func ids(pages []connectors.Page) (out []string) {
	for _, p := range pages {
		for _, r := range p.Records {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestReportPagingAcrossYearWindows(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("time_entries"), nil)
	got := ids(pages)
	// From start_date 2024-01-01: the 2023 entry is out of range.
	if strings.Join(got, ",") != "101,102,103,104,105,106" {
		t.Errorf("full read got %v", got)
	}
	if last := pages[len(pages)-1]; last.Scan == nil || !last.Scan.Done {
		t.Error("the full read must end its scan")
	}
	if e.fake.Requests("/reports/") < 4 {
		t.Errorf("%d report requests: paging by X-Next-ID did not happen", e.fake.Requests("/reports/"))
	}
	// An hour later the last 35 days are read again, a key-set diff of
	// their stored entries from the day after the window's first.
	*e.now = e.now.Add(time.Hour)
	pages, _ = collect(t, e.stream("time_entries"), cur)
	last := pages[len(pages)-1]
	from := e.now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -34).Format(time.DateOnly)
	if got := ids(pages); strings.Join(got, ",") != "106" || last.Scan == nil || !last.Scan.Done ||
		last.Scan.Field != "time_entries[0].start" || last.Scan.From != from {
		t.Errorf("re-read window got %v, scan %+v (want a diff of time_entries[0].start from %s)", got, last.Scan, from)
	}
}

func TestResumeInsideTheReport(t *testing.T) {
	e := setup(t)
	var saved connectors.Cursor
	n := 0
	e.stream("time_entries").Read(context.Background(), nil, func(p connectors.Page) error {
		if n++; n == 2 {
			return errors.New("killed")
		}
		saved = p.Next
		return nil
	})
	pages, _ := collect(t, e.stream("time_entries"), saved)
	if got := ids(pages); strings.Join(got, ",") != "103,104,105,106" {
		t.Errorf("resumed read got %v", got)
	}
}

func TestProjectsSinceGivesTombstones(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("projects"), nil)
	if len(ids(pages)) != 2 {
		t.Fatalf("projects %v", ids(pages))
	}
	*e.now = e.now.Add(time.Hour)
	deleted := e.now.Add(-time.Minute)
	e.fake.SetProjects([]togglfake.Project{{ID: 5, Name: "Web", Active: true, At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: 6, Name: "App", At: deleted, ServerDeletedAt: &deleted}})
	pages, _ = collect(t, e.stream("projects"), cur)
	if len(pages) != 1 || len(pages[0].Records) != 0 || strings.Join(pages[0].Deleted, ",") != "6" {
		t.Errorf("incremental projects: %+v", pages)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.HourlyQuota = 1
	err := e.stream("users").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrRateLimited) || !strings.Contains(err.Error(), "hourly API quota") || !strings.Contains(err.Error(), "seconds") {
		t.Errorf("402: %v", err)
	}
	e.fake.HourlyQuota = 0
	e.fake.Fail("/api/v9/workspaces/77/clients", togglfake.Fault{Status: 429}, togglfake.Fault{Status: 500})
	if err := e.stream("clients").Read(context.Background(), nil, func(connectors.Page) error { return nil }); err != nil {
		t.Errorf("429 then 500 then success: %v", err)
	}
	e.fake.Fail("/reports/", togglfake.Fault{Malformed: true})
	err = e.stream("time_entries").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	bad, _ := New(Config{Source: "tg", WorkspaceID: "77", APIToken: "wrong", BaseURL: e.conn.cfg.BaseURL})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.tg.api_token") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("403: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{{Config{APIToken: "t"}, "sources.toggl.workspace_id"}, {Config{WorkspaceID: "1"}, "sources.toggl.api_token"}} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
