package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
)

// rotatingIssuer hands out refresh tokens that work exactly once, like
// Xero's, QuickBooks' and Jira's.
type rotatingIssuer struct {
	mu      sync.Mutex
	n       int
	valid   map[string]bool
	revoked bool
	calls   int
}

func (s *rotatingIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	r.ParseForm()
	rt := r.PostForm.Get("refresh_token")
	if s.revoked || !s.valid[rt] {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant","error_description":"refresh token is invalid"}`)
		return
	}
	delete(s.valid, rt)
	s.n++
	next := fmt.Sprintf("refresh-%d", s.n)
	s.valid[next] = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", s.n), "refresh_token": next, "token_type": "Bearer", "expires_in": 3600})
}

func refresher(url string) Refresher {
	cfg := &oauth2.Config{ClientID: "id", ClientSecret: "secret", Endpoint: oauth2.Endpoint{TokenURL: url}}
	return func(rt string) (*oauth2.Token, error) {
		return cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt}).Token()
	}
}

func TestExpiredTokenRefreshesAndTheRotatedOneIsSavedFirst(t *testing.T) {
	issuer := &rotatingIssuer{valid: map[string]bool{"refresh-0": true}}
	tokenSrv := httptest.NewServer(issuer)
	defer tokenSrv.Close()
	var seen []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = append(seen, r.Header.Get("Authorization")) }))
	defer api.Close()
	var saved []string
	store := PersistTokens(refresher(tokenSrv.URL), &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Minute)},
		func(tok *oauth2.Token) error { saved = append(saved, tok.RefreshToken); return nil }, "conflux connect jira")
	c, _ := New(Options{Vendor: "jira", BaseURL: api.URL, TokenSource: store})
	for range 3 {
		if _, err := c.Get(context.Background(), "/x"); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(saved, ",") != "refresh-1" || seen[0] != "Bearer access-1" || issuer.calls != 1 {
		t.Errorf("saved %v, used %v, %d refreshes: want one refresh, saved before its token was used", saved, seen, issuer.calls)
	}
}

func TestA401TriggersExactlyOneRefresh(t *testing.T) {
	issuer := &rotatingIssuer{valid: map[string]bool{"refresh-0": true}}
	tokenSrv := httptest.NewServer(issuer)
	defer tokenSrv.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer access-1" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer api.Close()
	// The stored token looks valid for another hour, but the vendor revoked it.
	store := PersistTokens(refresher(tokenSrv.URL), &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(time.Hour)},
		func(*oauth2.Token) error { return nil }, "conflux connect xero")
	c, _ := New(Options{Vendor: "xero", BaseURL: api.URL, TokenSource: store})
	if _, err := c.Get(context.Background(), "/x"); err != nil {
		t.Fatal(err)
	}
	if issuer.calls != 1 {
		t.Errorf("%d refreshes after a 401, want exactly 1", issuer.calls)
	}
	// A 401 that a fresh token does not cure is an error, not a refresh loop.
	api.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	_, err := c.Get(context.Background(), "/x")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || issuer.calls != 2 {
		t.Errorf("persistent 401: %v after %d refreshes", err, issuer.calls)
	}
}

func TestRevokedGrantAndFailedSave(t *testing.T) {
	issuer := &rotatingIssuer{valid: map[string]bool{"r": true}, revoked: true}
	tokenSrv := httptest.NewServer(issuer)
	defer tokenSrv.Close()
	hit := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer api.Close()
	stale := func() *oauth2.Token { return &oauth2.Token{RefreshToken: "r", Expiry: time.Now().Add(-time.Minute)} }
	c, _ := New(Options{Vendor: "x", BaseURL: api.URL, TokenSource: PersistTokens(refresher(tokenSrv.URL), stale(), func(*oauth2.Token) error { return nil }, "conflux connect x")})
	if _, err := c.Get(context.Background(), "/"); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "run `conflux connect x` again") {
		t.Errorf("revoked grant: %v", err)
	}
	issuer.revoked = false
	c, _ = New(Options{Vendor: "x", BaseURL: api.URL, TokenSource: PersistTokens(refresher(tokenSrv.URL), stale(), func(*oauth2.Token) error { return errors.New("disk full") }, "conflux connect x")})
	if _, err := c.Get(context.Background(), "/"); err == nil || hit {
		t.Errorf("a token that could not be saved was used (err %v)", err)
	}
}
