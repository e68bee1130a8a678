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

// rotatingIssuer hands out access tokens that expire at once and refresh
// tokens that work exactly once, like Xero's, QuickBooks' and Jira's.
type rotatingIssuer struct {
	mu      sync.Mutex
	n       int
	valid   map[string]bool // refresh tokens still usable
	revoked bool
}

func (s *rotatingIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", s.n), "refresh_token": next, "token_type": "Bearer", "expires_in": 1})
}

func TestRotatedRefreshTokensAreSavedBeforeUse(t *testing.T) {
	issuer := &rotatingIssuer{valid: map[string]bool{"refresh-0": true}}
	tokenSrv := httptest.NewServer(issuer)
	defer tokenSrv.Close()
	var seen []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
	}))
	defer api.Close()

	cfg := &oauth2.Config{ClientID: "id", ClientSecret: "secret", Endpoint: oauth2.Endpoint{TokenURL: tokenSrv.URL}}
	stored := &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Minute)}
	var saved []string
	ctx := context.Background()
	ts := PersistTokens(cfg.TokenSource(ctx, stored), stored, func(tok *oauth2.Token) error {
		saved = append(saved, tok.RefreshToken)
		return nil
	}, "conflux connect jira")
	c, _ := New(Options{Vendor: "jira", BaseURL: api.URL, TokenSource: ts})
	for range 3 {
		if _, err := c.Get(ctx, "/x"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond / 10)
	}
	if len(saved) == 0 || saved[0] != "refresh-1" {
		t.Fatalf("saved %v: the rotated refresh token must be saved", saved)
	}
	if !strings.HasPrefix(seen[0], "Bearer access-") {
		t.Errorf("request carried %q", seen[0])
	}
	// Every token used was saved first: the last saved refresh token is the live one.
	if last := saved[len(saved)-1]; !issuer.valid[last] {
		t.Errorf("the last saved refresh token %q is not the one the issuer holds valid", last)
	}

	issuer.revoked = true
	ts2 := PersistTokens(cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "refresh-1", Expiry: time.Now().Add(-time.Minute)}), nil,
		func(*oauth2.Token) error { return nil }, "conflux connect jira")
	c2, _ := New(Options{Vendor: "jira", BaseURL: api.URL, TokenSource: ts2})
	_, err := c2.Get(ctx, "/x")
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "run `conflux connect jira` again") {
		t.Errorf("revoked grant: %v", err)
	}
}

func TestSaveFailureStopsTheRequest(t *testing.T) {
	issuer := &rotatingIssuer{valid: map[string]bool{"r": true}}
	tokenSrv := httptest.NewServer(issuer)
	defer tokenSrv.Close()
	hit := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer api.Close()
	cfg := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: tokenSrv.URL}}
	stale := &oauth2.Token{RefreshToken: "r", Expiry: time.Now().Add(-time.Minute)}
	ts := PersistTokens(cfg.TokenSource(context.Background(), stale), stale, func(*oauth2.Token) error { return errors.New("disk full") }, "conflux connect x")
	c, _ := New(Options{Vendor: "x", BaseURL: api.URL, TokenSource: ts})
	if _, err := c.Get(context.Background(), "/"); err == nil || hit {
		t.Errorf("a token that could not be saved was used (err %v)", err)
	}
}
