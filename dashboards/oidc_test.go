package dashboards

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/oauthfake"
	"github.com/conflux-dev/conflux/reports"
)

// Sign-in through OpenID Connect against an in-process provider that signs
// real ID tokens: a registered person of an allowed domain gets in; an
// unregistered one, another domain, an unverified address and a forged
// signature do not.
func TestSignInWithOIDC(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	ctx := context.Background()
	provider := oauthfake.NewOIDC("conflux", "shh", "ana@northwind.example")
	idp := httptest.NewServer(provider)
	defer idp.Close()
	provider.Issuer = idp.URL
	users := auth.NewStore(wh.DB())
	if _, err := users.AddUser(ctx, auth.User{Email: "ana@northwind.example", Role: auth.Finance}, ""); err != nil {
		t.Fatal(err)
	}
	cat, _ := reports.Load()
	s, err := New(Options{Warehouse: wh, Reports: cat, Org: a.Name, Auth: config.AuthOIDC, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	if s.opts.OIDC, err = auth.NewOIDC(ctx, idp.URL, "conflux", "shh", srv.URL+"/auth/oidc/callback", []string{"northwind.example"}); err != nil {
		t.Fatal(err)
	}
	signIn := func() (int, string, string) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(srv.URL + "/auth/oidc/start?next=/finance")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.Path, string(body)
	}
	code, at, page := signIn()
	if code != 200 || at != "/finance" || !strings.Contains(page, "ana@northwind.example") {
		t.Fatalf("sign-in with the provider: %d at %s", code, at)
	}
	for _, c := range []struct {
		what   string
		change func()
	}{
		{"an unregistered person", func() { provider.Email = "bo@northwind.example" }},
		{"another domain", func() { provider.Email = "ana@elsewhere.example" }},
		{"an unverified address", func() { provider.Email, provider.EmailVerified = "ana@northwind.example", false }},
		{"a forged signature", func() {
			provider.EmailVerified = true
			provider.SignWith, _ = rsa.GenerateKey(rand.Reader, 2048)
		}},
	} {
		c.change()
		if code, at, _ := signIn(); code != http.StatusForbidden || at == "/finance" {
			t.Errorf("%s: %d at %s, want 403", c.what, code, at)
		}
	}
	// A callback that no sign-in started is refused.
	resp, err := http.Get(srv.URL + "/auth/oidc/callback?code=x&state=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a callback out of nowhere: %d", resp.StatusCode)
	}
}
