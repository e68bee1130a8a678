package harvest

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

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is Harvest's API root.
const DefaultBaseURL = "https://api.harvestapp.com/v2"

// Config is everything the connector needs; cmd/conflux builds it from
// conflux.yaml with FromSettings.
type Config struct {
	Source    string // the configured source name, used in error messages
	AccountID string
	Token     string
	BaseURL   string
	UserAgent string
	// StartDate limits dated streams (time entries, invoices, expenses) to
	// spent/issue dates on or after it. Zero means everything.
	StartDate time.Time
	// Lookback is subtracted from the last pass's start to build
	// updated_since, so edits racing a pass are caught on the next one.
	Lookback time.Duration
	// FullScanEvery sets how often a stream is read whole to find deletes.
	FullScanEvery time.Duration
	// RecheckDays makes every incremental pass of a dated stream (time
	// entries, invoices, expenses) re-read the last RecheckDays days by
	// date and diff their keys, so a record deleted in the open billing
	// period is gone at the next sync, not the next full read. 0: off.
	RecheckDays int
	PerPage     int
	// Rate is the token bucket; Harvest documents 100 requests per 15 s.
	Rate      rate.Limit
	Retry     httpx.RetryPolicy
	Logger    *slog.Logger
	Transport http.RoundTripper
	Now       func() time.Time
}

// Connector reads one Harvest account.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg, fills defaults and builds the HTTP client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "harvest"
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Conflux (https://github.com/conflux-dev/conflux)"
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 24 * time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.PerPage == 0 {
		cfg.PerPage = 2000
	}
	if cfg.Rate == 0 {
		cfg.Rate = rate.Limit(100.0 / 15.0)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key := "sources." + cfg.Source
	if cfg.AccountID == "" {
		return nil, fmt.Errorf("%s.account_id: required (find it at https://id.getharvest.com/developers)", key)
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("%s.token: required (create a personal access token at https://id.getharvest.com/developers and set token: ${HARVEST_TOKEN})", key)
	}
	if cfg.PerPage < 1 || cfg.PerPage > 2000 {
		return nil, fmt.Errorf("%s.per_page: %d is outside 1..2000 (Harvest's maximum is 2000)", key, cfg.PerPage)
	}
	client, err := httpx.New(httpx.Options{
		Vendor:  "harvest",
		BaseURL: cfg.BaseURL,
		Auth: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+cfg.Token)
			r.Header.Set("Harvest-Account-Id", cfg.AccountID)
			r.Header.Set("User-Agent", cfg.UserAgent)
		},
		Rate:      cfg.Rate,
		Burst:     10,
		Retry:     cfg.Retry,
		Logger:    cfg.Logger,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "harvest" }

// Check reads /users/me: it proves the token, the account id and the User-Agent.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/users/me")
	return c.explain(err)
}

// endpoint describes one Harvest list.
type endpoint struct {
	stream string
	path   string
	key    string // the envelope's array field
	dated  string // the date field from= filters on (spent or issue date); "" when none
}

var endpoints = []endpoint{
	{stream: "users", path: "/users", key: "users"},
	{stream: "clients", path: "/clients", key: "clients"},
	{stream: "projects", path: "/projects", key: "projects"},
	{stream: "tasks", path: "/tasks", key: "tasks"},
	{stream: "task_assignments", path: "/task_assignments", key: "task_assignments"},
	{stream: "user_assignments", path: "/user_assignments", key: "user_assignments"},
	{stream: "time_entries", path: "/time_entries", key: "time_entries", dated: "spent_date"},
	{stream: "invoices", path: "/invoices", key: "invoices", dated: "issue_date"},
	{stream: "expenses", path: "/expenses", key: "expenses", dated: "spent_date"},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	streams := []connectors.Stream{{Name: "company", PrimaryKey: "id", Read: c.readCompany}}
	for _, ep := range endpoints {
		streams = append(streams, connectors.Stream{
			Name:       ep.stream,
			PrimaryKey: "id",
			Cursor:     "updated_at",
			Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
				return c.readList(ctx, ep, from, emit)
			},
		})
	}
	return streams
}

// cursorState is what a Harvest stream stores in meta.sync_state.
type cursorState struct {
	// UpdatedSince is the filter of the next incremental pass.
	UpdatedSince *time.Time `json:"updated_since,omitempty"`
	// LastScan is when the last full read started.
	LastScan time.Time `json:"last_scan,omitzero"`
	// A pass in progress: its filter, start, scan id and next page query;
	// Window is the first date of a recheck of recent records.
	PassFilter *time.Time `json:"pass_filter,omitempty"`
	Window     string     `json:"window,omitempty"`
	PassStart  time.Time  `json:"pass_start,omitzero"`
	ScanID     string     `json:"scan_id,omitempty"`
	Next       string     `json:"next,omitempty"`
}

func (c *Connector) readList(ctx context.Context, ep endpoint, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur cursorState
	if len(from) > 0 {
		if err := json.Unmarshal(from, &cur); err != nil {
			return fmt.Errorf("stored cursor is unreadable (%v); delete its row from meta.sync_state to start over", err)
		}
	}
	if cur.Next == "" {
		cur = c.startPass(ep, cur)
	}
	// The next page is fetched while this one commits: the network and JSON
	// work overlaps the warehouse's. A page fetched ahead is only a read; if
	// the commit fails it is dropped, and the cursor still points at it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := c.fetchPage(ctx, ep, cur.Next)
	for {
		if res.err != nil {
			return res.err
		}
		done := res.next == ""
		next := cur
		if done {
			next = c.afterPass(ep, cur)
		} else {
			next.Next = ep.path + "?" + res.next
		}
		page := connectors.Page{Records: res.records, Total: res.total}
		if cur.ScanID != "" {
			page.Scan = &connectors.Scan{ID: cur.ScanID, Done: done}
			if cur.Window != "" {
				page.Scan.Field, page.Scan.From = ep.dated, cur.Window
			}
		}
		var err error
		if page.Next, err = json.Marshal(next); err != nil {
			return err
		}
		var ahead chan fetched
		if next.Next != "" {
			ahead = make(chan fetched, 1)
			go func(q string) { ahead <- c.fetchPage(ctx, ep, q) }(next.Next)
		}
		if err := emit(page); err != nil {
			cancel()
			if ahead != nil {
				<-ahead
			}
			return err
		}
		if next.Next == "" {
			return nil
		}
		cur = next
		res = <-ahead
	}
}

type fetched struct {
	records []connectors.Record
	next    string // query of the following page; "" on the last
	total   int
	err     error
}

func (c *Connector) fetchPage(ctx context.Context, ep endpoint, pathAndQuery string) fetched {
	body, err := c.http.Get(ctx, pathAndQuery)
	if err != nil {
		return fetched{err: c.explain(err)}
	}
	records, next, total, err := decodeList(body, ep.key)
	if err != nil {
		return fetched{err: fmt.Errorf("page %s: %w", pathAndQuery, err)}
	}
	return fetched{records: records, next: next, total: total}
}

// afterPass is the cursor once a pass has read its last page: the next
// incremental filter, or — after an incremental pass of a dated stream —
// the recheck of the last RecheckDays days, whose key-set diff finds the
// records deleted there (Harvest keeps no tombstones).
func (c *Connector) afterPass(ep endpoint, cur cursorState) cursorState {
	since := cur.PassStart.Add(-c.cfg.Lookback)
	after := cursorState{UpdatedSince: &since, LastScan: cur.LastScan}
	if cur.ScanID != "" && cur.Window == "" {
		after.LastScan = cur.PassStart
	}
	if cur.ScanID != "" || ep.dated == "" || c.cfg.RecheckDays <= 0 {
		return after
	}
	from := cur.PassStart.AddDate(0, 0, -c.cfg.RecheckDays).Format(time.DateOnly)
	if !c.cfg.StartDate.IsZero() && c.cfg.StartDate.Format(time.DateOnly) > from {
		from = c.cfg.StartDate.Format(time.DateOnly)
	}
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(c.cfg.PerPage))
	q.Set("from", from)
	after.PassStart = cur.PassStart
	after.ScanID = "recheck " + cur.PassStart.Format(time.RFC3339Nano)
	after.Window = from
	after.Next = ep.path + "?" + q.Encode()
	return after
}

// startPass chooses between an incremental pass and a full read.
func (c *Connector) startPass(ep endpoint, prev cursorState) cursorState {
	now := c.cfg.Now().UTC()
	cur := cursorState{UpdatedSince: prev.UpdatedSince, LastScan: prev.LastScan, PassStart: now}
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(c.cfg.PerPage))
	full := prev.UpdatedSince == nil || now.Sub(prev.LastScan) >= c.cfg.FullScanEvery
	if full {
		cur.ScanID = now.Format(time.RFC3339Nano)
	} else {
		cur.PassFilter = prev.UpdatedSince
		q.Set("updated_since", prev.UpdatedSince.UTC().Format(time.RFC3339))
	}
	if ep.dated != "" && !c.cfg.StartDate.IsZero() {
		q.Set("from", c.cfg.StartDate.Format(time.DateOnly))
	}
	cur.Next = ep.path + "?" + q.Encode()
	return cur
}

// decodeList reads a Harvest list envelope in one pass, token by token:
// each record's bytes are sliced out of body as it is read, and only its
// id and updated_at are decoded. The next page is taken from links.next,
// never next_page (null mid-stream under cursor paging), and only its
// query is kept: requests always go to the configured base URL.
func decodeList(body []byte, key string) (records []connectors.Record, nextQuery string, total int, err error) {
	var next string
	records, err = connectors.DecodeEnvelope(body, key, "id", "updated_at", map[string]func(jsontext.Value) error{
		"total_entries": func(v jsontext.Value) error {
			if v.Kind() != '0' {
				return nil
			}
			total, err = strconv.Atoi(string(v))
			return err
		},
		"links": func(v jsontext.Value) error {
			var links struct {
				Next *string `json:"next"`
			}
			if err := json.Unmarshal(v, &links); err != nil {
				return err
			}
			if links.Next != nil {
				next = *links.Next
			}
			return nil
		},
	})
	if err != nil || next == "" {
		return records, "", total, err
	}
	u, err := url.Parse(next)
	if err != nil {
		return nil, "", 0, fmt.Errorf("%w: links.next %q: %v", connectors.ErrMalformed, next, err)
	}
	return records, u.RawQuery, total, nil
}

func (c *Connector) readCompany(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
	body, err := c.http.Get(ctx, "/company")
	if err != nil {
		return c.explain(err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return fmt.Errorf("/company: %w: %v", connectors.ErrMalformed, err)
	}
	return emit(connectors.Page{Records: []connectors.Record{{ID: "company", Payload: body}}})
}

// explain turns the failures a user can fix into messages that say how.
func (c *Connector) explain(err error) error {
	var apiErr *httpx.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	key := "sources." + c.cfg.Source
	switch apiErr.Status {
	case http.StatusUnauthorized:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Harvest refused the token (HTTP 401): check %s.token and %s.account_id (tokens are at https://id.getharvest.com/developers)", key, key)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Harvest denied access to %s (HTTP 403): the token's user needs the Administrator role to read everyone's time", apiErr.Path)}
	case http.StatusNotFound:
		return &connectors.Explained{Cause: err, Msg: fmt.Sprintf(
			"Harvest has no %s (HTTP 404): check %s.account_id and %s.base_url", apiErr.Path, key, key)}
	}
	return err
}
