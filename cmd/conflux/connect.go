package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors/httpx"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/secrets"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// oauthVendor is a connector type's OAuth 2.0 authorization-code setup.
type oauthVendor struct {
	authURL, tokenURL string
	scopes            []string
	params            map[string]string // extra authorize parameters
	// discover learns, with the first token, what the connector needs beyond it.
	discover func(ctx context.Context, src config.Source, tok *oauth2.Token, callback url.Values) (map[string]string, error)
}

var oauthVendors = map[string]oauthVendor{
	"jira": {
		authURL:  "https://auth.atlassian.com/authorize",
		tokenURL: "https://auth.atlassian.com/oauth/token",
		scopes:   []string{"read:jira-work", "read:jira-user", "offline_access"},
		params:   map[string]string{"audience": "api.atlassian.com", "prompt": "consent"},
		discover: jiraSite,
	},
	"asana": {
		authURL:  "https://app.asana.com/-/oauth_authorize",
		tokenURL: "https://app.asana.com/-/oauth_token",
	},
	"hubspot": {
		authURL:  "https://app.hubspot.com/oauth/authorize",
		tokenURL: "https://api.hubapi.com/oauth/v1/token",
		scopes:   []string{"oauth", "crm.objects.deals.read", "crm.objects.companies.read", "crm.objects.line_items.read", "crm.objects.owners.read"},
	},
	"pipedrive": {
		authURL:  "https://oauth.pipedrive.com/oauth/authorize",
		tokenURL: "https://oauth.pipedrive.com/oauth/token",
		discover: func(_ context.Context, _ config.Source, tok *oauth2.Token, _ url.Values) (map[string]string, error) {
			domain, _ := tok.Extra("api_domain").(string)
			return map[string]string{"api_domain": domain}, nil
		},
	},
	"quickbooks": {
		authURL:  "https://appcenter.intuit.com/connect/oauth2",
		tokenURL: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
		scopes:   []string{"com.intuit.quickbooks.accounting"},
		// The company comes back with the code, as realmId on the callback.
		discover: func(_ context.Context, src config.Source, _ *oauth2.Token, callback url.Values) (map[string]string, error) {
			realm := callback.Get("realmId")
			if realm == "" {
				return nil, fmt.Errorf("sources.%s: the QuickBooks callback carried no realmId (company)", src.Name)
			}
			return map[string]string{"realm_id": realm}, nil
		},
	},
	"xero": {
		authURL:  "https://login.xero.com/identity/connect/authorize",
		tokenURL: "https://identity.xero.com/connect/token",
		scopes:   []string{"openid", "profile", "email", "offline_access", "accounting.transactions.read", "accounting.contacts.read", "accounting.settings.read"},
		discover: xeroTenant,
	},
}

const defaultRedirect = "http://127.0.0.1:8765/callback"

func oauthConfig(src config.Source) (*oauth2.Config, oauthVendor, error) {
	v, ok := oauthVendors[src.Type]
	if !ok {
		return nil, v, usageError{fmt.Errorf("sources.%s: %s sources do not support auth: oauth2 yet", src.Name, src.Type)}
	}
	key := "sources." + src.Name
	for _, k := range []string{"client_id", "client_secret"} {
		if src.Settings[k] == "" {
			return nil, v, usageError{fmt.Errorf("%s.%s: required for auth: oauth2 (from the OAuth app you registered with %s)", key, k, src.Type)}
		}
	}
	pick := func(k, def string) string {
		if s := src.Settings[k]; s != "" {
			return s
		}
		return def
	}
	return &oauth2.Config{
		ClientID: src.Settings["client_id"], ClientSecret: src.Settings["client_secret"],
		Endpoint:    oauth2.Endpoint{AuthURL: pick("auth_url", v.authURL), TokenURL: pick("token_url", v.tokenURL)},
		RedirectURL: pick("redirect_url", defaultRedirect), Scopes: v.scopes,
	}, v, nil
}

// authorization is what meta.secrets holds for an OAuth source, encrypted.
type authorization struct {
	Token *oauth2.Token     `json:"token"`
	Extra map[string]string `json:"extra,omitempty"`
}

func secretName(src config.Source) string { return "oauth:" + src.Name }

func secretBox(cfg *config.Config) (*secrets.Box, error) {
	return secrets.Load(cfg.Warehouse+".key", os.LookupEnv)
}

func saveAuthorization(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, src config.Source, a authorization) error {
	box, err := secretBox(cfg)
	if err != nil {
		return err
	}
	plain, _ := json.Marshal(a)
	return wh.PutSecret(ctx, secretName(src), box.Seal(plain))
}

// storedAuthorization opens a source's saved tokens as a token source that
// saves every refreshed token (rotated refresh tokens included) before use.
func storedAuthorization(ctx context.Context, cfg *config.Config, src config.Source, wh *warehouse.Warehouse) (oauth2.TokenSource, map[string]string, error) {
	oc, _, err := oauthConfig(src)
	if err != nil {
		return nil, nil, err
	}
	if wh == nil {
		return nil, nil, fmt.Errorf("sources.%s: the stored authorization is in the warehouse, which is not open", src.Name)
	}
	sealed, err := wh.Secret(ctx, secretName(src))
	if errors.Is(err, warehouse.ErrNoSecret) {
		return nil, nil, usageError{fmt.Errorf("sources.%s: not connected yet: run `conflux connect %s`", src.Name, src.Name)}
	}
	if err != nil {
		return nil, nil, err
	}
	box, err := secretBox(cfg)
	if err != nil {
		return nil, nil, err
	}
	plain, err := box.Open(sealed)
	if err != nil {
		return nil, nil, fmt.Errorf("sources.%s: %w", src.Name, err)
	}
	var a authorization
	if err := json.Unmarshal(plain, &a); err != nil || a.Token == nil {
		return nil, nil, fmt.Errorf("sources.%s: the stored authorization is unreadable: run `conflux connect %s` again", src.Name, src.Name)
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		// The refresh outlives this call's context: it belongs to the whole sync.
		return oc.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt}).Token()
	}
	ts := httpx.PersistTokens(refresh, a.Token, func(tok *oauth2.Token) error {
		return saveAuthorization(context.Background(), cfg, wh, src, authorization{Token: tok, Extra: a.Extra})
	}, "conflux connect "+src.Name)
	return ts, a.Extra, nil
}

// openBrowser shows the user the authorize page; tests replace it.
var openBrowser = func(u string) {
	if _, err := exec.LookPath("xdg-open"); err == nil {
		exec.Command("xdg-open", u).Start()
	}
}

func newConnectCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "connect SOURCE",
		Short: "Authorize Conflux with a source's OAuth app (authorization-code flow)",
		Long: `Connect runs the OAuth 2.0 authorization-code flow for a source configured
with auth: oauth2: it prints the vendor's authorize address (and opens it in a
browser when it can), receives the code on a loopback callback (redirect_url,
default ` + defaultRedirect + `, which must be registered with the app),
checks the state, exchanges the code and stores the tokens encrypted in
meta.secrets (AES-GCM; the key is CONFLUX_SECRET_KEY or the file beside the
warehouse, <warehouse>.key, created with mode 0600). Run it again when a
sync says the authorization was revoked or has expired.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			srcs, err := selectSources(cfg, args)
			if err != nil {
				return err
			}
			src := srcs[0]
			if src.Settings["auth"] != "oauth2" {
				return usageError{fmt.Errorf("sources.%s.auth: set auth: oauth2 (with client_id and client_secret) to connect with OAuth; token sources need no connect", src.Name)}
			}
			oc, vendor, err := oauthConfig(src)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			tok, callback, err := authorize(ctx, oc, vendor, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			a := authorization{Token: tok}
			if vendor.discover != nil {
				if a.Extra, err = vendor.discover(ctx, src, tok, callback); err != nil {
					return err
				}
			}
			wh, err := warehouse.Open(ctx, cfg.Warehouse)
			if err != nil {
				return fmt.Errorf("%w (stop conflux serve while connecting)", err)
			}
			defer wh.Close()
			if err := saveAuthorization(ctx, cfg, wh, src, a); err != nil {
				return err
			}
			reach := ""
			if org := a.Extra["tenant_name"]; org != "" {
				reach = " to the organisation " + org
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Connected %s%s: the tokens are stored encrypted in %s (meta.secrets).\n", src.Name, reach, cfg.Warehouse)
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait for the browser")
	return cmd
}

// authorize runs the browser half of the flow on a loopback listener.
func authorize(ctx context.Context, oc *oauth2.Config, v oauthVendor, out io.Writer) (*oauth2.Token, url.Values, error) {
	redirect, err := url.Parse(oc.RedirectURL)
	if err != nil || redirect.Scheme != "http" || !isLoopback(redirect.Hostname()) {
		return nil, nil, usageError{fmt.Errorf("redirect_url %q must be an http://127.0.0.1:PORT/... (or localhost) address registered with the OAuth app", oc.RedirectURL)}
	}
	ln, err := net.Listen("tcp", redirect.Host)
	if err != nil {
		return nil, nil, fmt.Errorf("listen for the OAuth callback on %s: %w", redirect.Host, err)
	}
	stateBytes := make([]byte, 16)
	rand.Read(stateBytes)
	state := hex.EncodeToString(stateBytes)
	var opts []oauth2.AuthCodeOption
	for k, val := range v.params {
		opts = append(opts, oauth2.SetAuthURLParam(k, val))
	}
	opts = append(opts, oauth2.AccessTypeOffline)
	authURL := oc.AuthCodeURL(state, opts...)

	type result struct {
		code  string
		query url.Values
		err   error
	}
	done := make(chan result, 1)
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != state:
			res.err = errors.New("the OAuth callback's state does not match this request: ignored (was it an old browser tab?)")
		case q.Get("error") != "":
			res.err = fmt.Errorf("the vendor refused the authorization: %s %s", q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = errors.New("the OAuth callback carried no code")
		default:
			res.code, res.query = q.Get("code"), q
		}
		if res.err != nil {
			http.Error(w, res.err.Error(), http.StatusBadRequest)
		} else {
			fmt.Fprintln(w, "Conflux is authorized. You can close this tab.")
		}
		select {
		case done <- res:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Fprintf(out, "Open this address to authorize Conflux:\n\n  %s\n\nWaiting for the callback on %s ...\n", authURL, oc.RedirectURL)
	openBrowser(authURL)
	select {
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("no OAuth callback arrived in time: %w", ctx.Err())
	case res := <-done:
		if res.err != nil {
			return nil, nil, res.err
		}
		tok, err := oc.Exchange(ctx, res.code)
		if err != nil {
			return nil, nil, fmt.Errorf("exchange the authorization code: %w", err)
		}
		if tok.RefreshToken == "" {
			fmt.Fprintln(out, "warning: the vendor gave no refresh token; syncs will need `conflux connect` again when the access token expires")
		}
		return tok, res.query, nil
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// jiraSite finds the Jira site (cloud id) the grant reaches.
func jiraSite(ctx context.Context, src config.Source, tok *oauth2.Token, _ url.Values) (map[string]string, error) {
	api := strings.TrimSuffix(src.Settings["api_url"], "/")
	if api == "" {
		api = "https://api.atlassian.com"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+"/oauth/token/accessible-resources", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("find the Jira site: %w", err)
	}
	defer resp.Body.Close()
	var sites []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&sites) != nil || len(sites) == 0 {
		return nil, fmt.Errorf("find the Jira site: accessible-resources answered HTTP %d with no site; check the app's scopes", resp.StatusCode)
	}
	site := sites[0]
	if want := strings.TrimSuffix(src.BaseURL, "/"); want != "" {
		for _, s := range sites {
			if strings.TrimSuffix(s.URL, "/") == want {
				site = s
			}
		}
	}
	return map[string]string{"cloud_id": site.ID, "site": site.URL}, nil
}

// xeroTenant picks the organisation the grant reaches: tenant_id if the
// config names one, else the only (or first) ORGANISATION connection.
func xeroTenant(ctx context.Context, src config.Source, tok *oauth2.Token, _ url.Values) (map[string]string, error) {
	u := src.Settings["connections_url"]
	if u == "" {
		u = "https://api.xero.com/connections"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list the Xero organisations: %w", err)
	}
	defer resp.Body.Close()
	var conns []struct {
		TenantID   string `json:"tenantId"`
		TenantName string `json:"tenantName"`
		TenantType string `json:"tenantType"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&conns) != nil {
		return nil, fmt.Errorf("list the Xero organisations: /connections answered HTTP %d", resp.StatusCode)
	}
	want := src.Settings["tenant_id"]
	for _, c := range conns {
		if c.TenantType == "ORGANISATION" && (want == "" || c.TenantID == want) {
			return map[string]string{"tenant_id": c.TenantID, "tenant_name": c.TenantName}, nil
		}
	}
	return nil, fmt.Errorf("sources.%s.tenant_id: the grant reaches no such Xero organisation (%d connected)", src.Name, len(conns))
}
