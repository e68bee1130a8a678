// Package asana reads Asana (API 1.0): workspace users, projects, each
// project's tasks (incrementally with modified_since), each project's rates
// and the workspace's time tracking entries. Lists come in {data, next_page}
// envelopes paged by offset tokens. Asana lists show no deletions and time
// entries have no change cursor, so recent weeks of time are re-read on each
// sync and everything once a day; both reads' key-set diffs find what was
// deleted (a recent entry at the next sync, an older one at the daily read).
package asana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is Asana's API root.
const DefaultBaseURL = "https://app.asana.com/api/1.0"

// Config is what the connector needs.
type Config struct {
	Source      string
	WorkspaceID string
	Token       string // personal access token
	// TokenSource replaces Token when the source connects with OAuth.
	TokenSource oauth2.TokenSource
	BaseURL     string
	// StartDate is where the full read of time begins; default three years back.
	StartDate     time.Time
	Lookback      time.Duration // overlap on task changes
	RereadDays    int           // days of time re-read by an incremental sync; default 35
	FullScanEvery time.Duration
	Rate          rate.Limit // default 25 requests/s (1,500 a minute, paid plans); 429 Retry-After is honoured
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one Asana workspace.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "asana"
	}
	key := "sources." + cfg.Source
	if cfg.WorkspaceID == "" {
		return nil, fmt.Errorf("%s.workspace_id: required (GET https://app.asana.com/api/1.0/workspaces lists your workspaces' gids)", key)
	}
	if cfg.Token == "" && cfg.TokenSource == nil {
		return nil, fmt.Errorf("%s.token: required (create a personal access token in the developer console, https://app.asana.com/0/my-apps, and set token: ${ASANA_TOKEN})", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StartDate.IsZero() {
		cfg.StartDate = time.Date(cfg.Now().Year()-3, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 24 * time.Hour
	}
	if cfg.RereadDays == 0 {
		cfg.RereadDays = 35
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.Rate == 0 {
		cfg.Rate = 25
	}
	opts := httpx.Options{Vendor: "asana", BaseURL: cfg.BaseURL, TokenSource: cfg.TokenSource,
		Rate: cfg.Rate, Burst: 10, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport}
	if cfg.TokenSource == nil {
		token := cfg.Token
		opts.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	}
	client, err := httpx.New(opts)
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "asana" }

// Check reads the token's own user.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/users/me")
	return c.explain(err)
}

const (
	userFields    = "name,email"
	projectFields = "name,archived,start_on,due_on,team.name,modified_at"
	taskFields    = "name,completed,projects,actual_time_minutes,modified_at"
	rateFields    = "parent,resource,rate,currency_code"
	entryFields   = "duration_minutes,entered_on,created_by,task,attributable_to,billable_status,approval_status,created_at"
)

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	ws := url.PathEscape(c.cfg.WorkspaceID)
	whole := func(paths func(ctx context.Context) ([]string, error)) func(context.Context, connectors.Cursor, func(connectors.Page) error) error {
		return func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.read(ctx, from, emit, func(ctx context.Context, _ walkCursor, _ time.Time) (pass, error) {
				p, err := paths(ctx)
				return pass{paths: p, full: true}, err
			})
		}
	}
	perProject := func(path, fields string) func(ctx context.Context) ([]string, error) {
		return func(ctx context.Context) ([]string, error) {
			projects, err := c.projectGIDs(ctx)
			if err != nil {
				return nil, err
			}
			var paths []string
			for _, p := range projects {
				paths = append(paths, strings.ReplaceAll(path, "{project}", url.QueryEscape(p))+"opt_fields="+fields)
			}
			return paths, nil
		}
	}
	fixed := func(p string) func(context.Context) ([]string, error) {
		return func(context.Context) ([]string, error) { return []string{p}, nil }
	}
	return []connectors.Stream{
		{Name: "users", PrimaryKey: "gid", Read: whole(fixed("/workspaces/" + ws + "/users?opt_fields=" + userFields))},
		{Name: "projects", PrimaryKey: "gid", Read: whole(fixed("/projects?workspace=" + ws + "&opt_fields=" + projectFields))},
		{Name: "rates", PrimaryKey: "gid", Read: whole(perProject("/rates?parent={project}&", rateFields))},
		{Name: "tasks", PrimaryKey: "gid", Cursor: "modified_at", Read: c.readTasks},
		{Name: "time_tracking_entries", PrimaryKey: "gid", Cursor: "entered_on", Read: c.readEntries},
	}
}

// walkCursor is one pass over a list of listings: which listing, which
// offset, and the incremental state carried between passes.
type walkCursor struct {
	Since    *time.Time `json:"since,omitempty"`
	LastScan time.Time  `json:"last_scan,omitzero"`
	// a pass in progress
	Paths     []string  `json:"paths,omitempty"`
	Index     int       `json:"index,omitempty"`
	Offset    string    `json:"offset,omitempty"`
	ScanID    string    `json:"scan_id,omitempty"`
	PassStart time.Time `json:"pass_start,omitzero"`
	// A re-read of recent records diffs only the stored records whose
	// DiffField (an ISO date) is on or after DiffFrom.
	DiffField string `json:"diff_field,omitempty"`
	DiffFrom  string `json:"diff_from,omitempty"`
}

// pass is what a new pass reads: its listings, whether it is a full read,
// or else which recent records it re-reads whole (Field on or after From),
// whose key-set diff then finds the deletes among them.
type pass struct {
	paths       []string
	full        bool
	field, from string
}

// plan gives a new pass its listings.
type plan func(ctx context.Context, prev walkCursor, now time.Time) (pass, error)

func (c *Connector) read(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error, plan plan) error {
	var cur walkCursor
	if len(from) > 0 {
		if err := json.Unmarshal(from, &cur); err != nil {
			return fmt.Errorf("stored cursor is unreadable (%v); delete its row from meta.sync_state to start over", err)
		}
	}
	if cur.Paths == nil {
		now := c.cfg.Now().UTC()
		p, err := plan(ctx, cur, now)
		if err != nil {
			return err
		}
		paths := p.paths
		next := walkCursor{Since: cur.Since, LastScan: cur.LastScan, Paths: paths, PassStart: now}
		switch {
		case p.full:
			next.ScanID = now.Format(time.RFC3339Nano)
		case p.field != "":
			next.ScanID = "reread " + now.Format(time.RFC3339Nano)
			next.DiffField, next.DiffFrom = p.field, p.from
		}
		if len(paths) == 0 {
			next.Paths = []string{}
		}
		cur = next
	}
	for {
		var records []connectors.Record
		nextOffset := ""
		if cur.Index < len(cur.Paths) {
			var err error
			records, nextOffset, err = c.getPage(ctx, cur.Paths[cur.Index], cur.Offset)
			var apiErr *httpx.APIError
			if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && cur.Offset != "" {
				// Offsets expire; start this listing again (upserts make the re-read harmless).
				cur.Offset = ""
				continue
			}
			if err != nil {
				return err
			}
		}
		next := cur
		next.Offset = nextOffset
		if nextOffset == "" {
			next.Index++
		}
		done := next.Index >= len(cur.Paths)
		if done {
			since := cur.PassStart.Add(-c.cfg.Lookback)
			next = walkCursor{Since: &since, LastScan: cur.LastScan}
			if cur.ScanID != "" && cur.DiffField == "" {
				next.LastScan = cur.PassStart
			}
		}
		if len(records) > 0 || done {
			page := connectors.Page{Records: records}
			if cur.ScanID != "" {
				page.Scan = &connectors.Scan{ID: cur.ScanID, Done: done, Field: cur.DiffField, From: cur.DiffFrom}
			}
			page.Next, _ = json.Marshal(next)
			if err := emit(page); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
		cur = next
	}
}

// readTasks reads each project's tasks: all of them once a day, else those
// modified since the last pass (less the lookback).
func (c *Connector) readTasks(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	return c.read(ctx, from, emit, func(ctx context.Context, prev walkCursor, now time.Time) (pass, error) {
		projects, err := c.projectGIDs(ctx)
		if err != nil {
			return pass{}, err
		}
		full := prev.Since == nil || now.Sub(prev.LastScan) >= c.cfg.FullScanEvery
		var paths []string
		for _, p := range projects {
			path := "/projects/" + url.PathEscape(p) + "/tasks?opt_fields=" + taskFields
			if !full {
				path += "&modified_since=" + url.QueryEscape(prev.Since.UTC().Format(time.RFC3339))
			}
			paths = append(paths, path)
		}
		return pass{paths: paths, full: full}, nil
	})
}

// readEntries reads time tracking entries by entered_on: the whole range
// once a day, else the last reread_days, whose diff finds the entries
// deleted there.
func (c *Connector) readEntries(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	return c.read(ctx, from, emit, func(ctx context.Context, prev walkCursor, now time.Time) (pass, error) {
		full := prev.LastScan.IsZero() || now.Sub(prev.LastScan) >= c.cfg.FullScanEvery
		start := c.cfg.StartDate
		if !full {
			start = now.Truncate(24*time.Hour).AddDate(0, 0, -c.cfg.RereadDays)
		}
		q := url.Values{"workspace": {c.cfg.WorkspaceID}, "entered_on_start_date": {start.Format(time.DateOnly)},
			"entered_on_end_date": {now.AddDate(0, 0, 1).Format(time.DateOnly)}, "opt_fields": {entryFields}}
		p := pass{paths: []string{"/time_tracking_entries?" + q.Encode()}, full: full}
		if !full {
			p.field, p.from = "entered_on", start.Format(time.DateOnly)
		}
		return p, nil
	})
}

func (c *Connector) projectGIDs(ctx context.Context) ([]string, error) {
	path := "/projects?workspace=" + url.QueryEscape(c.cfg.WorkspaceID) + "&opt_fields=name"
	var gids []string
	offset := ""
	for {
		records, next, err := c.getPage(ctx, path, offset)
		if err != nil {
			return nil, err
		}
		for _, r := range records {
			gids = append(gids, r.ID)
		}
		if next == "" {
			return gids, nil
		}
		offset = next
	}
}

// getPage reads one page of a listing; limit is always passed (some old
// endpoints return everything unpaginated without it).
func (c *Connector) getPage(ctx context.Context, path, offset string) ([]connectors.Record, string, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	full := path + sep + "limit=100"
	if offset != "" {
		full += "&offset=" + url.QueryEscape(offset)
	}
	body, err := c.http.Get(ctx, full)
	if err != nil {
		return nil, "", c.explain(err)
	}
	records, next, err := decodeEnvelope(body)
	if err != nil {
		return nil, "", fmt.Errorf("page %s: %w", path, err)
	}
	return records, next, nil
}

// decodeEnvelope reads {data: [...], next_page: {offset}} in one pass,
// each record keyed by gid, as sent.
func decodeEnvelope(body []byte) ([]connectors.Record, string, error) {
	next := ""
	records, err := connectors.DecodeEnvelope(body, "data", "gid", "modified_at", map[string]func(jsontext.Value) error{
		"next_page": func(v jsontext.Value) error {
			var page *struct {
				Offset string `json:"offset"`
			}
			if err := json.Unmarshal(v, &page); err != nil {
				return err
			}
			if page != nil {
				next = page.Offset
			}
			return nil
		},
	})
	return records, next, err
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
			"Asana refused the token (HTTP 401): check %s.token (personal access tokens are in the developer console, https://app.asana.com/0/my-apps)", key)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Asana denied access to %s (HTTP 403): check %s.workspace_id and that the token's user belongs to it", apiErr.Path, key)}
	case http.StatusPaymentRequired:
		return &connectors.Explained{Cause: err, Msg: fmt.Sprintf(
			"Asana says %s needs a paid plan (HTTP 402): time tracking is a Starter-and-up feature", apiErr.Path)}
	}
	return err
}
