package xero

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
)

func TestVendorPayloads(t *testing.T) {
	body, err := os.ReadFile("testdata/invoices_list.json")
	if err != nil {
		t.Fatal(err)
	}
	recs, pages, err := decode(body, "Invoices", "InvoiceID")
	if err != nil || len(recs) != 3 || pages != 1 {
		t.Fatalf("invoices_list: %d records, %d pages, %v", len(recs), pages, err)
	}
	if !strings.Contains(string(recs[0].Payload)+string(recs[1].Payload)+string(recs[2].Payload), `"VOIDED"`) {
		t.Error("the VOIDED example invoice must be kept as sent")
	}
	if recs[0].UpdatedAt.IsZero() {
		t.Error("UpdatedDateUTC not parsed")
	}
	contacts, _ := os.ReadFile("testdata/contacts_list.json")
	if recs, _, err := decode(contacts, "Contacts", "ContactID"); err != nil || len(recs) == 0 {
		t.Errorf("contacts_list: %v", err)
	}
	for in, want := range map[string]string{
		"/Date(1439434356790)/":      "2015-08-13T02:52:36Z",
		"/Date(1419937200000+1300)/": "2014-12-31T00:00:00Z",
		"/Date(1552326816230-0500)/": "2019-03-11T12:53:36Z",
	} {
		got, ok := ParseDate(in)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%s: %v, want %s", in, got, want)
		}
	}
}

type env struct {
	fake  *xerofake.Server
	conn  *Connector
	now   *time.Time
	slept *int
}

func setup(t *testing.T) env {
	t.Helper()
	fake := xerofake.New("tenant-1", "Demo", func(tok string) bool { return tok == "good" })
	fake.PerMinute = 0
	for i := range 5 {
		at := time.Date(2025, 1, 1, 0, i, 0, 0, time.UTC)
		fake.Put("Invoices", xerofake.Record{ID: fmt.Sprintf("inv-%d", i), Updated: at, Fields: map[string]any{
			"InvoiceID": fmt.Sprintf("inv-%d", i), "Type": "ACCREC", "Status": "AUTHORISED", "UpdatedDateUTC": xerofake.Date(at),
			"LineItems": []map[string]any{{"LineItemID": "l", "LineAmount": 10.0}}}})
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	slept := 0
	clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	fake.Now = func() time.Time { return clock }
	c, err := New(Config{TenantID: "tenant-1", BaseURL: srv.URL + "/api.xro/2.0", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "good"}),
		PageSize: 2, Rate: 1000, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error { slept++; clock = clock.Add(d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return env{fake, c, &now, &slept}
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

func TestPagingLineItemsAndIfModifiedSince(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("invoices"), nil)
	n := 0
	for _, p := range pages {
		n += len(p.Records)
		for _, r := range p.Records {
			if !strings.Contains(string(r.Payload), "LineItems") {
				t.Error("line items missing: the connector must always send page")
			}
		}
	}
	if n != 5 || len(pages) != 3 {
		t.Fatalf("%d invoices on %d pages", n, len(pages))
	}
	*e.now = e.now.Add(2 * time.Hour)
	voided := e.now.Add(-time.Minute)
	e.fake.Put("Invoices", xerofake.Record{ID: "inv-2", Updated: voided, Fields: map[string]any{"InvoiceID": "inv-2", "Type": "ACCREC", "Status": "VOIDED", "UpdatedDateUTC": xerofake.Date(voided)}})
	pages, _ = collect(t, e.stream("invoices"), cur)
	if got := e.fake.LastIfModifiedSince("Invoices"); got != "2025-06-01T11:00:00" {
		t.Errorf("If-Modified-Since %q, want the last pass start less an hour, as UTC yyyy-MM-ddTHH:mm:ss", got)
	}
	if len(pages) != 1 || len(pages[0].Records) != 1 || !strings.Contains(string(pages[0].Records[0].Payload), "VOIDED") {
		t.Errorf("the voided invoice must come back as an update: %+v", pages)
	}
}

func TestLimits(t *testing.T) {
	e := setup(t)
	e.fake.PerMinute = 2
	collect(t, e.stream("invoices"), nil)
	if *e.slept == 0 {
		t.Error("X-MinLimit-Remaining: 0 must make the connector wait for the next minute")
	}
	e.fake.PerMinute, e.fake.PerDay = 0, 1
	err := e.stream("contacts").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrRateLimited) || !strings.Contains(err.Error(), "daily limit") {
		t.Errorf("day limit: %v", err)
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/Invoices", xerofake.Fault{Status: 503}, xerofake.Fault{Malformed: true})
	err := e.stream("invoices").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("503 then malformed: %v", err)
	}
	bad, _ := New(Config{Source: "xr", TenantID: "tenant-1", BaseURL: e.conn.cfg.BaseURL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "stale"})})
	if err := bad.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "conflux connect xr") {
		t.Errorf("401: %v", err)
	}
	other, _ := New(Config{Source: "xr", TenantID: "tenant-2", BaseURL: e.conn.cfg.BaseURL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "good"})})
	if err := other.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) {
		t.Errorf("wrong tenant: %v", err)
	}
	if _, err := New(Config{Source: "xr", TenantID: "t"}); err == nil || !strings.Contains(err.Error(), "auth: oauth2") {
		t.Errorf("no token source: %v", err)
	}
}
