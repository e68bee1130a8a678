package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
	"github.com/conflux-dev/conflux/connectors/asana"
	"github.com/conflux-dev/conflux/connectors/clockify"
	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/connectors/forecast"
	"github.com/conflux-dev/conflux/connectors/harvest"
	"github.com/conflux-dev/conflux/connectors/hubspot"
	"github.com/conflux-dev/conflux/connectors/jira"
	"github.com/conflux-dev/conflux/connectors/pipedrive"
	"github.com/conflux-dev/conflux/connectors/productive"
	"github.com/conflux-dev/conflux/connectors/quickbooks"
	"github.com/conflux-dev/conflux/connectors/toggl"
	"github.com/conflux-dev/conflux/connectors/xero"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// connectorType is how a `type:` in conflux.yaml becomes a connector.
type connectorType struct {
	keys []string // settings beyond the common ones
	new  func(src config.Source, d deps) (connectors.Connector, error)
}

// deps is what a connector is built with beyond its config: the logger and,
// for sources connected with OAuth, the stored authorization.
type deps struct {
	log    *slog.Logger
	tokens oauth2.TokenSource // nil unless auth: oauth2
	extra  map[string]string  // what `conflux connect` learnt (Jira's cloud id)
	wh     *warehouse.Warehouse
}

// connectorTypes is every connector Conflux ships; adding one is one line.
var connectorTypes = map[string]connectorType{
	"harvest":    {keys: []string{"account_id", "token", "user_agent", "per_page", "recheck_days"}, new: newHarvest},
	"forecast":   {keys: []string{"account_id", "token", "user_agent", "ahead_days"}, new: newForecast},
	"clockify":   {keys: []string{"workspace_id", "api_key", "region", "page_size"}, new: newClockify},
	"toggl":      {keys: []string{"workspace_id", "api_token", "page_size", "reread_days"}, new: newToggl},
	"jira":       {keys: []string{"email", "api_token", "page_size", "api_url", "auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newJira},
	"asana":      {keys: []string{"workspace_id", "token", "reread_days", "auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newAsana},
	"productive": {keys: []string{"organization_id", "token", "page_size"}, new: newProductive},
	"pipedrive":  {keys: []string{"api_token", "auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newPipedrive},
	"hubspot":    {keys: []string{"token", "auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newHubSpot},
	"quickbooks": {keys: []string{"auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newQuickBooks},
	"files":      {keys: []string{"path", "max_file_mb"}, new: newFiles},
	"xero":       {keys: []string{"tenant_id", "connections_url", "auth", "client_id", "client_secret", "auth_url", "token_url", "redirect_url"}, new: newXero},
}

func vendors() config.Vendors {
	v := config.Vendors{}
	for name, t := range connectorTypes {
		v[name] = t.keys
	}
	return v
}

// newConnector builds a source's connector; an OAuth source reads its
// stored authorization from the warehouse, so wh must be open for those.
func newConnector(ctx context.Context, cfg *config.Config, src config.Source, wh *warehouse.Warehouse, log *slog.Logger) (connectors.Connector, error) {
	t, ok := connectorTypes[src.Type]
	if !ok {
		return nil, usageError{fmt.Errorf("sources.%s.type: unknown connector %q", src.Name, src.Type)}
	}
	d := deps{log: log, wh: wh}
	switch src.Settings["auth"] {
	case "", "token":
	case "oauth2":
		var err error
		if d.tokens, d.extra, err = storedAuthorization(ctx, cfg, src, wh); err != nil {
			return nil, err
		}
	default:
		return nil, usageError{fmt.Errorf("sources.%s.auth: %q is not supported (token or oauth2)", src.Name, src.Settings["auth"])}
	}
	c, err := t.new(src, d)
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// newFiles reads a folder of spreadsheets; a person a file names must be
// someone the warehouse knows, once it knows anyone.
func newFiles(src config.Source, d deps) (connectors.Connector, error) {
	cfg := files.Config{Source: src.Name, Dir: src.Settings["path"], Logger: d.log}
	if cfg.Dir == "" {
		return nil, fmt.Errorf("sources.%s.path: required: the folder of spreadsheets to read (e.g. inputs/; `conflux templates write inputs` writes one)", src.Name)
	}
	if v := src.Settings["max_file_mb"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 2048 {
			return nil, fmt.Errorf("sources.%s.max_file_mb: %q must be a number of megabytes from 1 to 2048 (default %d)", src.Name, v, files.DefaultMaxFileMB)
		}
		cfg.MaxFileMB = n
	}
	if d.wh != nil {
		cfg.People = func(ctx context.Context) (map[string]bool, error) { return knownPeople(ctx, d.wh) }
	}
	return files.New(cfg)
}

// knownPeople are the emails of core.people; nil before the first build.
func knownPeople(ctx context.Context, wh *warehouse.Warehouse) (map[string]bool, error) {
	var n int
	wh.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'people'`).Scan(&n)
	if n == 0 {
		return nil, nil
	}
	rows, err := wh.DB().QueryContext(ctx, `SELECT DISTINCT lower(email) FROM core.people WHERE email IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out[e] = true
	}
	if len(out) == 0 {
		return nil, rows.Err()
	}
	return out, rows.Err()
}

func newHarvest(src config.Source, d deps) (connectors.Connector, error) {
	cfg := harvest.Config{
		Source: src.Name, AccountID: src.Settings["account_id"], Token: src.Settings["token"],
		BaseURL: src.BaseURL, UserAgent: src.Settings["user_agent"], StartDate: src.StartDate,
		Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, RecheckDays: 45, Logger: d.log,
	}
	if v := src.Settings["per_page"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("sources.%s.per_page: %q is not a number (Harvest allows 1..2000)", src.Name, v)
		}
		cfg.PerPage = n
	}
	if v := src.Settings["recheck_days"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			return nil, fmt.Errorf("sources.%s.recheck_days: %q must be a number of days from 0 (off) to 3650 (default 45)", src.Name, v)
		}
		cfg.RecheckDays = n
	}
	return harvest.New(cfg)
}

func newForecast(src config.Source, d deps) (connectors.Connector, error) {
	cfg := forecast.Config{
		Source: src.Name, AccountID: src.Settings["account_id"], Token: src.Settings["token"],
		BaseURL: src.BaseURL, UserAgent: src.Settings["user_agent"], StartDate: src.StartDate, Logger: d.log,
	}
	if v := src.Settings["ahead_days"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			return nil, fmt.Errorf("sources.%s.ahead_days: %q must be a number of days between 1 and 3650 (default 365)", src.Name, v)
		}
		cfg.AheadDays = n
	}
	return forecast.New(cfg)
}

func newClockify(src config.Source, d deps) (connectors.Connector, error) {
	cfg := clockify.Config{
		Source: src.Name, WorkspaceID: src.Settings["workspace_id"], APIKey: src.Settings["api_key"],
		BaseURL: src.BaseURL, Region: src.Settings["region"], StartDate: src.StartDate,
		Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log,
	}
	if v := src.Settings["page_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("sources.%s.page_size: %q must be a positive number", src.Name, v)
		}
		cfg.PageSize = n
	}
	return clockify.New(cfg)
}

func newToggl(src config.Source, d deps) (connectors.Connector, error) {
	cfg := toggl.Config{
		Source: src.Name, WorkspaceID: src.Settings["workspace_id"], APIToken: src.Settings["api_token"],
		BaseURL: src.BaseURL, StartDate: src.StartDate, Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log,
	}
	for key, dst := range map[string]*int{"page_size": &cfg.PageSize, "reread_days": &cfg.RereadDays} {
		if v := src.Settings[key]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("sources.%s.%s: %q must be a positive number", src.Name, key, v)
			}
			*dst = n
		}
	}
	return toggl.New(cfg)
}

func newJira(src config.Source, d deps) (connectors.Connector, error) {
	cfg := jira.Config{
		Source: src.Name, BaseURL: src.BaseURL, Email: src.Settings["email"], APIToken: src.Settings["api_token"],
		TokenSource: d.tokens, CloudID: d.extra["cloud_id"], APIURL: src.Settings["api_url"],
		StartDate: src.StartDate, Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log,
	}
	if v := src.Settings["page_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			return nil, fmt.Errorf("sources.%s.page_size: %q must be a number from 1 to 5000", src.Name, v)
		}
		cfg.PageSize = n
	}
	return jira.New(cfg)
}

func newAsana(src config.Source, d deps) (connectors.Connector, error) {
	cfg := asana.Config{
		Source: src.Name, WorkspaceID: src.Settings["workspace_id"], Token: src.Settings["token"], BaseURL: src.BaseURL, TokenSource: d.tokens,
		StartDate: src.StartDate, Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log,
	}
	if v := src.Settings["reread_days"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("sources.%s.reread_days: %q must be a positive number", src.Name, v)
		}
		cfg.RereadDays = n
	}
	return asana.New(cfg)
}

func newProductive(src config.Source, d deps) (connectors.Connector, error) {
	cfg := productive.Config{
		Source: src.Name, OrganizationID: src.Settings["organization_id"], Token: src.Settings["token"], BaseURL: src.BaseURL,
		Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log,
	}
	if v := src.Settings["page_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("sources.%s.page_size: %q must be a number from 1 to 200", src.Name, v)
		}
		cfg.PageSize = n
	}
	return productive.New(cfg)
}

func newXero(src config.Source, d deps) (connectors.Connector, error) {
	if src.Settings["auth"] != "oauth2" {
		return nil, fmt.Errorf("sources.%s.auth: Xero connects only with OAuth: set auth: oauth2, client_id and client_secret, then run `conflux connect %s`", src.Name, src.Name)
	}
	return xero.New(xero.Config{Source: src.Name, TenantID: d.extra["tenant_id"], BaseURL: src.BaseURL, TokenSource: d.tokens,
		Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log})
}

func newHubSpot(src config.Source, d deps) (connectors.Connector, error) {
	return hubspot.New(hubspot.Config{Source: src.Name, Token: src.Settings["token"], TokenSource: d.tokens, BaseURL: src.BaseURL, Logger: d.log})
}

func newPipedrive(src config.Source, d deps) (connectors.Connector, error) {
	base := src.BaseURL
	if base == "" && d.extra["api_domain"] != "" {
		base = d.extra["api_domain"] // OAuth calls go to the company's own domain
	}
	return pipedrive.New(pipedrive.Config{Source: src.Name, Token: src.Settings["api_token"], TokenSource: d.tokens, BaseURL: base,
		Lookback: src.Lookback, FullScanEvery: src.FullScanEvery, Logger: d.log})
}

func newQuickBooks(src config.Source, d deps) (connectors.Connector, error) {
	if src.Settings["auth"] != "oauth2" {
		return nil, fmt.Errorf("sources.%s.auth: QuickBooks connects only with OAuth: set auth: oauth2, client_id and client_secret, then run `conflux connect %s`", src.Name, src.Name)
	}
	return quickbooks.New(quickbooks.Config{Source: src.Name, RealmID: d.extra["realm_id"], TokenSource: d.tokens, BaseURL: src.BaseURL,
		Lookback: src.Lookback, Logger: d.log})
}
