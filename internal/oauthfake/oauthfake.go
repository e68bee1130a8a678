// Package oauthfake is an OAuth 2.0 authorization server for tests: the
// authorization-code flow (the authorize endpoint approves at once and
// redirects back with the code and state) and refresh tokens that rotate,
// each usable once, as Jira's, Xero's and QuickBooks' do.
package oauthfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Server is the fake authorization server.
type Server struct {
	ClientID, ClientSecret string
	// ExpiresIn is the access tokens' lifetime in seconds.
	ExpiresIn int
	// Grace keeps a rotated refresh token usable for a while (Xero: 30
	// minutes), so a client that lost the refresh answer can retry.
	Grace time.Duration
	Now   func() time.Time

	mu      sync.Mutex
	n       int
	codes   map[string]bool
	refresh map[string]bool
	retired map[string]time.Time
	access  map[string]bool
	// Revoked makes every refresh fail with invalid_grant.
	Revoked bool
}

// New returns a server for one client.
func New(clientID, clientSecret string) *Server {
	return &Server{ClientID: clientID, ClientSecret: clientSecret, ExpiresIn: 3600, Now: time.Now,
		codes: map[string]bool{}, refresh: map[string]bool{}, retired: map[string]time.Time{}, access: map[string]bool{}}
}

// Valid reports whether an access token was issued and is current.
func (s *Server) Valid(access string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[access]
}

// ServeHTTP serves /authorize and /token.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/authorize":
		q := r.URL.Query()
		if q.Get("client_id") != s.ClientID || q.Get("response_type") != "code" {
			http.Error(w, "unknown client or response type", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.n++
		code := fmt.Sprintf("code-%d", s.n)
		s.codes[code] = true
		s.mu.Unlock()
		sendBack(w, r, code)
	case "/token":
		s.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

// sendBack returns the browser to the authorize request's redirect_uri with
// the code and the state, as a provider does once the user consents.
func sendBack(w http.ResponseWriter, r *http.Request, code string) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": code})
	}
	if id != s.ClientID || secret != s.ClientSecret {
		fail("invalid_client")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		if !s.codes[r.PostForm.Get("code")] {
			fail("invalid_grant")
			return
		}
		delete(s.codes, r.PostForm.Get("code"))
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		at, retired := s.retired[rt]
		inGrace := retired && s.Now().Sub(at) < s.Grace
		if s.Revoked || !s.refresh[rt] && !inGrace {
			fail("invalid_grant")
			return
		}
		if s.refresh[rt] { // rotation: the old refresh token dies now, or after the grace
			delete(s.refresh, rt)
			s.retired[rt] = s.Now()
		}
	default:
		fail("unsupported_grant_type")
		return
	}
	access, refresh := s.issueLocked()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": s.ExpiresIn})
}

func (s *Server) issueLocked() (access, refresh string) {
	s.n++
	access, refresh = fmt.Sprintf("access-%d", s.n), fmt.Sprintf("refresh-%d", s.n)
	s.access[access], s.refresh[refresh] = true, true
	return access, refresh
}

// Issue mints a token pair as if a person had just consented (the demo's
// sources start connected).
func (s *Server) Issue() (access, refresh string, expiresIn int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, refresh = s.issueLocked()
	return access, refresh, s.ExpiresIn
}
