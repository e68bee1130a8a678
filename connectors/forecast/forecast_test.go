package forecast

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/forecast/forecastfake"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

func TestPayloads(t *testing.T) {
	for _, name := range []string{"assignments", "people", "projects"} {
		body, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := decode(body, name)
		if err != nil || len(recs) != 1 || recs[0].ID != "12345" || recs[0].UpdatedAt.IsZero() {
			t.Errorf("%s: %+v %v", name, recs, err)
		}
	}
	if _, err := decode([]byte(`{"people":[]}`), "assignments"); !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("a missing envelope: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

type env struct {
	fake *forecastfake.Server
	conn *Connector
}

func setup(t *testing.T) env {
	t.Helper()
	fake := forecastfake.New("tok", "555")
	fake.SetPeople([]forecastfake.Person{{ID: 1, FirstName: "Ana", Email: "ana@x.test", HarvestUserID: ptr(int64(9)), UpdatedAt: "2026-01-01T00:00:00Z"}})
	fake.SetAssignments([]forecastfake.Assignment{
		{ID: 10, ProjectID: 3, PersonID: ptr(int64(1)), StartDate: "2026-12-07", EndDate: "2026-12-11", Allocation: 14400, UpdatedAt: "2026-11-30T00:00:00Z"},
		{ID: 11, ProjectID: 3, PersonID: ptr(int64(1)), StartDate: "2023-01-02", EndDate: "2023-01-06", Allocation: 28800, UpdatedAt: "2023-01-01T00:00:00Z"},
		{ID: 12, ProjectID: 3, PersonID: ptr(int64(1)), StartDate: "2028-06-05", EndDate: "2028-06-09", Allocation: 28800, UpdatedAt: "2026-11-30T00:00:00Z"},
	})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c, err := New(Config{AccountID: "555", Token: "tok", BaseURL: srv.URL, Rate: 1000,
		Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return env{fake, c}
}

func (e env) read(t *testing.T, name string) []connectors.Page {
	t.Helper()
	for _, s := range e.conn.Streams() {
		if s.Name == name {
			var pages []connectors.Page
			if err := s.Read(context.Background(), nil, func(p connectors.Page) error { pages = append(pages, p); return nil }); err != nil {
				t.Fatal(err)
			}
			return pages
		}
	}
	t.Fatalf("no stream %s", name)
	return nil
}

// Each collection is one full read whose page closes a key-set scan, so
// the sync marks what Forecast no longer lists as deleted; assignments are
// asked for the window from start_date to a year ahead.
func TestWholeReadsAndTheAssignmentWindow(t *testing.T) {
	e := setup(t)
	pages := e.read(t, "assignments")
	if len(pages) != 1 || pages[0].Scan == nil || !pages[0].Scan.Done || len(pages[0].Records) != 1 || pages[0].Records[0].ID != "10" {
		t.Fatalf("assignments: %+v", pages)
	}
	if n := e.fake.Requests("/assignments"); n != 1 {
		t.Errorf("%d requests for assignments", n)
	}
	if pages := e.read(t, "people"); len(pages[0].Records) != 1 || !strings.Contains(string(pages[0].Records[0].Payload), `"harvest_user_id":9`) {
		t.Errorf("people: %+v", pages)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/people", forecastfake.Fault{Status: 429, RetryAfter: "0"}, forecastfake.Fault{Status: 502})
	if pages := e.read(t, "people"); len(pages[0].Records) != 1 {
		t.Error("429 then 502 then success lost the people")
	}
	e.fake.Fail("/assignments", forecastfake.Fault{Malformed: true})
	err := e.conn.Streams()[4].Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	wrong, _ := New(Config{Source: "fc", AccountID: "999", Token: "tok", BaseURL: e.conn.cfg.BaseURL})
	if err := wrong.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.fc.account_id") {
		t.Errorf("wrong account: %v", err)
	}
	bad, _ := New(Config{AccountID: "555", Token: "nope", BaseURL: e.conn.cfg.BaseURL})
	if err := bad.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || strings.Contains(err.Error(), "nope") {
		t.Errorf("401: %v", err)
	}
	if err := e.conn.Check(context.Background()); err != nil {
		t.Errorf("check: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{{Config{Token: "t"}, "sources.forecast.account_id"}, {Config{AccountID: "1"}, "sources.forecast.token"}} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
