// Package pipedrive reads Pipedrive (API v2; v1 only for users): deals
// (open, won, lost, recently deleted, and archived apart), organizations,
// persons, pipelines, stages, deal fields and users. Lists page with cursors;
// deals, organizations and persons change incrementally through
// updated_since sorted by update_time, and are read whole once a day, whose
// key-set diff finds what was deleted. Each call spends the company's daily
// token budget; running out stops the sync with a clear message.
package pipedrive

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

// DefaultBaseURL is Pipedrive's API host.
const DefaultBaseURL = "https://api.pipedrive.com"

// Config is what the connector needs.
type Config struct {
	Source        string
	Token         string             // a user's API token
	TokenSource   oauth2.TokenSource // or OAuth; calls then go to the grant's api_domain
	BaseURL       string
	Lookback      time.Duration
	FullScanEvery time.Duration
	Rate          rate.Limit // default 8/s, under the smallest plan's 20 requests per 2 s
	Retry         httpx.RetryPolicy
	Logger        *slog.Logger
	Transport     http.RoundTripper
	Now           func() time.Time
}

// Connector reads one Pipedrive company.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "pipedrive"
	}
	key := "sources." + cfg.Source
	if cfg.Token == "" && cfg.TokenSource == nil {
		return nil, fmt.Errorf("%s.api_token: required (Personal preferences → API; set api_token: ${PIPEDRIVE_API_TOKEN}), or use auth: oauth2", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = time.Hour
	}
	if cfg.FullScanEvery == 0 {
		cfg.FullScanEvery = 24 * time.Hour
	}
	if cfg.Rate == 0 {
		cfg.Rate = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := httpx.Options{Vendor: "pipedrive", BaseURL: cfg.BaseURL, TokenSource: cfg.TokenSource,
		Rate: cfg.Rate, Burst: 8, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport}
	if cfg.TokenSource == nil {
		token := cfg.Token
		opts.Auth = func(r *http.Request) { r.Header.Set("X-Api-Token", token) }
	}
	client, err := httpx.New(opts)
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "pipedrive" }

// Check reads the pipelines (cost 5).
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/api/v2/pipelines?limit=1")
	return c.explain(err)
}

// list is one collection and how it changes.
type list struct {
	stream      string
	paths       []string // read one after the other in a pass
	incremental bool
}

var lists = []list{
	{stream: "users", paths: []string{"/v1/users"}},
	{stream: "pipelines", paths: []string{"/api/v2/pipelines"}},
	{stream: "stages", paths: []string{"/api/v2/stages"}},
	{stream: "deal_fields", paths: []string{"/api/v2/dealFields"}},
	{stream: "organizations", paths: []string{"/api/v2/organizations"}, incremental: true},
	{stream: "persons", paths: []string{"/api/v2/persons"}, incremental: true},
	// Archived deals left /deals in 2025; deleted ones come back for 30 days with status=deleted.
	{stream: "deals", paths: []string{"/api/v2/deals?status=open,won,lost,deleted", "/api/v2/deals/archived?status=open,won,lost,deleted"}, incremental: true},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	out := []connectors.Stream{{Name: "account", PrimaryKey: "company_id", Read: c.readAccount}}
	for _, l := range lists {
		st := connectors.Stream{Name: l.stream, PrimaryKey: "id", Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.read(ctx, l, from, emit)
		}}
		if l.incremental {
			st.Cursor = "update_time"
		}
		out = append(out, st)
	}
	return out
}

// readAccount reads the token's own user, which carries the company's
// domain: what links a deal to its page in Pipedrive.
func (c *Connector) readAccount(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
	body, err := c.http.Get(ctx, "/v1/users/me")
	if err != nil {
		return c.explain(err)
	}
	var me struct {
		Data struct {
			CompanyID     json.Number `json:"company_id"`
			CompanyDomain string      `json:"company_domain"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.Data.CompanyID == "" {
		return fmt.Errorf("pipedrive /v1/users/me: %w: no company_id", connectors.ErrMalformed)
	}
	payload, _ := json.Marshal(map[string]any{"company_id": me.Data.CompanyID, "company_domain": me.Data.CompanyDomain})
	return emit(connectors.Page{Records: []connectors.Record{{ID: me.Data.CompanyID.String(), Payload: payload}}, Next: []byte(`{}`)})
}

type cursor struct {
	Since    *time.Time `json:"since,omitempty"`
	LastScan time.Time  `json:"last_scan,omitzero"`
	// a pass in progress
	Started   bool       `json:"started,omitempty"`
	PassSince *time.Time `json:"pass_since,omitempty"`
	PassStart time.Time  `json:"pass_start,omitzero"`
	ScanID    string     `json:"scan_id,omitempty"`
	Path      int        `json:"path,omitempty"`
	Next      string     `json:"next,omitempty"`
}

func (c *Connector) read(ctx context.Context, l list, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur cursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if !cur.Started {
		now := c.cfg.Now().UTC()
		next := cursor{Since: cur.Since, LastScan: cur.LastScan, Started: true, PassStart: now}
		if !l.incremental || cur.Since == nil || now.Sub(cur.LastScan) >= c.cfg.FullScanEvery {
			next.ScanID = now.Format(time.RFC3339Nano)
		} else {
			next.PassSince = cur.Since
		}
		cur = next
	}
	for {
		path := l.paths[cur.Path]
		q := url.Values{}
		if strings.HasPrefix(path, "/api/v2/") {
			q.Set("limit", "500")
			if cur.Next != "" {
				q.Set("cursor", cur.Next)
			}
			if l.incremental {
				q.Set("sort_by", "update_time")
				q.Set("sort_direction", "asc")
			}
			if cur.PassSince != nil {
				q.Set("updated_since", cur.PassSince.UTC().Format(time.RFC3339))
			}
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		full := path
		if len(q) > 0 {
			full += sep + q.Encode()
		}
		body, err := c.http.Get(ctx, full)
		if err != nil {
			return c.explain(err)
		}
		records, nextCursor, err := decode(body)
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		next := cur
		next.Next = nextCursor
		if nextCursor == "" {
			next.Path++
		}
		done := next.Path >= len(l.paths)
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

// decode reads {success, data: [...], additional_data: {next_cursor}}.
func decode(body []byte) ([]connectors.Record, string, error) {
	var env struct {
		Success        bool            `json:"success"`
		Data           json.RawMessage `json:"data"`
		AdditionalData struct {
			NextCursor *string `json:"next_cursor"`
		} `json:"additional_data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", fmt.Errorf("%w: %v", connectors.ErrMalformed, err)
	}
	if !env.Success {
		return nil, "", fmt.Errorf("%w: success is false: %.200s", connectors.ErrMalformed, body)
	}
	var records []connectors.Record
	if b := bytes.TrimSpace(env.Data); len(b) > 0 && string(b) != "null" {
		dec := json.NewDecoder(bytes.NewReader(env.Data))
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, "", fmt.Errorf("%w: data is not an array", connectors.ErrMalformed)
		}
		for i := 0; dec.More(); i++ {
			start := dec.InputOffset()
			var head struct {
				ID         json.Number `json:"id"`
				Key        string      `json:"key"` // deal fields are keyed by key
				UpdateTime string      `json:"update_time"`
			}
			if err := dec.Decode(&head); err != nil {
				return nil, "", fmt.Errorf("%w: data[%d]: %v", connectors.ErrMalformed, i, err)
			}
			id := head.ID.String()
			if id == "" {
				id = head.Key
			}
			if id == "" {
				return nil, "", fmt.Errorf("%w: data[%d] has no id", connectors.ErrMalformed, i)
			}
			updated, _ := time.Parse(time.RFC3339, head.UpdateTime)
			records = append(records, connectors.Record{ID: id, UpdatedAt: updated, Payload: bytes.TrimLeft(env.Data[start:dec.InputOffset()], ", \t\r\n")})
		}
	}
	next := ""
	if env.AdditionalData.NextCursor != nil {
		next = *env.AdditionalData.NextCursor
	}
	return records, next, nil
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
			"Pipedrive refused the token (HTTP 401): check %s.api_token (Personal preferences → API), or run `conflux connect %s` again for OAuth", key, c.cfg.Source)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Pipedrive denied %s (HTTP 403): the user or app lacks the deals:read, contacts:read or users:read scope", apiErr.Path)}
	case http.StatusTooManyRequests:
		if strings.Contains(strings.ToLower(apiErr.Body), "budget") {
			return &connectors.Explained{Kind: connectors.ErrRateLimited, Cause: err, Msg: "Pipedrive's daily API token budget for this company is spent (it is shared with its other integrations and the web app); the sync stopped at a committed page and resumes there: run it again after the daily reset"}
		}
	}
	return err
}
