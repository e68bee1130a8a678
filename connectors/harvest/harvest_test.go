package harvest

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
	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

func TestDecodeVendorPayloads(t *testing.T) {
	body, err := os.ReadFile("testdata/time_entries.json")
	if err != nil {
		t.Fatal(err)
	}
	recs, next, total, err := decodeList(body, "time_entries")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || total != 4 || next != "" {
		t.Fatalf("got %d records, total %d, next %q", len(recs), total, next)
	}
	if recs[0].ID != "636709355" || !recs[0].UpdatedAt.Equal(time.Date(2017, 6, 27, 16, 47, 14, 0, time.UTC)) {
		t.Errorf("first record = %s at %s", recs[0].ID, recs[0].UpdatedAt)
	}
	var e struct{ Hours float64 }
	json.Unmarshal(recs[0].Payload, &e)
	if e.Hours != 2.11 {
		t.Errorf("payload not kept as sent: hours %v", e.Hours)
	}

	for _, tc := range []struct{ file, key string }{
		{"projects.json", "projects"}, {"users.json", "users"},
		{"user_assignments.json", "user_assignments"}, {"task_assignments.json", "task_assignments"},
	} {
		body, _ := os.ReadFile("testdata/" + tc.file)
		recs, _, _, err := decodeList(body, tc.key)
		if err != nil || len(recs) == 0 {
			t.Errorf("%s: %d records, %v", tc.file, len(recs), err)
		}
	}
}

func TestDecodeFollowsLinksNextQueryOnly(t *testing.T) {
	body := []byte(`{"clients":[{"id":1,"updated_at":"2020-01-01T00:00:00Z"}],"per_page":1,"total_entries":2,
		"next_page":null,"page":null,"links":{"next":"https://elsewhere.example/v2/clients?cursor=abc&per_page=1&ref=next_cursor"}}`)
	_, next, _, err := decodeList(body, "clients")
	if err != nil {
		t.Fatal(err)
	}
	if next != "cursor=abc&per_page=1&ref=next_cursor" {
		t.Errorf("next = %q", next)
	}
	// The vendor's own pagination example: a cursor link on page 1.
	raw, _ := os.ReadFile("testdata/pagination-clients-page1.json")
	var env struct {
		Links struct{ Next string } `json:"links"`
	}
	json.Unmarshal(raw, &env)
	if !strings.Contains(env.Links.Next, "cursor=") {
		t.Fatalf("fixture changed: %s", env.Links.Next)
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, body := range []string{`{"time_entries":[{"id":1,`, `{"other":[]}`, `{"time_entries":[{"hours":1}]}`} {
		if _, _, _, err := decodeList([]byte(body), "time_entries"); !errors.Is(err, connectors.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", body, err)
		}
	}
}

func newFake(t *testing.T, clients int) (*harvestfake.Server, *Connector, *time.Time) {
	t.Helper()
	fake := harvestfake.New("tok", "42")
	var cs []harvestfake.Client
	for i := 1; i <= clients; i++ {
		cs = append(cs, harvestfake.Client{ID: int64(i), Name: "C", IsActive: true, Currency: "GBP",
			UpdatedAt: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC)})
	}
	if err := fake.Put("clients", cs); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{AccountID: "42", Token: "tok", BaseURL: srv.URL + "/v2", PerPage: 3,
		Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, &now
}

func stream(c *Connector, name string) connectors.Stream {
	for _, s := range c.Streams() {
		if s.Name == name {
			return s
		}
	}
	panic(name)
}

// collect reads a stream like the sync engine does, threading the cursor.
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

func TestPagingIncrementalAndScans(t *testing.T) {
	fake, c, now := newFake(t, 7)
	st := stream(c, "clients")
	pages, cur := collect(t, st, nil)
	if len(pages) != 3 {
		t.Fatalf("pages = %d, want 3 (7 records at per_page 3)", len(pages))
	}
	n := 0
	for i, p := range pages {
		n += len(p.Records)
		if p.Scan == nil || p.Scan.Done != (i == 2) {
			t.Errorf("page %d: first sync must be a full read ending on the last page: %+v", i, p.Scan)
		}
	}
	if n != 7 {
		t.Errorf("records = %d", n)
	}

	// An hour later: incremental with updated_since = last pass start − lookback.
	*now = now.Add(time.Hour)
	fake.Put("clients", []harvestfake.Client{{ID: 3, Name: "C3", UpdatedAt: *now}})
	pages, cur = collect(t, st, cur)
	var state cursorState
	json.Unmarshal(cur, &state)
	if pages[0].Scan != nil {
		t.Error("incremental pass marked as scan")
	}
	// Only the record changed since (first pass start − 24h) comes back.
	if len(pages) != 1 || len(pages[0].Records) != 1 || pages[0].Records[0].ID != "3" {
		t.Errorf("incremental pass = %+v", pages)
	}
	if want := now.Add(-24 * time.Hour); state.UpdatedSince == nil || !state.UpdatedSince.Equal(want) {
		t.Errorf("updated_since = %v, want %v", state.UpdatedSince, want)
	}

	// A day later the stream is read whole again to find deletes.
	*now = now.Add(25 * time.Hour)
	fake.Delete("clients", 5)
	pages, _ = collect(t, st, cur)
	last := pages[len(pages)-1]
	if last.Scan == nil || !last.Scan.Done {
		t.Fatalf("expected a finished scan, got %+v", last.Scan)
	}
	for _, p := range pages {
		for _, r := range p.Records {
			if r.ID == "5" {
				t.Error("deleted record still served")
			}
		}
	}
}

func TestRetriesAndErrors(t *testing.T) {
	fake, c, _ := newFake(t, 2)
	st := stream(c, "clients")

	fake.Fail("/clients", harvestfake.Fault{Status: 500}, harvestfake.Fault{Status: 502})
	if pages, _ := collect(t, st, nil); len(pages[0].Records) != 2 {
		t.Error("5xx then success lost records")
	}
	if got := fake.Requests("/clients"); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}

	start := time.Now()
	fake.Fail("/clients", harvestfake.Fault{Status: 429, RetryAfter: "1"})
	collect(t, st, nil)
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 honoured for only %v", waited)
	}

	fake.Fail("/clients", harvestfake.Fault{Status: 429, RetryAfter: "3600"})
	err := st.Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrRateLimited) || !strings.Contains(err.Error(), "3600s") {
		t.Errorf("an hour's Retry-After: %v", err)
	}

	bad, _ := New(Config{AccountID: "42", Token: "wrong", BaseURL: c.cfg.BaseURL})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.harvest.token") {
		t.Errorf("401: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Error("the token leaked into the error")
	}

	fake.Fail("/clients", harvestfake.Fault{Malformed: true})
	err = st.Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Source: "hv", Token: "t"}, "sources.hv.account_id: required"},
		{Config{Source: "hv", AccountID: "1"}, "sources.hv.token: required"},
		{Config{Source: "hv", AccountID: "1", Token: "t", BaseURL: "not a url"}, "sources.hv.base_url"},
		{Config{Source: "hv", AccountID: "1", Token: "t", PerPage: 5000}, "sources.hv.per_page"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestCommitFailureStopsTheRead(t *testing.T) {
	_, c, _ := newFake(t, 7)
	boom := errors.New("disk full")
	pages := 0
	err := stream(c, "clients").Read(context.Background(), nil, func(connectors.Page) error {
		pages++
		if pages == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || pages != 2 {
		t.Errorf("err %v after %d pages; the read must stop at the failed commit", err, pages)
	}
}
