package productive

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/productive/productivefake"
)

type env struct {
	fake *productivefake.Server
	conn *Connector
	now  *time.Time
}

func setup(t *testing.T) env {
	t.Helper()
	fake := productivefake.New("tok", "42")
	fake.PerTenSeconds = 0
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var entries []productivefake.Resource
	for i := range 450 {
		entries = append(entries, productivefake.Resource{ID: strconv.Itoa(i + 1), Type: "time_entries", UpdatedAt: old,
			Attributes:    map[string]any{"date": "2025-01-02", "time": 60, "billable_time": 45, "updated_at": old.Format(time.RFC3339)},
			Relationships: map[string][2]string{"person": {"people", "7"}, "service": {"services", "9"}}})
	}
	fake.Put("time_entries", entries...)
	fake.Put("people", productivefake.Resource{ID: "7", Type: "people", Attributes: map[string]any{"first_name": "Ana"}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{OrganizationID: "42", Token: "tok", BaseURL: srv.URL + "/api/v2", Rate: 1000,
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

func TestTimeEntriesPagesUpdatedAtAndDeletedItems(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("time_entries"), nil)
	n := 0
	for _, p := range pages {
		n += len(p.Records)
	}
	if n != 450 {
		t.Fatalf("full read: %d records", n)
	}
	// Relationship ids arrive because the connector includes them.
	if !strings.Contains(string(pages[0].Records[0].Payload), `"service":{"data":{"id":"9","type":"services"}}`) {
		t.Errorf("relationship ids missing: %s", pages[0].Records[0].Payload)
	}
	*e.now = e.now.Add(time.Hour)
	changed := e.now.Add(-time.Minute)
	e.fake.Put("time_entries", productivefake.Resource{ID: "3", Type: "time_entries", UpdatedAt: changed,
		Attributes: map[string]any{"date": "2025-01-02", "time": 90, "updated_at": changed.Format(time.RFC3339)}})
	e.fake.Delete("time_entries", "4", "TimeEntry", changed)
	pages, _ = collect(t, e.stream("time_entries"), cur)
	var got, gone []string
	for _, p := range pages {
		if p.Scan != nil {
			t.Error("an incremental pass is not a scan")
		}
		for _, r := range p.Records {
			got = append(got, r.ID)
		}
		gone = append(gone, p.Deleted...)
	}
	if strings.Join(got, ",") != "3" || strings.Join(gone, ",") != "4" {
		t.Errorf("incremental: records %v, tombstones %v", got, gone)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/people", productivefake.Fault{Status: 429}, productivefake.Fault{Status: 502})
	if pages, _ := collect(t, e.stream("people"), nil); len(pages[0].Records) != 1 {
		t.Error("429 then 502 then success lost records")
	}
	e.fake.Fail("/people", productivefake.Fault{Malformed: true})
	err := e.stream("people").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	bad, _ := New(Config{Source: "pr", OrganizationID: "42", Token: "nope", BaseURL: e.conn.cfg.BaseURL})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.pr.token") || strings.Contains(err.Error(), "nope") {
		t.Errorf("401: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{{Config{Token: "t"}, "sources.productive.organization_id"}, {Config{OrganizationID: "1"}, "sources.productive.token"},
		{Config{OrganizationID: "1", Token: "t", PageSize: 500}, "sources.productive.page_size"}} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
