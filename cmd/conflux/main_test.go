package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/connectors/harvest/harvestfake"
	"github.com/conflux-dev/conflux/internal/demo"
)

// TestMain lets a test start this binary as `conflux` in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("CONFLUX_TEST_MAIN") == "1" {
		os.Args = append([]string{"conflux"}, strings.Fields(os.Getenv("CONFLUX_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (code int, out string, err error) {
	t.Helper()
	root := newRoot()
	var buf bytes.Buffer
	root.SetOut(&buf)
	root.SetErr(&buf)
	root.SetArgs(args)
	root.SetContext(context.Background())
	c, err := root.ExecuteC()
	if err == nil {
		return 0, buf.String(), nil
	}
	return exitCode(c, err), buf.String(), err
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "conflux.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func harvestConfig(url, token string) string {
	return fmt.Sprintf(`org:
  name: Test Agency
  currency: GBP
  holidays: [GB-ENG]
sources:
  harvest:
    type: harvest
    account_id: "%s"
    token: %s
    base_url: %s
server:
  listen: 127.0.0.1:0
`, demo.HarvestAccount, token, url)
}

func TestBadUsageAndConfigExit2(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "org:\n  currancy: GBP\n")
	code, _, err := run(t, "--config", cfg, "sync")
	if code != exitUsage || !strings.Contains(err.Error(), "conflux.yaml:2: org.currancy: unknown key") {
		t.Errorf("bad config: code %d, %v", code, err)
	}
	code, _, err = run(t, "sync", "--nope")
	if code != exitUsage {
		t.Errorf("unknown flag: code %d, %v", code, err)
	}
	code, _, err = run(t, "query")
	if code != exitUsage {
		t.Errorf("missing argument: code %d, %v", code, err)
	}
	code, _, err = run(t, "--config", filepath.Join(dir, "missing.yaml"), "build")
	if code != exitUsage || !strings.Contains(err.Error(), "conflux init") {
		t.Errorf("missing config: code %d, %v", code, err)
	}
	code, _, err = run(t, "--config", cfg, "query", "delete from raw.x")
	if code != exitUsage {
		t.Errorf("write in query: code %d, %v", code, err)
	}
}

func TestBadTokenAndMalformedPageFailWithOneClearLine(t *testing.T) {
	fake := harvestfake.New(demo.HarvestToken, demo.HarvestAccount)
	a := demo.Generate(demo.Options{People: 3, Clients: 2, Projects: 2, Years: 1, End: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)})
	if err := a.LoadHarvest(fake); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()

	cfg := writeConfig(t, dir, harvestConfig(srv.URL+"/v2", "wrong-token"))
	code, _, err := run(t, "--config", cfg, "sync")
	if code != exitFailure || err == nil {
		t.Fatalf("bad token: code %d", code)
	}
	msg := err.Error()
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "check sources.harvest.token") || strings.Contains(msg, "wrong-token") {
		t.Errorf("bad token message: %q", msg)
	}

	cfg = writeConfig(t, dir, harvestConfig(srv.URL+"/v2", demo.HarvestToken))
	fake.Fail("/users", harvestfake.Fault{Malformed: true})
	code, _, err = run(t, "--config", cfg, "sync", "harvest", "--stream", "users")
	if code != exitFailure || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), "harvest.users: page /users?per_page=2000: malformed response") {
		t.Errorf("malformed page: code %d, %v", code, err)
	}
	if code, out, err := run(t, "--config", cfg, "sync", "harvest", "--stream", "users"); code != 0 {
		t.Errorf("next run: code %d %v %s", code, err, out)
	}
}

func TestSyncBuildQueryAndHandOverToServe(t *testing.T) {
	a := demo.Generate(demo.Options{People: 5, Clients: 3, Projects: 4, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	f, err := demo.StartFakes(a)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, harvestConfig(f.HarvestURL, demo.HarvestToken))
	for _, args := range [][]string{{"sync"}, {"build"}} {
		if code, out, err := run(t, append([]string{"--config", cfg}, args...)...); code != 0 {
			t.Fatalf("%v: code %d %v\n%s", args, code, err, out)
		}
	}
	code, out, err := run(t, "--config", cfg, "query", "select sum(worked_h) as worked from marts.person_week", "--format", "json")
	var rows []map[string]json.Number
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
		t.Fatalf("query: code %d %v %q", code, err, out)
	}
	var worked int
	for _, w := range a.PersonWeeks() {
		worked += w.WorkedQ
	}
	if rows[0]["worked"].String() != fmt.Sprintf("%.4f", float64(worked)/4) {
		t.Errorf("worked hours %s, truth %.2f", rows[0]["worked"], float64(worked)/4)
	}

	badSQL := []string{"selec 1", "select * from nope", "select 1; select 2", "delete from core.people"}
	direct := map[string]string{}
	for _, q := range badSQL {
		code, _, err := run(t, "--config", cfg, "query", q)
		if code != exitUsage || err == nil {
			t.Fatalf("query %q: code %d, %v", q, code, err)
		}
		direct[q] = err.Error()
	}
	if !strings.Contains(direct["selec 1"], `syntax error at or near "selec"`) || !strings.Contains(direct["select 1; select 2"], "one statement at a time") {
		t.Errorf("a typo or two statements are misnamed: %q, %q", direct["selec 1"], direct["select 1; select 2"])
	}

	// A server in another process holds the warehouse: sync, build and
	// query hand their work to it instead of failing on the lock.
	child := exec.Command(os.Args[0])
	child.Env = append(os.Environ(), "CONFLUX_TEST_MAIN=1", "CONFLUX_TEST_ARGS=--config "+cfg+" serve")
	var childOut bytes.Buffer
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Signal(os.Interrupt); child.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "conflux.duckdb.server")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", childOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, out, err = run(t, "--config", cfg, "sync", "harvest", "--stream", "users")
	if code != 0 || !strings.Contains(out, "harvest.users") {
		t.Errorf("sync handed over: code %d %v\n%s", code, err, out)
	}
	code, out, err = run(t, "--config", cfg, "build")
	if code != 0 || !strings.Contains(out, "build:") {
		t.Errorf("build handed over: code %d %v\n%s", code, err, out)
	}
	// -v lists where the time went, slowest model first.
	code, out, err = run(t, "--config", cfg, "-v", "build", "--force")
	if code != 0 || !timingsSorted(out) {
		t.Errorf("build -v handed over: code %d %v\n%s", code, err, out)
	}
	code, out, err = run(t, "--config", cfg, "query", "select count(*) as n from core.people", "--format", "csv")
	if code != 0 || out != "n\n5\n" {
		t.Errorf("query handed over: code %d %v %q", code, err, out)
	}
	// Bad SQL reads the same with the server as without it.
	for _, q := range badSQL {
		code, _, err := run(t, "--config", cfg, "query", q)
		if code != exitUsage || err == nil || err.Error() != direct[q] {
			t.Errorf("query %q through the server: code %d, %v; without it: %q", q, code, err, direct[q])
		}
	}
	// Users and the audit log go through the server too.
	if code, out, err := run(t, "--config", cfg, "users", "list"); code != 0 || !strings.Contains(out, "EMAIL") {
		t.Errorf("users list through the server: code %d %v\n%s", code, err, out)
	}
	if code, out, err := run(t, "--config", cfg, "audit"); code != 0 || !strings.Contains(out, "query") {
		t.Errorf("audit through the server: code %d %v\n%s", code, err, out)
	}
	// doctor, with the server holding the warehouse, passes.
	if code, out, err := run(t, "--config", cfg, "doctor"); code != 0 {
		t.Errorf("doctor beside a running server: code %d %v\n%s", code, err, out)
	}
}

// doctor changes nothing: a missing warehouse is reported, not created; an
// unknown host fails at once, without retries or log lines.
func TestDoctorChangesNothingAndFailsFast(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, harvestConfig("https://no-such-host.invalid/v2", demo.HarvestToken))
	start := time.Now()
	code, out, err := run(t, "--config", cfg, "doctor")
	if code != exitFailure || !strings.Contains(out, "cannot resolve no-such-host.invalid") || !strings.Contains(out, "not created yet") {
		t.Errorf("doctor: code %d %v\n%s", code, err, out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("doctor took %v: it retried an unknown host", took)
	}
	if _, err := os.Stat(filepath.Join(dir, "conflux.duckdb")); err == nil {
		t.Error("doctor created the warehouse")
	}
}

func TestUnknownCommandsAndMissingArgumentsExit2(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"mappings", "accept"}, {"mappings", "nope"}, {"report", "wekly"}} {
		if code, _, err := run(t, args...); code != exitUsage {
			t.Errorf("conflux %s: code %d (%v), want 2", strings.Join(args, " "), code, err)
		}
	}
	if code, out, _ := run(t); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("conflux alone: code %d, want help", code)
	}
}

// Without sign-in, serve stays on this machine: any other address exits 2
// naming server.auth and the fix.
func TestServeRefusesTheNetworkWithoutSignIn(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "org:\n  name: X\n  currency: GBP\n")
	code, _, err := run(t, "--config", cfg, "serve", "--listen", "0.0.0.0:8080")
	if code != exitUsage || err == nil || !strings.Contains(err.Error(), "server.auth") || !strings.Contains(err.Error(), "local or oidc") {
		t.Errorf("serve on 0.0.0.0 with auth none: code %d, %v", code, err)
	}
	cfg = writeConfig(t, dir, "org:\n  name: X\n  currency: GBP\nserver:\n  auth: sometimes\n")
	if code, _, err := run(t, "--config", cfg, "serve"); code != exitUsage || !strings.Contains(err.Error(), "server.auth") {
		t.Errorf("a bad server.auth: code %d, %v", code, err)
	}
}

// Users and tokens from the command line: passwords from stdin only, a
// token printed once, bad input exit 2.
func TestUsersAndTokens(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "org:\n  name: X\n  currency: GBP\nserver:\n  auth: local\n")
	runIn := func(stdin string, args ...string) (int, string, error) {
		root := newRoot()
		var buf bytes.Buffer
		root.SetOut(&buf)
		root.SetErr(&buf)
		root.SetIn(strings.NewReader(stdin))
		root.SetArgs(append([]string{"--config", cfg}, args...))
		root.SetContext(context.Background())
		c, err := root.ExecuteC()
		if err != nil {
			return exitCode(c, err), buf.String(), err
		}
		return 0, buf.String(), nil
	}
	if code, out, err := runIn("a very long password\n", "users", "add", "Ana@X.test", "--role", "finance", "--password-stdin"); code != 0 || !strings.Contains(out, "added ana@x.test as finance") {
		t.Fatalf("users add: %d %v %s", code, err, out)
	}
	for _, bad := range [][]string{
		{"users", "add", "bo@x.test", "--role", "king", "--password-stdin"},
		{"users", "add", "bo@x.test", "--role", "lead", "--password-stdin"},
		{"users", "add", "not-an-email", "--role", "ops"},
		{"users", "add", "ana@x.test", "--role", "ops"},
		{"users", "add", "cy@x.test", "--password-stdin"},
	} {
		if code, _, err := runIn("short\n", bad...); code != exitUsage {
			t.Errorf("%v: code %d, %v", bad, code, err)
		}
	}
	code, out, _ := runIn("", "tokens", "create", "--user", "ana@x.test", "--name", "nb")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "cfx_") {
		t.Fatalf("tokens create: %d %s", code, out)
	}
	tok := strings.Fields(out)[0]
	if _, list, _ := runIn("", "tokens", "list"); !strings.Contains(list, "nb") || strings.Contains(list, tok) {
		t.Errorf("tokens list shows no token or its secret:\n%s", list)
	}
	if _, list, _ := runIn("", "users", "list"); !strings.Contains(list, "ana@x.test") || strings.Contains(list, "long password") {
		t.Errorf("users list:\n%s", list)
	}
	if _, audit, _ := runIn("", "audit"); !strings.Contains(audit, "users-add") || strings.Contains(audit, "long password") || strings.Contains(audit, tok) {
		t.Errorf("audit:\n%s", audit)
	}
	if code, _, _ := runIn("", "tokens", "revoke", "nb"); code != 0 {
		t.Errorf("revoke: %d", code)
	}
	if code, _, _ := runIn("", "users", "remove", "ana@x.test"); code != 0 {
		t.Errorf("remove: %d", code)
	}
}

// timingsSorted says whether out lists built models' times, slowest first.
func timingsSorted(out string) bool {
	var times []time.Duration
	listing := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 4 && f[0] == "time" && f[1] == "share":
			listing = true
		case listing && len(f) == 4 && strings.HasSuffix(f[1], "%") && f[3] != "models":
			d, err := time.ParseDuration(f[0])
			if err != nil {
				return false
			}
			times = append(times, d)
		}
	}
	return len(times) > 10 && slices.IsSortedFunc(times, func(a, b time.Duration) int { return int(b - a) })
}
