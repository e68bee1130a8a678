// Package productive reads Productive.io (API v2, JSON:API): people,
// companies (clients), projects, deals and budgets, services, time entries
// (minutes; billable time apart from worked time), bookings (scheduled work,
// and time off when they point at an event), invoices and their line items.
// Time entries and bookings change incrementally through
// filter[updated_at][gt] and lose deleted records through /deleted_items;
// the other lists are read whole, and a key-set diff finds what was deleted.
package productive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is Productive's API root.
const DefaultBaseURL = "https://api.productive.io/api/v2"

// Config is what the connector needs.
type Config struct {
	Source         string
	OrganizationID string
	Token          string
	BaseURL        string
	Lookback       time.Duration // overlap on updated_at filters
	FullScanEvery  time.Duration
	PageSize       int        // default and maximum 200
	Rate           rate.Limit // default 10/s: Productive allows 100 requests per 10 s
	Retry          httpx.RetryPolicy
	Logger         *slog.Logger
	Transport      http.RoundTripper
	Now            func() time.Time
}

// Connector reads one Productive organization.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

const contentType = "application/vnd.api+json"

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "productive"
	}
	key := "sources." + cfg.Source
	if _, err := strconv.ParseInt(cfg.OrganizationID, 10, 64); err != nil {
		return nil, fmt.Errorf("%s.organization_id: required, a number (Settings → API integrations shows it beside your tokens)", key)
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("%s.token: required (Settings → API integrations → Generate new token; read-only is enough; set token: ${PRODUCTIVE_TOKEN})", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 24 * time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 200
	}
	if cfg.PageSize < 1 || cfg.PageSize > 200 {
		return nil, fmt.Errorf("%s.page_size: %d is outside 1..200 (Productive's maximum is 200)", key, cfg.PageSize)
	}
	if cfg.Rate == 0 {
		cfg.Rate = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	token, org := cfg.Token, cfg.OrganizationID
	client, err := httpx.New(httpx.Options{
		Vendor: "productive", BaseURL: cfg.BaseURL,
		Auth: func(r *http.Request) {
			r.Header.Set("X-Auth-Token", token)
			r.Header.Set("X-Organization-Id", org)
			// JSON:API's type is required on every request, GETs included (else 415).
			r.Header.Set("Content-Type", contentType)
		},
		Rate: cfg.Rate, Burst: 10, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "productive" }

// Check reads one page of people.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/people?page[size]=1")
	return c.explain(err)
}

// list is one collection: its path with the relationships to include (their
// ids are only sent for included relationships), and, for collections that
// change incrementally, the item type their tombstones carry.
type list struct {
	stream, path, include, itemType string
}

var lists = []list{
	{stream: "people", path: "/people"},
	{stream: "companies", path: "/companies"},
	{stream: "projects", path: "/projects", include: "company"},
	{stream: "deals", path: "/deals", include: "project,company"},
	{stream: "services", path: "/services", include: "deal"},
	{stream: "time_entries", path: "/time_entries", include: "person,service", itemType: "TimeEntry"},
	{stream: "bookings", path: "/bookings", include: "person,service,event", itemType: "Booking"},
	{stream: "invoices", path: "/invoices", include: "company"},
	{stream: "line_items", path: "/line_items", include: "invoice,service"},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	var out []connectors.Stream
	for _, l := range lists {
		st := connectors.Stream{Name: l.stream, PrimaryKey: "id", Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.read(ctx, l, from, emit)
		}}
		if l.itemType != "" {
			st.Cursor = "updated_at"
		}
		out = append(out, st)
	}
	return out
}

type cursor struct {
	Since        *time.Time `json:"since,omitempty"`
	DeletedSince *time.Time `json:"deleted_since,omitempty"`
	LastScan     time.Time  `json:"last_scan,omitzero"`
	// a pass in progress
	Started   bool       `json:"started,omitempty"`
	PassSince *time.Time `json:"pass_since,omitempty"`
	PassStart time.Time  `json:"pass_start,omitzero"`
	ScanID    string     `json:"scan_id,omitempty"`
	Page      int        `json:"page,omitempty"`
	Deletes   bool       `json:"deletes,omitempty"` // reading /deleted_items
}

func (c *Connector) read(ctx context.Context, l list, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur cursor
	if len(from) > 0 {
		if err := json.Unmarshal(from, &cur); err != nil {
			return fmt.Errorf("stored cursor is unreadable (%v); delete its row from meta.sync_state to start over", err)
		}
	}
	if !cur.Started {
		now := c.cfg.Now().UTC()
		next := cursor{Since: cur.Since, DeletedSince: cur.DeletedSince, LastScan: cur.LastScan, Started: true, PassStart: now, Page: 1}
		if l.itemType == "" || cur.Since == nil || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = now.Format(time.RFC3339Nano)
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	for {
		q := url.Values{"page[number]": {strconv.Itoa(cur.Page)}, "page[size]": {strconv.Itoa(c.cfg.PageSize)}}
		path := l.path
		if cur.Deletes {
			path = "/deleted_items"
			q.Set("filter[item_type]", l.itemType)
			if cur.DeletedSince != nil {
				q.Set("filter[created_at][gt]", cur.DeletedSince.UTC().Format(time.RFC3339))
			}
		} else {
			if l.include != "" {
				q.Set("include", l.include)
			}
			if cur.PassSince != nil {
				q.Set("filter[updated_at][gt]", cur.PassSince.UTC().Format(time.RFC3339))
				q.Set("sort", "updated_at")
			}
		}
		body, err := c.http.Get(ctx, path+"?"+q.Encode())
		if err != nil {
			return c.explain(err)
		}
		records, totalPages, totalCount, err := decodeDocument(body)
		if err != nil {
			return fmt.Errorf("page %d of %s: %w", cur.Page, path, err)
		}
		page := connectors.Page{Total: totalCount}
		if cur.Deletes {
			for _, r := range records {
				var d struct {
					Attributes struct {
						ItemID json.RawMessage `json:"item_id"`
					} `json:"attributes"`
				}
				json.Unmarshal(r.Payload, &d)
				page.Deleted = append(page.Deleted, string(bytes.Trim(d.Attributes.ItemID, `"`)))
			}
		} else {
			page.Records = records
		}
		lastPage := cur.Page >= totalPages || len(records) == 0
		next := cur
		next.Page++
		done := false
		switch {
		case !lastPage:
		case !cur.Deletes && l.itemType != "":
			// Then the tombstones of this type since the last pass.
			next.Deletes, next.Page = true, 1
		default:
			done = true
		}
		if done {
			since := cur.PassStart.Add(-c.cfg.Lookback)
			next = cursor{Since: &since, DeletedSince: &since, LastScan: cur.LastScan}
			if cur.ScanID != "" {
				next.LastScan = cur.PassStart
			}
		}
		if cur.ScanID != "" && !cur.Deletes {
			page.Scan = &connectors.Scan{ID: cur.ScanID, Done: lastPage}
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

// decodeDocument reads a JSON:API document's data array in one pass.
func decodeDocument(body []byte) (records []connectors.Record, totalPages, totalCount int, err error) {
	records, err = connectors.DecodeEnvelope(body, "data", "id", "attributes.updated_at", map[string]func(jsontext.Value) error{
		"meta": func(v jsontext.Value) error {
			var meta struct {
				TotalPages int `json:"total_pages"`
				TotalCount int `json:"total_count"`
			}
			err := json.Unmarshal(v, &meta)
			totalPages, totalCount = meta.TotalPages, meta.TotalCount
			return err
		},
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return records, totalPages, totalCount, nil
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
			"Productive refused the token (HTTP 401 invalid_auth_token): check %s.token and %s.organization_id (Settings → API integrations)", key, key)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Productive denied access to %s (HTTP 403): the token's user cannot see it; use a token with access to the whole organization", apiErr.Path)}
	}
	return err
}
