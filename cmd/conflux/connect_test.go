package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/jira/jirafake"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
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

// dropOnce passes the nth refresh to the authorization server, then drops
// the connection before the answer arrives: the vendor has rotated the
// refresh token, the client never learnt the new one (a crash or a network
// cut mid-refresh).
type dropOnce struct {
	next      http.Handler
	n         int
	seen      int
	presented []string // the refresh tokens sent, in order
}

func (d *dropOnce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.PostForm.Get("grant_type") == "refresh_token" {
		d.presented = append(d.presented, r.PostForm.Get("refresh_token"))
		if d.seen++; d.seen == d.n {
			d.next.ServeHTTP(httptest.NewRecorder(), r)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
	}
	d.next.ServeHTTP(w, r)
}

// Xero: connect discovers the tenant, syncs run on rotating refresh tokens,
// a refresh whose answer is lost is retried with the stored refresh token
// (still valid within Xero's 30-minute grace) instead of ending the grant,
// and no token is readable in the DuckDB file.
func TestConnectXeroSurvivesALostRefreshAnswer(t *testing.T) {
	auth := oauthfake.New("xero-client", "xero-secret")
	auth.ExpiresIn, auth.Grace = 1, 30*time.Minute
	fake := xerofake.New(demo.XeroTenant, "Test Agency", auth.Valid)
	demo.Generate(demo.Options{People: 3, Clients: 2, Projects: 2, Years: 1, End: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}).LoadXero(fake)
	token := &dropOnce{next: auth, n: 2}
	mux := http.NewServeMux()
	mux.Handle("/authorize", auth)
	mux.Handle("/token", token)
	mux.Handle("/", fake)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	openBrowser = func(u string) {
		go func() {
			if resp, err := http.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
	}
	defer func() { openBrowser = func(string) {} }()

	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`org:
  name: Test
sources:
  xero:
    type: xero
    auth: oauth2
    client_id: xero-client
    client_secret: xero-secret
    auth_url: %[1]s/authorize
    token_url: %[1]s/token
    connections_url: %[1]s/connections
    base_url: %[1]s/api.xro/2.0
    redirect_url: http://127.0.0.1:%[2]d/callback
`, srv.URL, freeLoopbackPort(t)))
	if code, out, err := run(t, "--config", cfg, "connect", "xero"); code != 0 || !strings.Contains(out, "Test Agency") {
		t.Fatalf("connect: %d %v\n%s", code, err, out)
	}
	sync := func() (int, error) {
		time.Sleep(1100 * time.Millisecond) // the access token has expired
		code, _, err := run(t, "--config", cfg, "sync", "xero", "--stream", "contacts")
		return code, err
	}
	for i := range 3 { // the second run's first refresh loses its answer
		if code, err := sync(); code != 0 {
			t.Fatalf("sync %d: %d %v", i, code, err)
		}
	}
	// Runs 1 and 2 each refresh; run 2 sends its stored refresh token twice
	// (the lost answer, then the retry within the grace); run 3 uses the
	// successor the retry saved.
	p := token.presented
	if len(p) != 4 || p[1] != p[2] || p[0] == p[1] || p[3] == p[2] {
		t.Errorf("refresh tokens presented %v: want a, b, b, c", p)
	}
	wh, err := warehouse.Open(context.Background(), filepath.Join(dir, "conflux.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	var contacts int
	wh.DB().QueryRow(`SELECT count(*) FROM raw."xero__contacts"`).Scan(&contacts)
	wh.Close()
	if contacts == 0 {
		t.Error("no contacts synced")
	}
	for _, name := range []string{"conflux.duckdb", "conflux.duckdb.wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte("refresh-")) || bytes.Contains(b, []byte("access-")) {
			t.Errorf("%s holds a token in the clear", name)
		}
	}
}
