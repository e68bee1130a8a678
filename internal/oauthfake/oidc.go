package oauthfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// OIDC is an OpenID Connect provider for tests, as Google's or Microsoft's
// behaves: discovery, a key set, and the authorization-code flow with PKCE
// whose token answer carries an ID token signed RS256 (a real signature, on
// a key made at start) for Email. Issuer must be set to the address it is
// served at before the first request.
type OIDC struct {
	Issuer                 string
	ClientID, ClientSecret string
	Email                  string
	EmailVerified          bool
	// SignWith, when set, signs ID tokens with another key than the one
	// published: a forgery the relying party must refuse.
	SignWith *rsa.PrivateKey

	key   *rsa.PrivateKey
	mu    sync.Mutex
	n     int
	codes map[string]oidcCode
}

type oidcCode struct{ nonce, challenge, redirect string }

// NewOIDC returns a provider for one client, vouching for email.
func NewOIDC(clientID, clientSecret, email string) *OIDC {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	return &OIDC{ClientID: clientID, ClientSecret: clientSecret, Email: email, EmailVerified: true, key: key, codes: map[string]oidcCode{}}
}

// ServeHTTP serves discovery, the key set, /authorize and /token.
func (o *OIDC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		writeJSON(w, map[string]any{
			"issuer": o.Issuer, "authorization_endpoint": o.Issuer + "/authorize", "token_endpoint": o.Issuer + "/token",
			"jwks_uri": o.Issuer + "/keys", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
		})
	case "/keys":
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	case "/authorize":
		q := r.URL.Query()
		if q.Get("client_id") != o.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "unknown client, response type or challenge method", http.StatusBadRequest)
			return
		}
		o.mu.Lock()
		o.n++
		code := fmt.Sprintf("oidc-code-%d", o.n)
		o.codes[code] = oidcCode{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
		o.mu.Unlock()
		sendBack(w, r, code)
	case "/token":
		o.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (o *OIDC) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	o.mu.Lock()
	c, found := o.codes[r.PostForm.Get("code")]
	delete(o.codes, r.PostForm.Get("code"))
	o.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case id != o.ClientID || secret != o.ClientSecret:
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	case !found || c.redirect != r.PostForm.Get("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	key := o.key
	if o.SignWith != nil {
		key = o.SignWith
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": o.Issuer, "sub": "subject-" + o.Email, "aud": o.ClientID, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "nonce": c.nonce, "email": o.Email, "email_verified": o.EmailVerified})
	signed, err := signer.Sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	idToken, _ := signed.CompactSerialize()
	writeJSON(w, map[string]any{"access_token": "oidc-access", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
