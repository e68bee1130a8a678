package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/oauthfake"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

func freeLoopbackPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// The whole OAuth life of a source: connect through the browser flow, sync
// with the stored tokens, survive refresh-token rotation across runs, and
// say what to do once the grant is revoked.
func TestConnectThenSyncWithRotatingRefreshTokens(t *testing.T) {
	auth := oauthfake.New("client-1", "secret-1")
	auth.ExpiresIn = 1
	fake := jirafake.New("unused", "unused")
	fake.Bearer, fake.CloudID = auth.Valid, "cloud-1"
	demo.Generate(demo.Options{People: 3, Clients: 2, Projects: 2, Years: 1, End: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}).LoadJira(fake)
	mux := http.NewServeMux()
	mux.Handle("/authorize", auth)
	mux.Handle("/token", auth)
	mux.Handle("/", fake)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	openBrowser = func(u string) {
		go func() {
			resp, err := http.Get(u) // follows the redirect to the loopback callback
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	defer func() { openBrowser = func(string) {} }()

	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`org:
  name: Test
sources:
  jira:
    type: jira
    auth: oauth2
    client_id: client-1
    client_secret: secret-1
    auth_url: %[1]s/authorize
    token_url: %[1]s/token
    api_url: %[1]s
    redirect_url: http://127.0.0.1:%[2]d/callback
`, srv.URL, freeLoopbackPort(t)))
	if code, out, err := run(t, "--config", cfg, "connect", "jira"); code != 0 {
		t.Fatalf("connect: %d %v\n%s", code, err, out)
	}
	wh, err := warehouse.Open(context.Background(), filepath.Join(dir, "conflux.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := wh.Secret(context.Background(), "oauth:jira")
	wh.Close()
	if err != nil || bytes.Contains(sealed, []byte("refresh-")) || bytes.Contains(sealed, []byte("access-")) {
		t.Fatalf("the stored tokens are not encrypted (%v)", err)
	}
	for i := range 3 { // each run after expiry refreshes and rotates the refresh token
		if code, out, err := run(t, "--config", cfg, "sync", "jira", "--stream", "users"); code != 0 {
			t.Fatalf("sync %d: %d %v\n%s", i, code, err, out)
		}
		time.Sleep(1100 * time.Millisecond)
	}
	auth.Revoked = true
	code, _, err := run(t, "--config", cfg, "sync", "jira", "--stream", "users")
	if code != exitFailure || !strings.Contains(err.Error(), "run `conflux connect jira` again") {
		t.Errorf("revoked grant: %d %v", code, err)
	}
	if code, _, err := run(t, "--config", writeConfig(t, t.TempDir(), "sources:\n  jira:\n    type: jira\n    auth: oauth2\n    client_id: c\n    client_secret: s\n"), "sync"); code != exitUsage || !strings.Contains(err.Error(), "run `conflux connect jira`") {
		t.Errorf("not connected yet: %d %v", code, err)
	}
}
