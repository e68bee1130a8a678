// Package forecast reads Harvest Forecast, Harvest's resourcing companion:
// people, clients, projects, placeholders (unnamed roles) and assignments —
// who or which role is booked on what, how many hours a day, from when to
// when. Forecast has no official API
// documentation; this follows what its clients rely on (shared/apis): a
// Harvest token with the Forecast-Account-ID header, each collection whole
// in a {"<name>": [...]} envelope with no paging and no changed-since
// filter, and assignments for an explicit date window. So every sync reads
// each collection whole — one request each — and the key-set diff of that
// full read finds what was deleted. The assignment window starts at
// start_date (fixed, so nothing seen once slides out of it) and ends a year
// ahead.
package forecast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/httpx"
)

// DefaultBaseURL is Forecast's API root.
const DefaultBaseURL = "https://api.forecastapp.com"

// Config is what the connector needs.
type Config struct {
	Source    string
	AccountID string // the Forecast account, not the Harvest one
	Token     string // a Harvest personal access token with Forecast access
	BaseURL   string
	UserAgent string
	// StartDate is where the assignment window begins; default 1 January
	// of last year.
	StartDate time.Time
	// AheadDays is how far the window reaches past today; default 365.
	AheadDays int
	Rate      rate.Limit // default Harvest's 100 requests per 15 s
	Retry     httpx.RetryPolicy
	Logger    *slog.Logger
	Transport http.RoundTripper
	Now       func() time.Time
}

// Connector reads one Forecast account.
type Connector struct {
	cfg  Config
	http *httpx.Client
}

// New validates cfg and builds the client.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "forecast"
	}
	key := "sources." + cfg.Source
	if cfg.AccountID == "" {
		return nil, fmt.Errorf("%s.account_id: required (the Forecast account id: the number in https://forecastapp.com/<id>/schedule, or GET https://id.getharvest.com/api/v2/accounts)", key)
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("%s.token: required (a Harvest personal access token whose user can open Forecast, https://id.getharvest.com/developers; set token: ${FORECAST_TOKEN})", key)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Conflux (https://github.com/conflux-dev/conflux)"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StartDate.IsZero() {
		cfg.StartDate = time.Date(cfg.Now().Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.AheadDays == 0 {
		cfg.AheadDays = 365
	}
	if cfg.Rate == 0 {
		cfg.Rate = rate.Limit(100.0 / 15.0)
	}
	client, err := httpx.New(httpx.Options{
		Vendor:  "forecast",
		BaseURL: cfg.BaseURL,
		Auth: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+cfg.Token)
			r.Header.Set("Forecast-Account-ID", cfg.AccountID)
			r.Header.Set("User-Agent", cfg.UserAgent)
		},
		Rate: cfg.Rate, Burst: 10, Retry: cfg.Retry, Logger: cfg.Logger, Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s.base_url: %w", key, err)
	}
	return &Connector{cfg: cfg, http: client}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "forecast" }

// Check reads /whoami: it proves the token and the account id.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.http.Get(ctx, "/whoami")
	return c.explain(err)
}

// Streams implements connectors.Connector: each is one full read.
func (c *Connector) Streams() []connectors.Stream {
	whole := func(name string, path func() string) connectors.Stream {
		return connectors.Stream{Name: name, PrimaryKey: "id", Read: func(ctx context.Context, _ connectors.Cursor, emit func(connectors.Page) error) error {
			return c.readWhole(ctx, name, path(), emit)
		}}
	}
	return []connectors.Stream{
		whole("people", func() string { return "/people" }),
		whole("clients", func() string { return "/clients" }),
		whole("projects", func() string { return "/projects" }),
		whole("placeholders", func() string { return "/placeholders" }),
		whole("assignments", func() string {
			end := c.cfg.Now().UTC().AddDate(0, 0, c.cfg.AheadDays)
			return "/assignments?start_date=" + c.cfg.StartDate.Format(time.DateOnly) + "&end_date=" + end.Format(time.DateOnly)
		}),
	}
}

type cursor struct {
	LastRead time.Time `json:"last_read"`
}

func (c *Connector) readWhole(ctx context.Context, name, path string, emit func(connectors.Page) error) error {
	now := c.cfg.Now().UTC()
	body, err := c.http.Get(ctx, path)
	if err != nil {
		return c.explain(err)
	}
	records, err := decode(body, name)
	if err != nil {
		return fmt.Errorf("forecast %s: %w", path, err)
	}
	next, _ := json.Marshal(cursor{LastRead: now})
	return emit(connectors.Page{Records: records, Next: next, Total: len(records),
		Scan: &connectors.Scan{ID: now.Format(time.RFC3339Nano), Done: true}})
}

// decode reads the {"<name>": [...]} envelope; records keep their bytes
// and updated_at.
func decode(body []byte, name string) ([]connectors.Record, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", connectors.ErrMalformed, err)
	}
	list, ok := env[name]
	if !ok {
		return nil, fmt.Errorf("%w: no %q array in the response", connectors.ErrMalformed, name)
	}
	records, err := connectors.DecodeArray(list, "id")
	if err != nil {
		return nil, err
	}
	for i := range records {
		var stamp struct {
			UpdatedAt time.Time `json:"updated_at"`
		}
		if json.Unmarshal(records[i].Payload, &stamp) == nil {
			records[i].UpdatedAt = stamp.UpdatedAt
		}
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
			"Forecast refused the token (HTTP 401): check %s.token (a Harvest personal access token, https://id.getharvest.com/developers)", key)}
	case http.StatusNotFound, http.StatusForbidden:
		return &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
			"Forecast answered HTTP %d for %s: check %s.account_id is the Forecast account (not the Harvest one) and that the token's user can open it", apiErr.Status, apiErr.Path, key)}
	}
	return err
}
