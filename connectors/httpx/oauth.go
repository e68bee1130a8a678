package httpx

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors"
)

// PersistTokens wraps an OAuth2 token source so that every new token is
// saved (through save) before it is handed out. Vendors that rotate refresh
// tokens (Xero, QuickBooks, Jira) invalidate the old one on refresh: saving
// first means a crash can never leave only a dead token behind. A refused
// refresh (revoked or expired grant) becomes one error that says what to run.
func PersistTokens(base oauth2.TokenSource, current *oauth2.Token, save func(*oauth2.Token) error, reconnect string) oauth2.TokenSource {
	return &persisting{base: base, last: current, save: save, reconnect: reconnect}
}

type persisting struct {
	mu        sync.Mutex
	base      oauth2.TokenSource
	last      *oauth2.Token
	save      func(*oauth2.Token) error
	reconnect string
}

func (p *persisting) Token() (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tok, err := p.base.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, &connectors.Explained{Kind: connectors.ErrAuth, Cause: err, Msg: fmt.Sprintf(
				"the vendor refused to refresh the authorization (%s): it was revoked or has expired; run `%s` again", re.ErrorCode, p.reconnect)}
		}
		return nil, err
	}
	if p.last == nil || tok.AccessToken != p.last.AccessToken || tok.RefreshToken != p.last.RefreshToken {
		if err := p.save(tok); err != nil {
			return nil, fmt.Errorf("save the refreshed token before using it: %w", err)
		}
		p.last = tok
	}
	return tok, nil
}
