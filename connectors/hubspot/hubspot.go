// Package hubspot reads the HubSpot CRM: owners, deal pipelines and stages,
// companies, deals, line items and deal→company associations. Changed
// records come from the search API sorted by hs_lastmodifieddate, with a
// (timestamp, id) cursor that also steps past the search's 10,000-result
// cap; archived records never appear in search, so each pass also lists
// archived=true objects as tombstones.
package hubspot

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

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// Config is what the connector needs.
type Config struct {
	Source      string
	Token       string             // a private app's access token
	TokenSource oauth2.TokenSource // or OAuth
	BaseURL     string
	Lookback    time.Duration // overlap: the search index is eventually consistent
	Rate        rate.Limit    // default 4/s, under the search endpoints' 5 a second
	Retry       httpx.RetryPolicy
	Logger      *slog.Logger
	Transport   http.RoundTripper
	Now         func() time.Time
}

// Connector reads one HubSpot account.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "hubspot"
	}
	key := "sources." + cfg.Source
	if cfg.Token == "" && cfg.TokenSource == nil {
		return nil, fmt.Errorf("%s.token: required (a private app's access token, with crm.objects.deals.read, crm.objects.companies.read, crm.objects.line_items.read and crm.objects.owners.read; or use auth: oauth2)", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = time.Hour
	}
	if cfg.Rate == 0 {
		cfg.Rate = 4
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := httpx.Options{Vendor: "hubspot", BaseURL: cfg.BaseURL, TokenSource: cfg.TokenSource,
		Rate: cfg.Rate, Burst: 4, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport}
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
func (c *Connector) Name() string { return "hubspot" }

// Check lists one owner.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/crm/v3/owners?limit=1")
	return c.explain(err)
}

var properties = map[string][]string{
	"companies":  {"name", "domain", "hs_lastmodifieddate"},
	"deals":      {"dealname", "amount", "deal_currency_code", "closedate", "pipeline", "dealstage", "hs_deal_stage_probability", "hs_is_closed", "hs_is_closed_won", "hubspot_owner_id", "project_code", "createdate", "hs_lastmodifieddate"},
	"line_items": {"name", "quantity", "price", "amount", "hs_product_id", "hs_line_item_currency_code", "hs_lastmodifieddate"},
}

// Streams implements connectors.Connector.
func (c *Connector) Streams() []connectors.Stream {
	objects := func(objectType string) connectors.Stream {
		return connectors.Stream{Name: objectType, PrimaryKey: "id", Cursor: "hs_lastmodifieddate",
			Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
				return c.readChanges(ctx, objectType, properties[objectType], true, from, emit, nil)
			}}
	}
	return []connectors.Stream{
		{Name: "account", PrimaryKey: "portalId", Read: c.readAccount},
		{Name: "owners", PrimaryKey: "id", Read: c.readOwners},
		{Name: "pipelines", PrimaryKey: "id", Read: c.readPipelines},
		objects("companies"),
		objects("deals"),
		objects("line_items"),
		{Name: "deal_companies", PrimaryKey: "from.id", Cursor: "deal hs_lastmodifieddate", Read: func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
			return c.readChanges(ctx, "deals", []string{"hs_lastmodifieddate"}, false, from, emit, c.associations)
		}},
	}
}

func scanID(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

type listCursor struct {
	ScanID string `json:"scan_id,omitempty"`
	After  string `json:"after,omitempty"`
}

// readAccount reads the account's details: its portal id is what links to
// a record in HubSpot's web app.
func (c *Connector) readAccount(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
	body, err := c.http.Get(ctx, "/account-info/v3/details")
	if err != nil {
		return c.explain(err)
	}
	var details struct {
		PortalID json.Number `json:"portalId"`
	}
	if err := json.Unmarshal(body, &details); err != nil || details.PortalID == "" {
		return fmt.Errorf("hubspot /account-info/v3/details: %w: no portalId", connectors.ErrMalformed)
	}
	return emit(connectors.Page{Records: []connectors.Record{{ID: details.PortalID.String(), Payload: body}}, Next: []byte(`{}`)})
}

// readOwners lists active and archived owners; together they are the full set.
func (c *Connector) readOwners(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	var cur listCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if cur.ScanID == "" {
		cur = listCursor{ScanID: scanID(c.cfg.Now())}
	}
	for _, archived := range []bool{false, true} {
		after := ""
		for {
			q := url.Values{"limit": {"100"}, "archived": {strconv.FormatBool(archived)}}
			if after != "" {
				q.Set("after", after)
			}
			records, next, err := c.getList(ctx, "/crm/v3/owners?"+q.Encode())
			if err != nil {
				return err
			}
			done := archived && next == ""
			cursor := []byte(`{}`)
			if !done {
				cursor, _ = json.Marshal(cur)
			}
			if len(records) > 0 || done {
				if err := emit(connectors.Page{Records: records, Next: cursor, Scan: &connectors.Scan{ID: cur.ScanID, Done: done}}); err != nil {
					return err
				}
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	return nil
}

func (c *Connector) readPipelines(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
	body, err := c.http.Get(ctx, "/crm/v3/pipelines/deals")
	if err != nil {
		return c.explain(err)
	}
	var env struct {
		Results json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("/crm/v3/pipelines/deals: %w: %v", connectors.ErrMalformed, err)
	}
	records, err := connectors.DecodeArray(env.Results, "id")
	if err != nil {
		return fmt.Errorf("/crm/v3/pipelines/deals: %w", err)
	}
	return emit(connectors.Page{Records: records, Next: connectors.Cursor(`{}`), Scan: &connectors.Scan{ID: scanID(c.cfg.Now()), Done: true}})
}

// changeCursor is a search pass: the (timestamp, id) of the last record
// read, the offset within the current query, and then the archived list.
type changeCursor struct {
	Since     *time.Time `json:"since,omitempty"` // the next pass starts here
	PassStart time.Time  `json:"pass_start,omitzero"`
	Started   bool       `json:"started,omitempty"`
	// The query runs from (QueryTS, QueryID); paging keeps it fixed, and a
	// new query starts from the last record read (LastTS, LastID).
	QueryTS   string `json:"query_ts,omitempty"`
	QueryID   int64  `json:"query_id,omitempty"`
	LastTS    string `json:"last_ts,omitempty"`
	LastID    int64  `json:"last_id,omitempty"`
	After     int    `json:"after,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
	ArchAfter string `json:"arch_after,omitempty"`
}

const searchLimit = 200

// readChanges walks the search results changed since the last pass. With
// tombstones it then lists archived objects; with convert it turns each
// page of changed records into other records (associations).
func (c *Connector) readChanges(ctx context.Context, objectType string, props []string, tombstones bool, from connectors.Cursor, emit func(connectors.Page) error,
	convert func(context.Context, []connectors.Record) ([]connectors.Record, error)) error {
	var cur changeCursor
	if len(from) > 0 {
		json.Unmarshal(from, &cur)
	}
	if !cur.Started {
		since := time.Unix(0, 0).UTC()
		if cur.Since != nil {
			since = *cur.Since
		}
		ts := since.Format("2006-01-02T15:04:05.000Z")
		cur = changeCursor{Since: cur.Since, PassStart: c.cfg.Now().UTC(), Started: true, QueryTS: ts, LastTS: ts}
	}
	finish := func() []byte {
		since := cur.PassStart.Add(-c.cfg.Lookback)
		b, _ := json.Marshal(changeCursor{Since: &since})
		return b
	}
	for !cur.Archived {
		groups := []map[string]any{{"filters": []map[string]string{{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": cur.QueryTS}}}}
		if cur.QueryID > 0 {
			groups = []map[string]any{
				{"filters": []map[string]string{{"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": cur.QueryTS}}},
				{"filters": []map[string]string{{"propertyName": "hs_lastmodifieddate", "operator": "EQ", "value": cur.QueryTS},
					{"propertyName": "hs_object_id", "operator": "GT", "value": strconv.FormatInt(cur.QueryID, 10)}}},
			}
		}
		body, _ := json.Marshal(map[string]any{"filterGroups": groups, "properties": props, "limit": searchLimit, "after": strconv.Itoa(cur.After),
			"sorts": []map[string]string{{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}}})
		path := "/crm/v3/objects/" + objectType + "/search"
		resp, err := c.http.Do(ctx, http.MethodPost, path, "application/json", body)
		if err != nil {
			return c.explain(err)
		}
		var env struct {
			Total   int             `json:"total"`
			Results json.RawMessage `json:"results"`
			Paging  *struct {
				Next struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if err := json.Unmarshal(resp.Body, &env); err != nil {
			return fmt.Errorf("%s: %w: %v", path, connectors.ErrMalformed, err)
		}
		records, err := connectors.DecodeArray(env.Results, "id")
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		next := cur
		if n := len(records); n > 0 {
			var last struct {
				ID         string            `json:"id"`
				Properties map[string]string `json:"properties"`
			}
			json.Unmarshal(records[n-1].Payload, &last)
			next.LastID, _ = strconv.ParseInt(last.ID, 10, 64)
			if ts := last.Properties["hs_lastmodifieddate"]; ts != "" {
				next.LastTS = ts
			}
		}
		for i := range records {
			records[i].UpdatedAt = updatedAt(records[i].Payload)
		}
		switch {
		case env.Paging == nil || env.Paging.Next.After == "":
			next.Archived, next.After = true, 0
		case cur.After+2*searchLimit > 10000:
			// The search stops at 10,000 results: start a new query after
			// the last (timestamp, id) read instead of paging further.
			next.After, next.QueryTS, next.QueryID = 0, next.LastTS, next.LastID
		default:
			next.After, _ = strconv.Atoi(env.Paging.Next.After)
		}
		if convert != nil {
			if records, err = convert(ctx, records); err != nil {
				return err
			}
		}
		page := connectors.Page{Records: records, Total: env.Total}
		done := next.Archived && !tombstones
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
	// Archived (deleted) objects: only a list call with archived=true shows them.
	for {
		q := url.Values{"archived": {"true"}, "limit": {"100"}, "properties": {"hs_object_id"}}
		if cur.ArchAfter != "" {
			q.Set("after", cur.ArchAfter)
		}
		records, next, err := c.getList(ctx, "/crm/v3/objects/"+objectType+"?"+q.Encode())
		if err != nil {
			return err
		}
		page := connectors.Page{}
		for _, r := range records {
			page.Deleted = append(page.Deleted, r.ID)
		}
		cur.ArchAfter = next
		if next == "" {
			page.Next = finish()
		} else {
			page.Next, _ = json.Marshal(cur)
		}
		if err := emit(page); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
	}
}

// associations reads the companies of a page of deals (v4 batch).
func (c *Connector) associations(ctx context.Context, deals []connectors.Record) ([]connectors.Record, error) {
	if len(deals) == 0 {
		return nil, nil
	}
	var inputs []map[string]string
	for _, d := range deals {
		inputs = append(inputs, map[string]string{"id": d.ID})
	}
	body, _ := json.Marshal(map[string]any{"inputs": inputs})
	resp, err := c.http.Do(ctx, http.MethodPost, "/crm/v4/associations/deals/companies/batch/read", "application/json", body)
	if err != nil {
		return nil, c.explain(err)
	}
	var env struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return nil, fmt.Errorf("associations: %w: %v", connectors.ErrMalformed, err)
	}
	var out []connectors.Record
	for _, r := range env.Results {
		var head struct {
			From struct {
				ID string `json:"id"`
			} `json:"from"`
		}
		if err := json.Unmarshal(r, &head); err != nil || head.From.ID == "" {
			return nil, fmt.Errorf("associations: %w: a result without from.id", connectors.ErrMalformed)
		}
		out = append(out, connectors.Record{ID: head.From.ID, Payload: r})
	}
	return out, nil
}

func updatedAt(payload []byte) time.Time {
	var head struct {
		UpdatedAt time.Time `json:"updatedAt"`
	}
	json.Unmarshal(payload, &head)
	return head.UpdatedAt
}

func (c *Connector) getList(ctx context.Context, path string) ([]connectors.Record, string, error) {
	body, err := c.http.Get(ctx, path)
	if err != nil {
		return nil, "", c.explain(err)
	}
	var env struct {
		Results json.RawMessage `json:"results"`
		Paging  *struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", fmt.Errorf("%s: %w: %v", path, connectors.ErrMalformed, err)
	}
	records, err := connectors.DecodeArray(env.Results, "id")
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	next := ""
	if env.Paging != nil {
		next = env.Paging.Next.After
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
			"HubSpot refused the token (HTTP 401): check %s.token (Settings → Integrations → Private apps), or run `conflux connect %s` again for OAuth", key, c.cfg.Source)}
	case http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"HubSpot denied %s (HTTP 403): the app lacks a scope (crm.objects.deals.read, crm.objects.companies.read, crm.objects.line_items.read, crm.objects.owners.read)", apiErr.Path)}
	case http.StatusTooManyRequests:
		if strings.Contains(apiErr.Body, "DAILY") {
			return &connectors.Explained{Kind: connectors.ErrRateLimited, Cause: err, Msg: "HubSpot's daily API limit for this account is used up (it resets at midnight in the account's time zone); the sync resumes from its last committed page"}
		}
	}
	return err
}
