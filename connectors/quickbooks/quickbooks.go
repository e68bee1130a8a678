// Package quickbooks reads QuickBooks Online (Accounting API v3) for one
// company (realm): customers with their sub-customers (jobs), invoices,
// credit memos, payments, items, classes, employees and time activities.
// OAuth 2.0 only. Records change through the query endpoint on
// Metadata.LastUpdatedTime (STARTPOSITION/MAXRESULTS paging, 1000 a page);
// name-list entities are never deleted, only made inactive, and are always
// queried with Active IN (true,false); deleted transactions are seen through
// change data capture, which reaches 30 days back — older gaps are healed by
// a full read whose key-set diff finds them.
package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is the production API host.
const DefaultBaseURL = "https://quickbooks.api.intuit.com"

// MinorVersion is sent with every call; 1–74 were discontinued in 2025.
const MinorVersion = "75"

// Config is what the connector needs.
type Config struct {
	Source        string
	RealmID       string
	TokenSource   oauth2.TokenSource
	BaseURL       string
	Lookback      time.Duration
	FullScanEvery time.Duration // default 7 days; also forced when CDC cannot reach back
	Rate          rate.Limit    // default 8/s: 10 a second and 500 a minute per company
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one QuickBooks company.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "quickbooks"
	}
	key := "sources." + cfg.Source
	if cfg.TokenSource == nil {
		return nil, fmt.Errorf("%s: QuickBooks needs auth: oauth2 with client_id and client_secret, then `conflux connect %s`", key, cfg.Source)
	}
	if cfg.RealmID == "" {
		return nil, fmt.Errorf("%s: the stored authorization names no company (realmId): run `conflux connect %s` again", key, cfg.Source)
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
	if cfg.Rate == 0 {
		cfg.Rate = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client, err := httpx.New(httpx.Options{Vendor: "quickbooks", BaseURL: strings.TrimSuffix(cfg.BaseURL, "/") + "/v3/company/" + url.PathEscape(cfg.RealmID),
		TokenSource: cfg.TokenSource, Rate: cfg.Rate, Burst: 5, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "quickbooks" }

// Check runs a one-row query.
func (c *Connector) Check(ctx context.Context) error {
	_, _, err := c.query(ctx, "SELECT * FROM Class STARTPOSITION 1 MAXRESULTS 1", "Class")
	return err
}

type entity struct {
	stream, name string
	nameList     bool // never deleted; inactive rows only with Active IN (true,false)
}

var entities = []entity{
	{"customers", "Customer", true},
	{"items", "Item", true},
	{"classes", "Class", true},
	{"employees", "Employee", true},
	{"invoices", "Invoice", false},
	{"credit_memos", "CreditMemo", false},
	{"payments", "Payment", false},
	{"time_activities", "TimeActivity", false},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	var out []connectors.Stream
	for _, e := range entities {
		out = append(out, connectors.Stream{Name: e.stream, PrimaryKey: "Id", Cursor: "MetaData.LastUpdatedTime",
			Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
				return c.read(ctx, e, from, emit)
			}})
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
	Start     int        `json:"start,omitempty"`
	Deletes   bool       `json:"deletes,omitempty"` // reading CDC for tombstones
}

const pageSize = 1000

func qboTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

func (c *Connector) read(ctx context.Context, e entity, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur cursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if !cur.Started {
		now := c.cfg.Now().UTC()
		next := cursor{Since: cur.Since, LastScan: cur.LastScan, Started: true, PassStart: now, Start: 1}
		// CDC reaches 30 days back; beyond that only a full read finds deletes.
		stale := cur.Since == nil || now.Sub(*cur.Since) > 29*24*time.Hour
		if stale || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = now.Format(time.RFC3339Nano)
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	finish := func() []byte {
		since := cur.PassStart.Add(-c.cfg.Lookback)
		n := cursor{Since: &since, LastScan: cur.LastScan}
		if cur.ScanID != "" {
			n.LastScan = cur.PassStart
		}
		b, _ := json.Marshal(n)
		return b
	}
	for !cur.Deletes {
		var where []string
		if cur.PassSince != nil {
			where = append(where, fmt.Sprintf("Metadata.LastUpdatedTime >= '%s'", qboTime(*cur.PassSince)))
		}
		if e.nameList {
			where = append(where, "Active IN (true,false)")
		}
		q := "SELECT * FROM " + e.name
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += fmt.Sprintf(" ORDERBY Metadata.LastUpdatedTime STARTPOSITION %d MAXRESULTS %d", cur.Start, pageSize)
		records, _, err := c.query(ctx, q, e.name)
		if err != nil {
			return err
		}
		last := len(records) < pageSize
		next := cur
		next.Start += len(records)
		done := last && (e.nameList || cur.PassSince == nil)
		if last && !done {
			next.Deletes = true
		}
		page := connectors.Page{Records: records}
		if cur.ScanID != "" {
			page.Scan = &connectors.Scan{ID: cur.ScanID, Done: last}
		}
		if done {
			page.Next = finish()
		} else {
			page.Next, _ = json.Marshal(next)
		}
		if err := emit(page); err != nil {
			return err
		}
		if done {
			return nil
		}
		cur = next
	}
	// Deleted transactions since the last pass, through change data capture.
	v := url.Values{"entities": {e.name}, "changedSince": {qboTime(*cur.PassSince)}, "minorversion": {MinorVersion}}
	body, err := c.http.Get(ctx, "/cdc?"+v.Encode())
	if err != nil {
		return c.explain(err)
	}
	var env struct {
		CDCResponse []struct {
			QueryResponse []map[string]json.RawMessage `json:"QueryResponse"`
		} `json:"CDCResponse"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("/cdc: %w: %v", connectors.ErrMalformed, err)
	}
	page := connectors.Page{Next: finish()}
	for _, r := range env.CDCResponse {
		for _, qr := range r.QueryResponse {
			var items []struct {
				ID     string `json:"Id"`
				Status string `json:"status"`
			}
			json.Unmarshal(qr[e.name], &items)
			for _, it := range items {
				if it.Status == "Deleted" {
					page.Deleted = append(page.Deleted, it.ID)
				}
			}
		}
	}
	return emit(page)
}

// query runs one query and returns the entity's rows (the key is absent
// when there are none).
func (c *Connector) query(ctx context.Context, q, name string) ([]connectors.Record, int, error) {
	v := url.Values{"query": {q}, "minorversion": {MinorVersion}}
	body, err := c.http.Get(ctx, "/query?"+v.Encode())
	if err != nil {
		return nil, 0, c.explain(err)
	}
	var env struct {
		QueryResponse map[string]json.RawMessage `json:"QueryResponse"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.QueryResponse == nil {
		return nil, 0, fmt.Errorf("query %q: %w: %v", q, connectors.ErrMalformed, err)
	}
	raw := env.QueryResponse[name]
	if len(raw) == 0 {
		return nil, 0, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, 0, fmt.Errorf("query %q: %w: %s is not an array", q, connectors.ErrMalformed, name)
	}
	var records []connectors.Record
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var head struct {
			ID       string `json:"Id"`
			MetaData struct {
				LastUpdatedTime time.Time `json:"LastUpdatedTime"`
			} `json:"MetaData"`
		}
		if err := dec.Decode(&head); err != nil || head.ID == "" {
			return nil, 0, fmt.Errorf("query %q: %w: row %d: %v", q, connectors.ErrMalformed, i, err)
		}
		records = append(records, connectors.Record{ID: head.ID, UpdatedAt: head.MetaData.LastUpdatedTime, Payload: bytes.TrimLeft(raw[start:dec.InputOffset()], ", \t\r\n")})
	}
	return records, len(records), nil
}

func (c *Connector) explain(err error) error {
	var apiErr *httpx.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch apiErr.Status {
	case http.StatusUnauthorized:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"QuickBooks refused the access token (HTTP 401): run `conflux connect %s` again", c.cfg.Source)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"QuickBooks denied access to this company (HTTP 403): the grant does not reach realm %s; run `conflux connect %s` again", c.cfg.RealmID, c.cfg.Source)}
	}
	return err
}
