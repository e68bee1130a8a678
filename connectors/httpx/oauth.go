package httpx

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
)

// Refresher trades a refresh token for a new token.
type Refresher func(refreshToken string) (*oauth2.Token, error)

// TokenStore hands out OAuth2 access tokens, refreshing them when they
// expire or when a vendor answers 401, and saves every new token (through
// save) before it is handed out. Vendors that rotate refresh tokens (Xero,
// QuickBooks, Jira) invalidate the old one on refresh: saving first means a
// token is never used that a crash could lose. A refused refresh (revoked or
// expired grant) becomes one error that says what to run.
type TokenStore struct {
	mu        sync.Mutex
	cur       *oauth2.Token
	refresh   Refresher
	save      func(*oauth2.Token) error
	reconnect string
}

// PersistTokens makes a TokenStore around the stored token.
func PersistTokens(refresh Refresher, current *oauth2.Token, save func(*oauth2.Token) error, reconnect string) *TokenStore {
	return &TokenStore{cur: current, refresh: refresh, save: save, reconnect: reconnect}
}

// Token implements oauth2.TokenSource.
func (s *TokenStore) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.Valid() {
		return s.cur, nil
	}
	if s.cur == nil || s.cur.RefreshToken == "" {
		return nil, &connectors.Explained{Kind: connectors.ErrAuth, Msg: fmt.Sprintf("the authorization has expired and holds no refresh token; run `%s` again", s.reconnect)}
	}
	tok, err := s.refresh(s.cur.RefreshToken)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
				"the vendor refused to refresh the authorization (%s): it was revoked or has expired; run `%s` again", re.ErrorCode, s.reconnect)}
		}
		return nil, err
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = s.cur.RefreshToken // this vendor does not rotate
	}
	if err := s.save(tok); err != nil {
		return nil, fmt.Errorf("save the refreshed token before using it: %w", err)
	}
	s.cur = tok
	return tok, nil
}

// Invalidate makes the next Token refresh, unless the token that was
// refused has already been replaced (another request refreshed first).
func (s *TokenStore) Invalidate(refused string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.AccessToken == refused {
		expired := *s.cur
		expired.Expiry = time.Unix(1, 0)
		s.cur = &expired
	}
}
