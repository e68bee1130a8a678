// Package jira reads Jira Cloud (REST API v3): projects, users, issues
// through the enhanced search (/search/jql, nextPageToken, a bounded
// `updated >=` JQL) and worklogs through the change feeds (/worklog/updated
// then /worklog/list, and /worklog/deleted for tombstones). Worklogs feed
// core.time_entries, issues core.tasks, projects core.projects. Jira holds
// no rates and no billable flag.
package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// Config is what the connector needs.
type Config struct {
	Source   string
	BaseURL  string // the site, e.g. https://your-domain.atlassian.net
	Email    string
	APIToken string
	// OAuth 2.0 (3LO) instead of an API token: requests go to
	// APIURL/ex/jira/CloudID with the token source's bearer tokens.
	TokenSource oauth2.TokenSource
	CloudID     string
	APIURL      string // default https://api.atlassian.com
	// StartDate limits the first read of issues and worklogs.
	StartDate     time.Time
	Lookback      time.Duration // overlap on issue changes; JQL has minute precision in the user's zone
	FullScanEvery time.Duration // how often issues are read whole to find deleted ones
	PageSize      int           // issues per search page; default 100
	Rate          rate.Limit    // default 10 requests/s; 429 Retry-After is honoured
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one Jira Cloud site.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

const api = "/rest/api/3"

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "jira"
	}
	key := "sources." + cfg.Source
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.TokenSource != nil {
		if cfg.CloudID == "" {
			return nil, fmt.Errorf("%s: the stored authorization has no Jira site (cloud id): run `conflux connect %s` again", key, cfg.Source)
		}
		if cfg.APIURL == "" {
			cfg.APIURL = "https://api.atlassian.com"
		}
		base = strings.TrimSuffix(cfg.APIURL, "/") + "/ex/jira/" + cfg.CloudID
	} else {
		if cfg.BaseURL == "" {
			return nil, fmt.Errorf("%s.base_url: required, the site's address (https://your-domain.atlassian.net)", key)
		}
		if cfg.Email == "" {
			return nil, fmt.Errorf("%s.email: required (the Atlassian account the API token belongs to)", key)
		}
		if cfg.APIToken == "" {
			return nil, fmt.Errorf("%s.api_token: required (create one at https://id.atlassian.com/manage-profile/security/api-tokens, and set api_token: ${JIRA_API_TOKEN}), or use auth: oauth2", key)
		}
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 24 * time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 100
	}
	if cfg.Rate == 0 {
		cfg.Rate = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := httpx.Options{Vendor: "jira", BaseURL: base + api, TokenSource: cfg.TokenSource,
		Rate: cfg.Rate, Burst: 10, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport}
	if cfg.TokenSource == nil {
		email, token := cfg.Email, cfg.APIToken
		opts.Auth = func(r *http.Request) { r.SetBasicAuth(email, token) }
	}
	client, err := httpx.New(opts)
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "jira" }

// Check reads the token's own account.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/myself")
	return c.explain(err)
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	return []connectors.Stream{
		{Name: "projects", PrimaryKey: "id", Read: c.readProjects},
		{Name: "users", PrimaryKey: "accountId", Read: c.readUsers},
		{Name: "issues", PrimaryKey: "id", Cursor: "fields.updated", Read: c.readIssues},
		{Name: "worklogs", PrimaryKey: "id", Cursor: "updated", Read: c.readWorklogs},
	}
}

func scanID(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

type offsetCursor struct {
	ScanID  string `json:"scan_id,omitempty"`
	StartAt int    `json:"start_at,omitempty"`
}

// readProjects pages /project/search (startAt, isLast) as a full read.
func (c *Connector) readProjects(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur offsetCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.ScanID == "" {
		cur = offsetCursor{ScanID: scanID(c.cfg.Now())}
	}
	for {
		path := fmt.Sprintf("/project/search?startAt=%d&maxResults=100&expand=insight", cur.StartAt)
		body, err := c.http.Get(ctx, path)
		if err != nil {
			return c.explain(err)
		}
		var env struct {
			IsLast bool            `json:"isLast"`
			Total  int             `json:"total"`
			Values json.RawMessage `json:"values"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return fmt.Errorf("page %s: %w: %v", path, connectors.ErrMalformed, err)
		}
		records, err := connectors.DecodeArray(env.Values, "id")
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		done := env.IsLast || len(records) == 0
		next := offsetCursor{ScanID: cur.ScanID, StartAt: cur.StartAt + len(records)}
		if done {
			next = offsetCursor{}
		}
		cursor, _ := json.Marshal(next)
		if err := emit(connectors.Page{Records: records, Total: env.Total, Next: cursor, Scan: &connectors.Scan{ID: cur.ScanID, Done: done}}); err != nil {
			return err
		}
		if done {
			return nil
		}
		cur = next
	}
}

// readUsers pages /users/search, a bare array; only an empty page ends it.
func (c *Connector) readUsers(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur offsetCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.ScanID == "" {
		cur = offsetCursor{ScanID: scanID(c.cfg.Now())}
	}
	for {
		path := fmt.Sprintf("/users/search?startAt=%d&maxResults=1000", cur.StartAt)
		body, err := c.http.Get(ctx, path)
		if err != nil {
			return c.explain(err)
		}
		records, err := connectors.DecodeArray(body, "accountId")
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		done := len(records) == 0
		next := offsetCursor{ScanID: cur.ScanID, StartAt: cur.StartAt + len(records)}
		if done {
			next = offsetCursor{}
		}
		cursor, _ := json.Marshal(next)
		if err := emit(connectors.Page{Records: records, Next: cursor, Scan: &connectors.Scan{ID: cur.ScanID, Done: done}}); err != nil {
			return err
		}
		if done {
			return nil
		}
		cur = next
	}
}

type issueCursor struct {
	Since    *time.Time `json:"since,omitempty"`
	LastScan time.Time  `json:"last_scan,omitzero"`
	// a pass in progress
	PassSince *time.Time `json:"pass_since,omitempty"`
	PassStart time.Time  `json:"pass_start,omitzero"`
	ScanID    string     `json:"scan_id,omitempty"`
	Token     string     `json:"token,omitempty"`
	Started   bool       `json:"started,omitempty"`
}

const issueFields = "summary,project,issuetype,status,created,updated,timeoriginalestimate,parent"

// readIssues runs `updated >= "…" ORDER BY updated ASC` and follows
// nextPageToken. A full pass (daily) starts at start_date and is a scan.
func (c *Connector) readIssues(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur issueCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if !cur.Started {
		now := c.cfg.Now().UTC()
		next := issueCursor{Since: cur.Since, LastScan: cur.LastScan, PassStart: now, Started: true}
		if cur.Since == nil || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = scanID(now)
			start := c.cfg.StartDate
			if start.IsZero() {
				start = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			next.PassSince = &start
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	jql := fmt.Sprintf(`updated >= "%s" ORDER BY updated ASC`, cur.PassSince.UTC().Format("2006/01/02 15:04"))
	for {
		q := url.Values{"jql": {jql}, "maxResults": {strconv.Itoa(c.cfg.PageSize)}, "fields": {issueFields}}
		if cur.Token != "" {
			q.Set("nextPageToken", cur.Token)
		}
		path := "/search/jql?" + q.Encode()
		body, err := c.http.Get(ctx, path)
		if err != nil {
			return c.explain(err)
		}
		var env struct {
			Issues        json.RawMessage `json:"issues"`
			NextPageToken string          `json:"nextPageToken"`
			IsLast        bool            `json:"isLast"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return fmt.Errorf("search page: %w: %v", connectors.ErrMalformed, err)
		}
		records, err := connectors.DecodeArray(env.Issues, "id")
		if err != nil {
			return fmt.Errorf("search page: %w", err)
		}
		done := env.NextPageToken == "" || env.IsLast
		next := cur
		next.Token = env.NextPageToken
		if done {
			since := cur.PassStart.Add(-c.cfg.Lookback)
			next = issueCursor{Since: &since, LastScan: cur.LastScan}
			if cur.ScanID != "" {
				next.LastScan = cur.PassStart
			}
		}
		page := connectors.Page{Records: records}
		if cur.ScanID != "" {
			page.Scan = &connectors.Scan{ID: cur.ScanID, Done: done}
		}
		page.Next, _ = json.Marshal(next)
		if err := emit(page); err != nil {
			return err
		}
		if done {
			return nil
		}
		cur = next
	}
}

type worklogCursor struct {
	UpdatedSince int64  `json:"updated_since"` // epoch ms
	DeletedSince int64  `json:"deleted_since"`
	Phase        string `json:"phase,omitempty"` // "" or "updated" reads changes, "deleted" tombstones
}

type feedPage struct {
	Values []struct {
		WorklogID int64 `json:"worklogId"`
	} `json:"values"`
	Until    int64 `json:"until"`
	LastPage bool  `json:"lastPage"`
}

// readWorklogs reads /worklog/updated from the stored `since` (each page's
// `until` is the next `since`: the feed leaves out the last minute, so
// nothing is skipped), fetches the bodies with /worklog/list, then reads
// /worklog/deleted the same way for tombstones.
func (c *Connector) readWorklogs(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur worklogCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	} else if !c.cfg.StartDate.IsZero() {
		cur.UpdatedSince = c.cfg.StartDate.UnixMilli()
	}
	if cur.Phase == "" {
		cur.Phase = "updated"
	}
	for {
		since := cur.UpdatedSince
		if cur.Phase == "deleted" {
			since = cur.DeletedSince
		}
		path := fmt.Sprintf("/worklog/%s?since=%d", cur.Phase, since)
		body, err := c.http.Get(ctx, path)
		if err != nil {
			return c.explain(err)
		}
		var feed feedPage
		if err := json.Unmarshal(body, &feed); err != nil {
			return fmt.Errorf("page %s: %w: %v", path, connectors.ErrMalformed, err)
		}
		if !feed.LastPage && feed.Until <= since {
			return fmt.Errorf("page %s: Jira returned a full page of changes in one millisecond; cannot page past it", path)
		}
		page := connectors.Page{}
		ids := make([]string, len(feed.Values))
		for i, v := range feed.Values {
			ids[i] = strconv.FormatInt(v.WorklogID, 10)
		}
		next := cur
		if cur.Phase == "updated" {
			if page.Records, err = c.worklogBodies(ctx, feed.Values); err != nil {
				return err
			}
			next.UpdatedSince = max(feed.Until, since)
			if feed.LastPage {
				next.Phase = "deleted"
			}
		} else {
			page.Deleted = ids
			next.DeletedSince = max(feed.Until, since)
			if feed.LastPage {
				next.Phase = ""
			}
		}
		page.Next, _ = json.Marshal(next)
		if err := emit(page); err != nil {
			return err
		}
		if next.Phase == "" {
			return nil
		}
		cur = next
	}
}

func (c *Connector) worklogBodies(ctx context.Context, values []struct {
	WorklogID int64 `json:"worklogId"`
}) ([]connectors.Record, error) {
	var records []connectors.Record
	for start := 0; start < len(values); start += 1000 {
		var ids []int64
		for _, v := range values[start:min(start+1000, len(values))] {
			ids = append(ids, v.WorklogID)
		}
		body, _ := json.Marshal(map[string]any{"ids": ids})
		resp, err := c.http.Do(ctx, http.MethodPost, "/worklog/list", "application/json", body)
		if err != nil {
			return nil, c.explain(err)
		}
		recs, err := connectors.DecodeArray(resp.Body, "id")
		if err != nil {
			return nil, fmt.Errorf("/worklog/list: %w", err)
		}
		for i := range recs {
			var head struct {
				Updated string `json:"updated"`
			}
			json.Unmarshal(recs[i].Payload, &head)
			recs[i].UpdatedAt, _ = time.Parse("2006-01-02T15:04:05.000-0700", head.Updated)
		}
		records = append(records, recs...)
	}
	return records, nil
}

func (c *Connector) explain(err error) error {
	var apiErr *httpx.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	key := "sources." + c.cfg.Source
	switch apiErr.Status {
	case http.StatusUnauthorized:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Jira refused the credentials (HTTP 401): check %s.email and %s.api_token (tokens are at https://id.atlassian.com/manage-profile/security/api-tokens) and %s.base_url", key, key, key)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Jira denied access to %s (HTTP 403): the account needs Browse projects and Browse users permissions", apiErr.Path)}
	}
	return err
}
