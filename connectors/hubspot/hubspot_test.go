package hubspot

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

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/connectors/hubspot/hubspotfake"
)

func TestVendorPayloads(t *testing.T) {
	obj, _ := os.ReadFile("testdata/crm_object_simplepublicobject.json")
	recs, err := connectors.DecodeArray([]byte("["+string(obj)+"]"), "id")
	if err != nil || len(recs) != 1 || recs[0].ID != "512" {
		t.Fatalf("SimplePublicObject: %v %v", recs, err)
	}
	if updatedAt(recs[0].Payload).IsZero() {
		t.Error("updatedAt not read")
	}
	var paging struct {
		After string `json:"after"`
	}
	body, _ := os.ReadFile("testdata/paging_next_page.json")
	if json.Unmarshal(body, &paging) != nil || paging.After == "" {
		t.Errorf("NextPage example: %s", body)
	}
	pipeline, _ := os.ReadFile("testdata/pipeline.json")
	if recs, err := connectors.DecodeArray([]byte("["+string(pipeline)+"]"), "id"); err != nil || recs[0].ID != "812723471" {
		t.Errorf("Pipeline: %v", err)
	}
}

type env struct {
	fake *hubspotfake.Server
	conn *Connector
	now  *time.Time
}

// setup holds 10,250 deals, most stamped with one modified time (a bulk
// import), past the search's 10,000-result cap.
func setup(t *testing.T, deals int) env {
	t.Helper()
	fake := hubspotfake.New(func(tok string) bool { return tok == "tok" })
	fake.PerTenSeconds, fake.SearchPerSecond = 0, 0
	bulk := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var objs []hubspotfake.Object
	for i := range deals {
		objs = append(objs, hubspotfake.Object{ID: strconv.Itoa(1000 + i), Created: bulk, Updated: bulk, Properties: map[string]string{"dealname": "d"},
			Companies: []string{"77"}})
	}
	fake.Put("deals", objs...)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Token: "tok", BaseURL: srv.URL, Rate: 100000, Retry: httpx.RetryPolicy{BaseDelay: time.Millisecond}, Now: func() time.Time { return now }})
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

func TestSearchStepsPastTheTenThousandCap(t *testing.T) {
	e := setup(t, 10250)
	pages, cur := collect(t, e.stream("deals"), nil)
	seen := map[string]bool{}
	for _, p := range pages {
		for _, r := range p.Records {
			seen[r.ID] = true
		}
	}
	if len(seen) != 10250 {
		t.Fatalf("%d distinct deals read, want all 10250 despite the 10,000-result cap and one shared timestamp", len(seen))
	}
	// Later: one edit and one archive (archiving does not bump the modified date).
	*e.now = e.now.Add(2 * time.Hour)
	e.fake.Put("deals", hubspotfake.Object{ID: "1005", Created: e.now.Add(-time.Hour), Updated: e.now.Add(-time.Minute), Properties: map[string]string{"dealname": "renamed"}},
		hubspotfake.Object{ID: "1006", Created: e.now.Add(-time.Hour), Updated: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Archived: true})
	pages, _ = collect(t, e.stream("deals"), cur)
	var got, gone []string
	for _, p := range pages {
		for _, r := range p.Records {
			got = append(got, r.ID)
		}
		gone = append(gone, p.Deleted...)
	}
	if strings.Join(got, ",") != "1005" || strings.Join(gone, ",") != "1006" {
		t.Errorf("incremental: %v changed, %v archived", got, gone)
	}
}

func TestAssociationsAndErrors(t *testing.T) {
	e := setup(t, 3)
	pages, _ := collect(t, e.stream("deal_companies"), nil)
	if len(pages) == 0 || len(pages[0].Records) != 3 || !strings.Contains(string(pages[0].Records[0].Payload), `"typeId":5`) {
		t.Fatalf("associations: %+v", pages)
	}
	e.fake.Fail("/crm/v3/objects/deals/search", hubspotfake.Fault{Status: 429}, hubspotfake.Fault{Status: 502}, hubspotfake.Fault{Malformed: true})
	err := e.stream("deals").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("429, 502, then malformed: %v", err)
	}
	bad, _ := New(Config{Source: "hs", Token: "nope", BaseURL: e.conn.cfg.BaseURL})
	if err := bad.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.hs.token") {
		t.Errorf("401: %v", err)
	}
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "sources.hubspot.token") {
		t.Errorf("no token: %v", err)
	}
}
