package quickbooks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/quickbooks/quickbooksfake"
)

// Intuit publishes only OAuth fixtures; the refresh response shows the
// refresh token that replaces the old one.
func TestVendorPayloads(t *testing.T) {
	body, err := os.ReadFile("testdata/oauth_refresh_token_response.json")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.RefreshToken == "" || tok.ExpiresIn == 0 {
		t.Errorf("refresh response: %+v %v", tok, err)
	}
	disc, _ := os.ReadFile("testdata/oauth_openid_discovery.json")
	if !strings.Contains(string(disc), "oauth.platform.intuit.com") {
		t.Error("discovery document changed")
	}
}

func setup(t *testing.T) (*quickbooksfake.Server, *Connector, *time.Time) {
	t.Helper()
	fake := quickbooksfake.New("123", func(tok string) bool { return tok == "good" })
	fake.PerSecond = 0
	old := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var invs []quickbooksfake.Record
	for i := range 2500 {
		invs = append(invs, quickbooksfake.Record{ID: strconv.Itoa(i + 1), Updated: old.Add(time.Duration(i) * time.Second), Fields: map[string]any{"TotalAmt": 10.0}})
	}
	fake.Put("Invoice", invs...)
	fake.Put("Customer", quickbooksfake.Record{ID: "c1", Updated: old, Fields: map[string]any{"DisplayName": "Gone Ltd", "Active": false}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	fake.Now = func() time.Time { return now }
	c, err := New(Config{RealmID: "123", BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "good"}),
		Rate: 1000, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, &now
}

func read(t *testing.T, c *Connector, stream string, from connectors.Cursor) (ids, deleted []string, cur connectors.Cursor, pages int) {
	t.Helper()
	for _, st := range c.Streams() {
		if st.Name == stream {
			err := st.Read(context.Background(), from, func(p connectors.Page) error {
				pages++
				for _, r := range p.Records {
					ids = append(ids, r.ID)
				}
				deleted = append(deleted, p.Deleted...)
				from = p.Next
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids, deleted, from, pages
}

func TestQueryPagingAndCDCDeletes(t *testing.T) {
	fake, c, now := setup(t)
	ids, _, cur, pages := read(t, c, "invoices", nil)
	if len(ids) != 2500 || pages != 3 {
		t.Fatalf("%d invoices on %d pages", len(ids), pages)
	}
	*now = now.Add(2 * time.Hour)
	fake.Put("Invoice", quickbooksfake.Record{ID: "7", Updated: now.Add(-time.Minute), Fields: map[string]any{"TotalAmt": 0.0, "PrivateNote": "Voided"}})
	fake.Delete("Invoice", "8", now.Add(-time.Minute))
	ids, deleted, _, _ := read(t, c, "invoices", cur)
	if strings.Join(ids, ",") != "7" || strings.Join(deleted, ",") != "8" {
		t.Errorf("incremental: changed %v, deleted %v", ids, deleted)
	}
	q := fake.Queries()
	if last := q[len(q)-1]; !strings.Contains(last, "Metadata.LastUpdatedTime >= '2025-06-01T11:00:00+00:00'") {
		t.Errorf("incremental query %q", last)
	}
}

func TestInactiveNameListRowsAreRead(t *testing.T) {
	_, c, _ := setup(t)
	ids, _, _, _ := read(t, c, "customers", nil)
	if strings.Join(ids, ",") != "c1" {
		t.Errorf("customers %v: inactive customers must be read (Active IN (true,false))", ids)
	}
}

func TestErrors(t *testing.T) {
	fake, c, _ := setup(t)
	fake.Fail("/query", quickbooksfake.Fault{Status: 429}, quickbooksfake.Fault{Status: 500}, quickbooksfake.Fault{Malformed: true})
	err := c.Check(context.Background())
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("429, 500, then malformed: %v", err)
	}
	bad, _ := New(Config{Source: "qb", RealmID: "123", BaseURL: c.cfg.BaseURL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "stale"})})
	if err := bad.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "conflux connect qb") {
		t.Errorf("401: %v", err)
	}
	if _, err := New(Config{Source: "qb", RealmID: "1"}); err == nil || !strings.Contains(err.Error(), "auth: oauth2") {
		t.Errorf("no token source: %v", err)
	}
}
