// Package toggl reads Toggl Track: workspace users with their rates and
// labour costs, clients, projects and tasks from API v9, and everyone's time
// entries from the Reports API v3 detailed search (the /me endpoints see only
// the token's owner). Projects change incrementally through `since`, which
// also returns deleted ones; the reports cannot filter by change time, so
// recent weeks are re-read on every sync and the whole range once a day.
// Both reads are key-set diffs: an entry deleted in the recent weeks is gone
// at the next sync, an older one at the daily read.
package toggl

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

// DefaultBaseURL is Toggl Track's host; API v9 and Reports v3 live under it.
const DefaultBaseURL = "https://api.track.toggl.com"

// Config is what the connector needs.
type Config struct {
	Source      string
	WorkspaceID string
	APIToken    string
	BaseURL     string
	// StartDate is where the full read of time entries begins; default
	// 1 January three years back (each year of range costs a request, and
	// free plans get 30 an hour).
	StartDate time.Time
	// Lookback is the overlap on project changes (`since`).
	Lookback time.Duration
	// RereadDays is how many days back an incremental sync re-reads time
	// entries, since the reports cannot say what changed; default 35.
	RereadDays    int
	FullScanEvery time.Duration
	PageSize      int        // report rows per page; default 50
	Rate          rate.Limit // default 1 request/s, Toggl's safe window
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one Toggl workspace.
type Connector struct {
	cfg  Config
	http *httpx.Client
	wid  string
	org  string // organization id, looked up once
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "toggl"
	}
	key := "sources." + cfg.Source
	if _, err := strconv.ParseInt(cfg.WorkspaceID, 10, 64); err != nil {
		return nil, fmt.Errorf("%s.workspace_id: required, a number (it is in the address of the workspace settings: track.toggl.com/<id>/settings)", key)
	}
	if cfg.APIToken == "" {
		return nil, fmt.Errorf("%s.api_token: required (copy it from Profile settings → API Token, and set api_token: ${TOGGL_API_TOKEN})", key)
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
	if cfg.PageSize == 0 {
		cfg.PageSize = 50
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1
	}
	token := cfg.APIToken
	client, err := httpx.New(httpx.Options{
		Vendor: "toggl", BaseURL: cfg.BaseURL,
		Auth: func(r *http.Request) { r.SetBasicAuth(token, "api_token") },
		Rate: cfg.Rate, Burst: 3, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client, wid: cfg.WorkspaceID}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "toggl" }

// Check reads the workspace, which proves the token and the workspace id.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.organization(ctx)
	return err
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	return []connectors.Stream{
		{Name: "users", PrimaryKey: "id", Read: c.readUsers},
		{Name: "clients", PrimaryKey: "id", Read: func(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
			return c.readWhole(ctx, "/api/v9/workspaces/"+c.wid+"/clients?status=both", emit)
		}},
		{Name: "projects", PrimaryKey: "id", Cursor: "at", Read: c.readProjects},
		{Name: "tasks", PrimaryKey: "id", Read: c.readTasks},
		{Name: "time_entries", PrimaryKey: "id", Cursor: "start", Read: c.readTimeEntries},
	}
}

func (c *Connector) organization(ctx context.Context) (string, error) {
	if c.org != "" {
		return c.org, nil
	}
	body, err := c.http.Get(ctx, "/api/v9/workspaces/"+c.wid)
	if err != nil {
		return "", c.explain(err)
	}
	var ws struct {
		OrganizationID int64 `json:"organization_id"`
	}
	if err := json.Unmarshal(unwrapData(body), &ws); err != nil || ws.OrganizationID == 0 {
		return "", fmt.Errorf("/api/v9/workspaces/%s: %w: no organization_id (%v)", c.wid, connectors.ErrMalformed, err)
	}
	c.org = strconv.FormatInt(ws.OrganizationID, 10)
	return c.org, nil
}

// unwrapData accepts the legacy {"data": …} envelope some v9 answers keep.
func unwrapData(body []byte) []byte {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) == nil && len(env.Data) > 0 && env.Data[0] == '{' {
		return env.Data
	}
	return body
}

func scanID(now time.Time) string { return now.UTC().Format(time.RFC3339Nano) }

func (c *Connector) readUsers(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
	org, err := c.organization(ctx)
	if err != nil {
		return err
	}
	return c.readWhole(ctx, "/api/v9/organizations/"+org+"/workspaces/"+c.wid+"/workspace_users", emit)
}

// readWhole reads an unpaged list as one page of a full read.
func (c *Connector) readWhole(ctx context.Context, path string, emit func(connectors.Page) error) error {
	records, err := c.getArray(ctx, path, "id")
	if err != nil {
		return err
	}
	return emit(connectors.Page{Records: records, Next: connectors.Cursor(`{}`), Scan: &connectors.Scan{ID: scanID(c.cfg.Now()), Done: true}})
}

type projectCursor struct {
	Since    *int64    `json:"since,omitempty"` // unix seconds of the next incremental pass
	LastScan time.Time `json:"last_scan,omitzero"`
	// a pass in progress
	PassSince *int64    `json:"pass_since,omitempty"`
	PassStart time.Time `json:"pass_start,omitzero"`
	ScanID    string    `json:"scan_id,omitempty"`
	Page      int       `json:"page,omitempty"`
}

// readProjects pages /projects (at most 200 a page; a shorter page is the
// last). A pass with `since` returns deleted projects with
// server_deleted_at, which become tombstones.
func (c *Connector) readProjects(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur projectCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.Page == 0 {
		now := c.cfg.Now().UTC()
		next := projectCursor{Since: cur.Since, LastScan: cur.LastScan, PassStart: now, Page: 1}
		if cur.Since == nil || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = scanID(now)
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	const perPage = 200
	for {
		q := url.Values{"active": {"both"}, "page": {strconv.Itoa(cur.Page)}, "per_page": {strconv.Itoa(perPage)}}
		if cur.PassSince != nil {
			q.Set("since", strconv.FormatInt(*cur.PassSince, 10))
		}
		records, err := c.getArray(ctx, "/api/v9/workspaces/"+c.wid+"/projects?"+q.Encode(), "id")
		if err != nil {
			return err
		}
		page := connectors.Page{}
		for _, r := range records {
			var head struct {
				ServerDeletedAt *time.Time `json:"server_deleted_at"`
				At              time.Time  `json:"at"`
			}
			json.Unmarshal(r.Payload, &head)
			r.UpdatedAt = head.At
			if head.ServerDeletedAt != nil {
				page.Deleted = append(page.Deleted, r.ID)
				continue
			}
			page.Records = append(page.Records, r)
		}
		done := len(records) < perPage
		next := cur
		next.Page++
		if done {
			since := cur.PassStart.Add(-c.cfg.Lookback).Unix()
			next = projectCursor{Since: &since, LastScan: cur.LastScan}
			if cur.ScanID != "" {
				next.LastScan = cur.PassStart
			}
		}
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

type taskCursor struct {
	ScanID string `json:"scan_id,omitempty"`
	Page   int    `json:"page,omitempty"`
}

func (c *Connector) readTasks(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur taskCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.Page == 0 {
		cur = taskCursor{ScanID: scanID(c.cfg.Now()), Page: 1}
	}
	const perPage = 200
	for {
		path := fmt.Sprintf("/api/v9/workspaces/%s/tasks?page=%d&per_page=%d", c.wid, cur.Page, perPage)
		body, err := c.http.Get(ctx, path)
		if err != nil {
			return c.explain(err)
		}
		var env struct {
			Data       json.RawMessage `json:"data"`
			TotalCount int             `json:"total_count"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return fmt.Errorf("page %s: %w: %v", path, connectors.ErrMalformed, err)
		}
		records, err := connectors.DecodeArray(env.Data, "id")
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		done := len(records) == 0 || cur.Page*perPage >= env.TotalCount
		next := taskCursor{ScanID: cur.ScanID, Page: cur.Page + 1}
		if done {
			next = taskCursor{}
		}
		cursor, _ := json.Marshal(next)
		if err := emit(connectors.Page{Records: records, Total: env.TotalCount, Next: cursor, Scan: &connectors.Scan{ID: cur.ScanID, Done: done}}); err != nil {
			return err
		}
		if done {
			return nil
		}
		cur = next
	}
}

// entriesCursor is where the report search stands: the pass's date range,
// the window being read (at most a year, the reports' span), and the next
// row to ask for.
type entriesCursor struct {
	LastScan time.Time `json:"last_scan,omitzero"`
	// a pass in progress
	ScanID    string    `json:"scan_id,omitempty"`
	PassStart time.Time `json:"pass_start,omitzero"`
	// Diff is the first day whose stored entries a re-read of recent weeks
	// diffs (empty for the whole range): a day after the re-read's first,
	// as an entry's start and the report's dates may be a time zone apart.
	Diff     string `json:"diff,omitempty"`
	From     string `json:"from,omitempty"` // the window's first day
	Until    string `json:"until,omitempty"`
	FirstID  int64  `json:"first_id,omitempty"`
	FirstRow int64  `json:"first_row,omitempty"`
}

const day = 24 * time.Hour

func (c *Connector) readTimeEntries(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur entriesCursor
	if len(from) > 0 {
		if err := json.Unmarshal(from, &cur); err != nil {
			return fmt.Errorf("stored cursor is unreadable (%v); delete its row from meta.sync_state to start over", err)
		}
	}
	if cur.From == "" {
		now := c.cfg.Now().UTC()
		// Tomorrow, so that entries dated ahead in a zone east of UTC are read.
		until := now.Truncate(day).Add(day)
		next := entriesCursor{LastScan: cur.LastScan, PassStart: now, Until: until.Format(time.DateOnly)}
		if cur.LastScan.IsZero() || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = scanID(now)
			next.From = c.cfg.StartDate.Format(time.DateOnly)
		} else {
			from := now.Truncate(day).AddDate(0, 0, -c.cfg.RereadDays)
			next.ScanID = "reread " + scanID(now)
			next.From, next.Diff = from.Format(time.DateOnly), from.Add(day).Format(time.DateOnly)
		}
		cur = next
	}
	for {
		winFrom, _ := time.Parse(time.DateOnly, cur.From)
		until, _ := time.Parse(time.DateOnly, cur.Until)
		winTo := winFrom.AddDate(1, 0, -1)
		if winTo.After(until) {
			winTo = until
		}
		body, _ := json.Marshal(map[string]any{
			"start_date": cur.From, "end_date": winTo.Format(time.DateOnly), "page_size": c.cfg.PageSize,
			"first_id": cur.FirstID, "first_row_number": cur.FirstRow, "grouped": false, "order_by": "date", "order_dir": "ASC",
		})
		path := "/reports/api/v3/workspace/" + c.wid + "/search/time_entries"
		resp, err := c.http.Do(ctx, http.MethodPost, path, "application/json", body)
		if err != nil {
			return c.explain(err)
		}
		records, err := decodeRows(resp.Body)
		if err != nil {
			return fmt.Errorf("%s %s from row %d: %w", path, cur.From, cur.FirstRow, err)
		}
		next := cur
		nextID, nextRow := resp.Header.Get("X-Next-ID"), resp.Header.Get("X-Next-Row-Number")
		if nextID != "" && nextRow != "" {
			next.FirstID, _ = strconv.ParseInt(nextID, 10, 64)
			next.FirstRow, _ = strconv.ParseInt(nextRow, 10, 64)
		} else {
			next.FirstID, next.FirstRow = 0, 0
			next.From = winTo.Add(day).Format(time.DateOnly)
		}
		done := next.FirstRow == 0 && !winTo.Before(until)
		if done {
			next = entriesCursor{LastScan: cur.LastScan}
			if cur.ScanID != "" && cur.Diff == "" {
				next.LastScan = cur.PassStart
			}
		}
		page := connectors.Page{Records: records}
		if cur.ScanID != "" {
			page.Scan = &connectors.Scan{ID: cur.ScanID, Done: done}
			if cur.Diff != "" {
				page.Scan.Field, page.Scan.From = "time_entries[0].start", cur.Diff
			}
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

// decodeRows turns report rows into one record per time entry. An
// ungrouped row (what the connector asks for) is kept as sent; a grouped row
// holding several entries is split, each copy keeping the row's fields.
func decodeRows(body []byte) ([]connectors.Record, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, fmt.Errorf("%w: %v", connectors.ErrMalformed, err)
	}
	var records []connectors.Record
	for i, raw := range rows {
		var row map[string]json.RawMessage
		var entries []json.RawMessage
		if err := json.Unmarshal(raw, &row); err != nil {
			return nil, fmt.Errorf("%w: row %d: %v", connectors.ErrMalformed, i, err)
		}
		if err := json.Unmarshal(row["time_entries"], &entries); err != nil || len(entries) == 0 {
			return nil, fmt.Errorf("%w: row %d has no time_entries", connectors.ErrMalformed, i)
		}
		for _, te := range entries {
			var head struct {
				ID int64     `json:"id"`
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(te, &head); err != nil || head.ID == 0 {
				return nil, fmt.Errorf("%w: row %d: a time entry without an id", connectors.ErrMalformed, i)
			}
			payload := raw
			if len(entries) > 1 {
				row["time_entries"] = json.RawMessage("[" + string(te) + "]")
				payload, _ = json.Marshal(row)
			}
			records = append(records, connectors.Record{ID: strconv.FormatInt(head.ID, 10), UpdatedAt: head.At, Payload: payload})
		}
	}
	return records, nil
}

func (c *Connector) getArray(ctx context.Context, path, idField string) ([]connectors.Record, error) {
	body, err := c.http.Get(ctx, path)
	if err != nil {
		return nil, c.explain(err)
	}
	records, err := connectors.DecodeArray(body, idField)
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", path, err)
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
	case http.StatusUnauthorized, http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Toggl refused the API token for %s (HTTP %d): check %s.api_token (Profile settings → API Token) and %s.workspace_id; reading everyone's time needs a workspace admin's token",
			apiErr.Path, apiErr.Status, key, key)}
	case http.StatusPaymentRequired:
		wait := "an hour"
		if v := apiErr.Header.Get("X-Toggl-Quota-Resets-In"); v != "" {
			wait = v + " seconds"
		}
		return &connectors.Explained{Kind: connectors.ErrRateLimited, Cause: err, Msg: fmt.Sprintf(
			"Toggl's hourly API quota for this workspace's plan is used up (HTTP 402); the sync stopped at a committed page and resumes there: run it again in %s", wait)}
	}
	return err
}
