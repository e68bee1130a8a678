package pipedrive

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/pipedrive/pipedrivefake"
)

func TestVendorPayloads(t *testing.T) {
	for _, f := range []string{"v2_deals_list.json", "v2_organizations_list.json", "v2_persons_list.json", "v2_pipelines_list.json", "v2_stages_list.json", "v1_users_list.json"} {
		body, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		recs, next, err := decode(body)
		if err != nil || len(recs) == 0 {
			t.Errorf("%s: %d records, %v", f, len(recs), err)
		}
		if strings.HasPrefix(f, "v2_") && next == "" {
			t.Errorf("%s: the next_cursor was not read", f)
		}
	}
}

func setup(t *testing.T) (*pipedrivefake.Server, *Connector, *time.Time) {
	t.Helper()
	fake := pipedrivefake.New("tok")
	fake.PerTwoSeconds = 0
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1200 {
		fake.Put("deals", map[string]any{"id": i + 1, "title": "d", "status": "open", "update_time": old.Add(time.Duration(i) * time.Second).Format(time.RFC3339)})
	}
	fake.Put("deals/archived", map[string]any{"id": 5000, "title": "archived", "status": "lost", "is_archived": true, "update_time": old.Format(time.RFC3339)})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Token: "tok", BaseURL: srv.URL, Rate: 1000, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, &now
}

func read(t *testing.T, c *Connector, stream string, from connectors.Cursor) (ids []string, cur connectors.Cursor, pages int) {
	t.Helper()
	for _, st := range c.Streams() {
		if st.Name != stream {
			continue
		}
		err := st.Read(context.Background(), from, func(p connectors.Page) error {
			pages++
			for _, r := range p.Records {
				ids = append(ids, r.ID)
			}
			from = p.Next
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids, from, pages
}

func TestDealsPagesArchivedAndUpdatedSince(t *testing.T) {
	fake, c, now := setup(t)
	ids, cur, pages := read(t, c, "deals", nil)
	if len(ids) != 1201 || pages != 4 {
		t.Fatalf("%d deals on %d pages, want 1201 (1200 + 1 archived) on 3 + 1", len(ids), pages)
	}
	*now = now.Add(2 * time.Hour)
	fake.Put("deals", map[string]any{"id": 7, "title": "won", "status": "won", "update_time": now.Add(-time.Minute).Format(time.RFC3339)},
		map[string]any{"id": 8, "title": "gone", "status": "deleted", "is_deleted": true, "update_time": now.Add(-time.Minute).Format(time.RFC3339)})
	ids, _, _ = read(t, c, "deals", cur)
	if strings.Join(ids, ",") != "7,8" {
		t.Errorf("updated_since pass: %v (a deleted deal comes back with status deleted)", ids)
	}
}

func TestBudgetAndErrors(t *testing.T) {
	fake, c, _ := setup(t)
	fake.DailyBudget = fake.Spent() + 15
	var err error
	for _, st := range c.Streams() {
		if st.Name == "organizations" {
			fake.Put("organizations", map[string]any{"id": 1, "name": "Acme", "update_time": "2025-01-01T00:00:00Z"})
			err = st.Read(context.Background(), nil, func(connectors.Page) error { return nil })
			err = st.Read(context.Background(), nil, func(connectors.Page) error { return nil })
		}
	}
	if !errors.Is(err, connectors.ErrRateLimited) || !strings.Contains(err.Error(), "daily API token budget") {
		t.Errorf("budget: %v", err)
	}
	fake.DailyBudget = 0
	fake.Fail("/api/v2/stages", pipedrivefake.Fault{Status: 502}, pipedrivefake.Fault{Malformed: true})
	for _, st := range c.Streams() {
		if st.Name == "stages" {
			err = st.Read(context.Background(), nil, func(connectors.Page) error { return nil })
		}
	}
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("502 then malformed: %v", err)
	}
	bad, _ := New(Config{Source: "pd", Token: "nope", BaseURL: c.cfg.BaseURL})
	if err := bad.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.pd.api_token") {
		t.Errorf("401: %v", err)
	}
}
