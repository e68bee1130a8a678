// Package clockify reads Clockify API v1 (https://docs.clockify.me): workspace
// users with their rates, clients, projects, tasks and every user's time
// entries. Lists are small and read whole each sync (a key-set diff finds
// deletes); time entries are read whole per user once a day and otherwise
// through the entity change feeds, whose deleted feed gives tombstones.
package clockify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is the global API host.
const DefaultBaseURL = "https://api.clockify.me/api/v1"

// Regions maps a data-residency region to its API host.
var Regions = map[string]string{
	"euc1":  "https://euc1.clockify.me/api/v1",
	"use2":  "https://use2.clockify.me/api/v1",
	"euw2":  "https://euw2.clockify.me/api/v1",
	"apse2": "https://apse2.clockify.me/api/v1",
}

// Config is what the connector needs.
type Config struct {
	Source      string
	WorkspaceID string
	APIKey      string
	BaseURL     string // overrides Region
	Region      string // euc1, use2, euw2, apse2; "" = global
	// StartDate limits time entries to those starting on or after it.
	StartDate     time.Time
	Lookback      time.Duration
	FullScanEvery time.Duration
	PageSize      int
	Rate          rate.Limit // default 10 requests/s (API keys; add-ons get 50)
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one Clockify workspace.
type Connector struct {
	cfg  Config
	http *httpx.Client
	ws   string // /workspaces/{id}
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "clockify"
	}
	key := "sources." + cfg.Source
	if cfg.WorkspaceID == "" {
		return nil, fmt.Errorf("%s.workspace_id: required (it is in the address of the workspace settings page: app.clockify.me/workspaces/<id>/settings)", key)
	}
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("%s.api_key: required (generate one under Profile settings → API, and set api_key: ${CLOCKIFY_API_KEY})", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
		if cfg.Region != "" {
			host, ok := Regions[cfg.Region]
			if !ok {
				return nil, fmt.Errorf("%s.region: %q is not a Clockify region (euc1, use2, euw2 or apse2; leave it out for the global host)", key, cfg.Region)
			}
			cfg.BaseURL = host
		}
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 24 * time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 1000
	}
	if cfg.Rate == 0 {
		cfg.Rate = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client, err := httpx.New(httpx.Options{
		Vendor:  "clockify",
		BaseURL: cfg.BaseURL,
		Auth: func(r *http.Request) {
			r.Header.Set("X-Api-Key", cfg.APIKey)
		},
		Rate: cfg.Rate, Burst: 5, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client, ws: "/workspaces/" + url.PathEscape(cfg.WorkspaceID)}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "clockify" }

// Check reads the key's own user.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/user")
	return c.explain(err)
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	list := func(name, path string, q url.Values) connectors.Stream {
		return connectors.Stream{Name: name, PrimaryKey: "id", Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.readList(ctx, path, q, from, emit)
		}}
	}
	return []connectors.Stream{
		list("users", c.ws+"/users", url.Values{"memberships": {"WORKSPACE"}}),
		list("clients", c.ws+"/clients", nil),
		list("projects", c.ws+"/projects", url.Values{"hydrated": {"true"}}),
		{Name: "tasks", PrimaryKey: "id", Read: c.readTasks},
		{Name: "time_entries", PrimaryKey: "id", Cursor: "changed", Read: c.readTimeEntries},
	}
}

// listCursor is a full read in progress: the page to fetch next.
type listCursor struct {
	ScanID string `json:"scan_id,omitempty"`
	Page   int    `json:"page,omitempty"`
}

func (c *Connector) pageQuery(path string, q url.Values, page int) string {
	v := url.Values{}
	for k, vals := range q {
		v[k] = vals
	}
	v.Set("page", strconv.Itoa(page))
	v.Set("page-size", strconv.Itoa(c.cfg.PageSize))
	return path + "?" + v.Encode()
}

// readList reads a paged list whole. Clockify's lists are bare arrays with
// no total or next link, and a server may cap page-size below what was
// asked, so only an empty page ends the read.
func (c *Connector) readList(ctx context.Context, path string, q url.Values, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur listCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.Page == 0 {
		cur = listCursor{ScanID: c.cfg.Now().UTC().Format(time.RFC3339Nano), Page: 1}
	}
	for {
		pq := c.pageQuery(path, q, cur.Page)
		records, err := c.getArray(ctx, pq)
		if err != nil {
			return err
		}
		done := len(records) == 0
		next := listCursor{ScanID: cur.ScanID, Page: cur.Page + 1}
		if done {
			next = listCursor{}
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

// taskCursor walks every project's tasks.
type taskCursor struct {
	ScanID   string   `json:"scan_id,omitempty"`
	Projects []string `json:"projects,omitempty"`
	Index    int      `json:"index,omitempty"`
	Page     int      `json:"page,omitempty"`
}

func (c *Connector) readTasks(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur taskCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.ScanID == "" {
		ids, err := c.allIDs(ctx, c.ws+"/projects", nil)
		if err != nil {
			return err
		}
		cur = taskCursor{ScanID: c.cfg.Now().UTC().Format(time.RFC3339Nano), Projects: ids, Page: 1}
	}
	return c.walk(ctx, &cur.Index, &cur.Page, len(cur.Projects), cur.ScanID,
		func(i, page int) string {
			return c.pageQuery(c.ws+"/projects/"+url.PathEscape(cur.Projects[i])+"/tasks", nil, page)
		},
		func(done bool) []byte {
			if done {
				return []byte(`{}`)
			}
			b, _ := json.Marshal(cur)
			return b
		}, emit)
}

// walk pages through n sub-lists (a project's tasks, a user's entries) in
// one full read; *index and *page are the cursor's position and move as
// pages commit.
func (c *Connector) walk(ctx context.Context, index, page *int, n int, scanID string, query func(i, page int) string,
	cursor func(done bool) []byte, emit func(connectors.Page) error) error {
	for {
		var records []connectors.Record
		if *index < n {
			var err error
			if records, err = c.getArray(ctx, query(*index, *page)); err != nil {
				return err
			}
		}
		if len(records) == 0 {
			*index, *page = *index+1, 1
		} else {
			*page++
		}
		done := *index >= n
		if len(records) == 0 && !done {
			continue // nothing to commit; a restart here only re-reads an empty page
		}
		if err := emit(connectors.Page{Records: records, Next: cursor(done), Scan: &connectors.Scan{ID: scanID, Done: done}}); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

func (c *Connector) allIDs(ctx context.Context, path string, q url.Values) ([]string, error) {
	var ids []string
	for page := 1; ; page++ {
		records, err := c.getArray(ctx, c.pageQuery(path, q, page))
		if err != nil {
			return nil, err
		}
		if len(records) == 0 {
			return ids, nil
		}
		for _, r := range records {
			ids = append(ids, r.ID)
		}
	}
}

// entriesCursor is the time entries' state: the change-feed window, and a
// per-user full read in progress.
type entriesCursor struct {
	UpdatedSince *time.Time `json:"updated_since,omitempty"`
	LastScan     time.Time  `json:"last_scan,omitzero"`
	ScanID       string     `json:"scan_id,omitempty"`
	PassStart    time.Time  `json:"pass_start,omitzero"`
	Users        []string   `json:"users,omitempty"`
	Index        int        `json:"index,omitempty"`
	Page         int        `json:"page,omitempty"`
}

func (c *Connector) readTimeEntries(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur entriesCursor
	if len(from) > 0 {
		if err := json.Unmarshal(from, &cur); err != nil {
			return fmt.Errorf("stored cursor is unreadable (%v); delete its row from meta.sync_state to start over", err)
		}
	}
	now := c.cfg.Now().UTC()
	if cur.ScanID == "" && cur.UpdatedSince != nil && now.Sub(cur.LastScan) < c.cfg.FullScanEvery {
		return c.readChanges(ctx, cur, now, emit)
	}
	if cur.ScanID == "" {
		users, err := c.allIDs(ctx, c.ws+"/users", nil)
		if err != nil {
			return err
		}
		cur = entriesCursor{UpdatedSince: cur.UpdatedSince, LastScan: cur.LastScan, ScanID: now.Format(time.RFC3339Nano), PassStart: now, Users: users, Page: 1}
	}
	start := c.cfg.StartDate
	if start.IsZero() {
		start = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	q := url.Values{"start": {start.UTC().Format(time.RFC3339)}}
	return c.walk(ctx, &cur.Index, &cur.Page, len(cur.Users), cur.ScanID,
		func(i, page int) string {
			return c.pageQuery(c.ws+"/user/"+url.PathEscape(cur.Users[i])+"/time-entries", q, page)
		},
		func(done bool) []byte {
			next := cur
			if done {
				since := cur.PassStart.Add(-c.cfg.Lookback)
				next = entriesCursor{UpdatedSince: &since, LastScan: cur.PassStart}
			}
			b, _ := json.Marshal(next)
			return b
		}, emit)
}

// readChanges reads the TIME_ENTRY change feeds for [updated_since, now):
// changed entries as records, deleted ones as tombstones, in one page.
func (c *Connector) readChanges(ctx context.Context, cur entriesCursor, now time.Time, emit func(connectors.Page) error) error {
	window := url.Values{"type": {"TIME_ENTRY"}, "start": {cur.UpdatedSince.UTC().Format(time.RFC3339)}, "end": {now.Format(time.RFC3339)}}
	updated, err := c.getFeed(ctx, c.ws+"/entities/updated?"+window.Encode())
	if err != nil {
		return err
	}
	deleted, err := c.getFeed(ctx, c.ws+"/entities/deleted?"+window.Encode())
	if err != nil {
		return err
	}
	page := connectors.Page{Records: updated}
	for _, d := range deleted {
		page.Deleted = append(page.Deleted, d.ID)
	}
	since := now.Add(-c.cfg.Lookback)
	page.Next, _ = json.Marshal(entriesCursor{UpdatedSince: &since, LastScan: cur.LastScan})
	return emit(page)
}

func (c *Connector) getArray(ctx context.Context, pathAndQuery string) ([]connectors.Record, error) {
	body, err := c.http.Get(ctx, pathAndQuery)
	if err != nil {
		return nil, c.explain(err)
	}
	records, err := decodeArray(body, func(raw json.RawMessage) (json.RawMessage, error) { return raw, nil })
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", pathAndQuery, err)
	}
	return records, nil
}

// getFeed reads an entity feed; each item's document is the record.
func (c *Connector) getFeed(ctx context.Context, pathAndQuery string) ([]connectors.Record, error) {
	body, err := c.http.Get(ctx, pathAndQuery)
	if err != nil {
		return nil, c.explain(err)
	}
	records, err := decodeArray(body, func(raw json.RawMessage) (json.RawMessage, error) {
		var item struct {
			Document json.RawMessage `json:"document"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			return nil, err
		}
		if len(item.Document) == 0 || string(item.Document) == "null" {
			return raw, nil
		}
		return item.Document, nil
	})
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", pathAndQuery, err)
	}
	return records, nil
}

// decodeArray reads a bare JSON array of objects with an "id" in one pass.
func decodeArray(body []byte, payload func(json.RawMessage) (json.RawMessage, error)) ([]connectors.Record, error) {
	dec := connectors.NewDecoder(body)
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '[' {
		// Clockify sometimes answers 200 with an error object.
		return nil, fmt.Errorf("%w: expected a JSON array, got %.120s", connectors.ErrMalformed, body)
	}
	var records []connectors.Record
	for i := 0; dec.PeekKind() != ']'; i++ {
		r, err := connectors.ReadRecord(dec, body, "id", "")
		if err != nil {
			return nil, fmt.Errorf("%w: item %d: %v", connectors.ErrMalformed, i, err)
		}
		if r.Payload, err = payload(r.Payload); err != nil {
			return nil, fmt.Errorf("%w: item %d: %v", connectors.ErrMalformed, i, err)
		}
		records = append(records, r)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, fmt.Errorf("%w: %v", connectors.ErrMalformed, err)
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
			"Clockify refused the API key (HTTP 401): check %s.api_key (Profile settings → API), and %s.region if the workspace keeps its data in a region", key, key)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Clockify denied access to %s (HTTP 403): check %s.workspace_id, and that the key's user is a workspace admin (only admins read everyone's time)", apiErr.Path, key)}
	case http.StatusTooManyRequests:
		return &connectors.Explained{Kind: connectors.ErrRateLimited, Cause: err, Msg: fmt.Sprintf(
			"Clockify kept answering 429 Too many requests on %s through every retry; run the sync again later", apiErr.Path)}
	}
	return err
}
