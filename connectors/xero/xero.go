// Package xero reads the Xero Accounting API 2.0 for one organisation
// (tenant): contacts, sales and purchase invoices with line items and
// tracking, credit notes, payments, items, tracking categories, currencies
// and the organisation. OAuth 2.0 only; every call carries xero-tenant-id.
// Paged lists are read with page/pageSize 1000 (line items come only when
// `page` is sent) and If-Modified-Since; voided and deleted documents come
// back as updates and are kept. The per-tenant minute and day limits are
// read from X-MinLimit-Remaining and X-DayLimit-Remaining.
package xero

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is the Accounting API root.
const DefaultBaseURL = "https://api.xero.com/api.xro/2.0"

// Config is what the connector needs.
type Config struct {
	Source        string
	TenantID      string
	BaseURL       string
	TokenSource   oauth2.TokenSource
	Lookback      time.Duration // overlap on If-Modified-Since
	FullScanEvery time.Duration
	PageSize      int        // default 1000, Xero's maximum
	Rate          rate.Limit // default 1/s: 60 calls a minute per tenant
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
	// Sleep waits out the minute limit; tests replace it.
	Sleep func(context.Context, time.Duration) error
}

// Connector reads one Xero organisation.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "xero"
	}
	key := "sources." + cfg.Source
	if cfg.TokenSource == nil {
		return nil, fmt.Errorf("%s: Xero needs auth: oauth2 with client_id and client_secret, then `conflux connect %s`", key, cfg.Source)
	}
	if cfg.TenantID == "" {
		return nil, fmt.Errorf("%s: the stored authorization names no organisation (tenant): run `conflux connect %s` again", key, cfg.Source)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 7 * 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 1000
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	tenant := cfg.TenantID
	client, err := httpx.New(httpx.Options{
		Vendor: "xero", BaseURL: cfg.BaseURL, TokenSource: cfg.TokenSource,
		Auth: func(r *http.Request) { r.Header.Set("Xero-Tenant-Id", tenant) },
		Rate: cfg.Rate, Burst: 5, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "xero" }

// Check reads the organisation.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.get(ctx, "/Organisation", "")
	return err
}

// collection is one Xero list: its path, the array field and id field, and
// whether it pages and honours If-Modified-Since.
type collection struct {
	stream, path, key, id string
	paged, modified       bool
	query                 string
}

var collections = []collection{
	{stream: "organisation", path: "/Organisation", key: "Organisations", id: "OrganisationID"},
	{stream: "currencies", path: "/Currencies", key: "Currencies", id: "Code"},
	{stream: "tracking_categories", path: "/TrackingCategories", key: "TrackingCategories", id: "TrackingCategoryID", query: "includeArchived=true"},
	{stream: "items", path: "/Items", key: "Items", id: "ItemID", modified: true},
	{stream: "contacts", path: "/Contacts", key: "Contacts", id: "ContactID", paged: true, modified: true, query: "includeArchived=true"},
	{stream: "invoices", path: "/Invoices", key: "Invoices", id: "InvoiceID", paged: true, modified: true, query: "order=UpdatedDateUTC%20ASC"},
	{stream: "credit_notes", path: "/CreditNotes", key: "CreditNotes", id: "CreditNoteID", paged: true, modified: true, query: "order=UpdatedDateUTC%20ASC"},
	{stream: "payments", path: "/Payments", key: "Payments", id: "PaymentID", paged: true, modified: true, query: "order=UpdatedDateUTC%20ASC"},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	var out []connectors.Stream
	for _, col := range collections {
		st := connectors.Stream{Name: col.stream, PrimaryKey: col.id, Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.read(ctx, col, from, emit)
		}}
		if col.modified {
			st.Cursor = "UpdatedDateUTC"
		}
		out = append(out, st)
	}
	return out
}

type cursor struct {
	Since    *time.Time `json:"since,omitempty"`
	LastScan time.Time  `json:"last_scan,omitzero"`
	// a pass in progress
	Started   bool       `json:"started,omitempty"`
	PassSince *time.Time `json:"pass_since,omitempty"`
	PassStart time.Time  `json:"pass_start,omitzero"`
	ScanID    string     `json:"scan_id,omitempty"`
	Page      int        `json:"page,omitempty"`
}

func (c *Connector) read(ctx context.Context, col collection, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur cursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if !cur.Started {
		now := c.cfg.Now().UTC()
		next := cursor{Since: cur.Since, LastScan: cur.LastScan, Started: true, PassStart: now, Page: 1}
		if !col.modified || cur.Since == nil || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			// Xero reports voids and deletes as updates, so a full read is only
			// needed for lists without If-Modified-Since, and now and then.
			next.ScanID = now.Format(time.RFC3339Nano)
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	for {
		path := col.path
		q := col.query
		if col.paged {
			q = joinQuery(q, fmt.Sprintf("page=%d&pageSize=%d", cur.Page, c.cfg.PageSize))
		}
		if q != "" {
			path += "?" + q
		}
		since := ""
		if cur.PassSince != nil {
			since = cur.PassSince.UTC().Format("2006-01-02T15:04:05")
		}
		body, err := c.get(ctx, path, since)
		if err != nil {
			return err
		}
		records, pageCount, err := decode(body, col.key, col.id)
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		done := !col.paged || len(records) < c.cfg.PageSize || cur.Page >= pageCount
		next := cur
		next.Page++
		if done {
			since := cur.PassStart.Add(-c.cfg.Lookback)
			next = cursor{Since: &since, LastScan: cur.LastScan}
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

func joinQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}

// get sends one request with If-Modified-Since and keeps within the tenant's
// limits: out of minute calls it waits for the next minute; out of day calls
// it stops with a message saying so.
func (c *Connector) get(ctx context.Context, path, since string) ([]byte, error) {
	var resp *httpx.Response
	var err error
	if since != "" {
		resp, err = c.http.DoHeaders(ctx, http.MethodGet, path, map[string]string{"If-Modified-Since": since})
	} else {
		resp, err = c.http.Do(ctx, http.MethodGet, path, "", nil)
	}
	if err != nil {
		return nil, c.explain(err)
	}
	if v := resp.Header.Get("X-DayLimit-Remaining"); v == "0" {
		// This answer still counts; the next call would be refused.
		c.cfg.Logger.Warn("xero: the organisation's daily call limit is used up after this page")
	}
	if v := resp.Header.Get("X-MinLimit-Remaining"); v == "0" {
		if err := c.cfg.Sleep(ctx, time.Minute); err != nil {
			return nil, err
		}
	}
	return resp.Body, nil
}

var dateRE = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// ParseDate reads Xero's /Date(ms±hhmm)/ values.
func ParseDate(s string) (time.Time, bool) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	ms, _ := strconv.ParseInt(m[1], 10, 64)
	t := time.UnixMilli(ms).UTC()
	if m[2] != "" {
		h, _ := strconv.Atoi(m[2][1:3])
		mi, _ := strconv.Atoi(m[2][3:5])
		off := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
		if m[2][0] == '-' {
			off = -off
		}
		t = t.Add(off)
	}
	return t, true
}

// decode reads a Xero envelope's array in one pass.
func decode(body []byte, key, idField string) ([]connectors.Record, int, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", connectors.ErrMalformed, err)
	}
	raw, ok := env[key]
	if !ok {
		return nil, 0, fmt.Errorf("%w: no %s in the response", connectors.ErrMalformed, key)
	}
	var pag struct {
		PageCount int `json:"pageCount"`
	}
	if p, ok := env["pagination"]; ok {
		json.Unmarshal(p, &pag)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, 0, fmt.Errorf("%w: %s is not an array", connectors.ErrMalformed, key)
	}
	var records []connectors.Record
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			return nil, 0, fmt.Errorf("%w: %s[%d]: %v", connectors.ErrMalformed, key, i, err)
		}
		id := string(bytes.Trim(obj[idField], `"`))
		if id == "" {
			return nil, 0, fmt.Errorf("%w: %s[%d] has no %s", connectors.ErrMalformed, key, i, idField)
		}
		var updated time.Time
		if u, ok := obj["UpdatedDateUTC"]; ok {
			var s string
			json.Unmarshal(u, &s)
			updated, _ = ParseDate(s)
		}
		records = append(records, connectors.Record{ID: id, UpdatedAt: updated, Payload: bytes.TrimLeft(raw[start:dec.InputOffset()], ", \t\r\n")})
	}
	return records, pag.PageCount, nil
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
			"Xero refused the access token (HTTP 401): run `conflux connect %s` again", c.cfg.Source)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Xero denied access to %s for this organisation (HTTP 403): the app's scopes or the organisation's connection changed; run `conflux connect %s` again (%s)", apiErr.Path, c.cfg.Source, key)}
	case http.StatusTooManyRequests:
		if apiErr.Header.Get("X-Rate-Limit-Problem") == "day" {
			return &connectors.Explained{Kind: connectors.ErrRateLimited, Cause: err, Msg: "Xero's daily limit of calls for this organisation (5,000 in 24 hours) is used up; the sync stopped at a committed page and resumes there: run it again tomorrow"}
		}
	}
	return err
}
