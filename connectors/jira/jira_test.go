package jira

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
	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
)

func TestVendorPayloads(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if recs, err := connectors.DecodeArray(read("worklog-list.json"), "id"); err != nil || len(recs) != 1 || recs[0].ID != "100028" {
		t.Errorf("worklog-list: %v %v", recs, err)
	}
	if recs, err := connectors.DecodeArray(read("users-search.json"), "accountId"); err != nil || len(recs) != 2 {
		t.Errorf("users-search: %v %v", recs, err)
	}
	var feed feedPage
	if err := json.Unmarshal(read("worklog-updated.json"), &feed); err != nil || len(feed.Values) != 3 || feed.Until != 1438013693136 || !feed.LastPage {
		t.Errorf("worklog-updated: %+v %v", feed, err)
	}
	var search struct {
		Issues json.RawMessage `json:"issues"`
	}
	json.Unmarshal(read("search-jql.json"), &search)
	if recs, err := connectors.DecodeArray(search.Issues, "id"); err != nil || len(recs) == 0 {
		t.Errorf("search-jql: %v", err)
	}
	var projects struct {
		Values json.RawMessage `json:"values"`
		IsLast bool            `json:"isLast"`
	}
	json.Unmarshal(read("project-search.json"), &projects)
	if recs, err := connectors.DecodeArray(projects.Values, "id"); err != nil || len(recs) != 2 || projects.IsLast {
		t.Errorf("project-search: %v %v", recs, err)
	}
}

type env struct {
	fake *jirafake.Server
	conn *Connector
	now  *time.Time
}

func worklog(id int64, updated time.Time) jirafake.Worklog {
	return jirafake.Worklog{ID: strconv.FormatInt(id, 10), IssueID: "1", Author: jirafake.Author{AccountID: "a1"},
		Started: updated.Format(jirafake.TimeLayout), TimeSpentSeconds: 3600, Created: updated.Format(jirafake.TimeLayout), Updated: updated.Format(jirafake.TimeLayout)}
}

func setup(t *testing.T) env {
	t.Helper()
	fake := jirafake.New("me@x.test", "tok")
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	fake.Now = func() time.Time { return now }
	var is jirafake.Issue
	is.ID, is.Key = "1", "WEB-1"
	is.Fields.Updated = now.Add(-48 * time.Hour).Format(jirafake.TimeLayout)
	fake.PutIssues([]jirafake.Issue{is})
	var logs []jirafake.Worklog
	for i := range 2500 {
		logs = append(logs, worklog(int64(1000+i), now.Add(-time.Duration(2501-i)*time.Minute)))
	}
	fake.PutWorklogs(logs)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Email: "me@x.test", APIToken: "tok", Rate: 1000,
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

func TestWorklogFeeds(t *testing.T) {
	e := setup(t)
	st := e.stream("worklogs")
	pages, cur := collect(t, st, nil)
	seen := map[string]bool{}
	for _, p := range pages {
		for _, r := range p.Records {
			seen[r.ID] = true
		}
	}
	if len(seen) != 2500 {
		t.Errorf("first read: %d distinct worklogs, want 2500 (over 1000-id pages)", len(seen))
	}
	if e.fake.Requests("/worklog/list") < 3 {
		t.Error("bodies must be fetched in batches of at most 1000 ids")
	}
	// Later: one edit, one delete.
	*e.now = e.now.Add(time.Hour)
	e.fake.PutWorklogs([]jirafake.Worklog{worklog(1000, e.now.Add(-10*time.Minute))})
	e.fake.DeleteWorklog(e.now.Add(-5*time.Minute), 1001)
	pages, _ = collect(t, st, cur)
	var got, deleted []string
	for _, p := range pages {
		for _, r := range p.Records {
			got = append(got, r.ID)
		}
		deleted = append(deleted, p.Deleted...)
	}
	if !contains(got, "1000") || len(got) > 3 || strings.Join(deleted, ",") != "1001" {
		t.Errorf("incremental: records %v, tombstones %v", got, deleted)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestIssuesJQLAndScan(t *testing.T) {
	e := setup(t)
	pages, cur := collect(t, e.stream("issues"), nil)
	if len(pages) != 1 || len(pages[0].Records) != 1 || pages[0].Scan == nil || !pages[0].Scan.Done {
		t.Fatalf("full read: %+v", pages)
	}
	*e.now = e.now.Add(time.Hour)
	pages, _ = collect(t, e.stream("issues"), cur)
	// The issue changed 48 h ago; the incremental JQL starts 24 h before the last pass.
	if len(pages[0].Records) != 0 || pages[0].Scan != nil {
		t.Errorf("incremental read: %+v", pages[0])
	}
}

func TestErrors(t *testing.T) {
	e := setup(t)
	e.fake.Fail("/worklog/updated", jirafake.Fault{Status: 429, RetryAfter: "0"}, jirafake.Fault{Status: 503})
	if err := e.stream("worklogs").Read(context.Background(), nil, func(connectors.Page) error { return nil }); err != nil {
		t.Fatalf("429 then 503 then success: %v", err)
	}
	e.fake.Fail("/worklog/updated", jirafake.Fault{Malformed: true})
	err := e.stream("worklogs").Read(context.Background(), nil, func(connectors.Page) error { return nil })
	if !errors.Is(err, connectors.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	bad, _ := New(Config{Source: "jr", BaseURL: e.conn.cfg.BaseURL, Email: "me@x.test", APIToken: "nope"})
	err = bad.Check(context.Background())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "sources.jr.api_token") || strings.Contains(err.Error(), "nope") {
		t.Errorf("401: %v", err)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{{Config{Email: "e", APIToken: "t"}, "sources.jira.base_url"}, {Config{BaseURL: "https://x", APIToken: "t"}, "sources.jira.email"}, {Config{BaseURL: "https://x", Email: "e"}, "sources.jira.api_token"}} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
}
