package dashboards

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

const password = "a long enough password"

// signedServer serves wh with sign-in (auth: local) and one user of each
// role, the lead scoped to one client and one team; logs go to logs.
type signedServer struct {
	srv       *httptest.Server
	wh        *warehouse.Warehouse
	users     *auth.Store
	client    string // the lead's client
	team      string // the lead's team
	refreshes *int
	logs      *bytes.Buffer
	mappings  string
}

func newSignedServer(t *testing.T, wh *warehouse.Warehouse, a *demo.Agency) *signedServer {
	t.Helper()
	ctx := context.Background()
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	ss := &signedServer{wh: wh, users: auth.NewStore(wh.DB()), logs: &bytes.Buffer{}, refreshes: new(int),
		mappings: filepath.Join(t.TempDir(), "mappings.yaml")}
	wh.DB().QueryRow(`SELECT client_name FROM marts.project_financials WHERE billing_model <> 'non_billable' GROUP BY 1 ORDER BY sum(hours) DESC LIMIT 1`).Scan(&ss.client)
	wh.DB().QueryRow(`SELECT min(team) FROM core.people WHERE is_delivery`).Scan(&ss.team)
	for _, u := range []auth.User{
		{Email: "admin@x.test", Role: auth.Admin}, {Email: "finance@x.test", Role: auth.Finance},
		{Email: "leadership@x.test", Role: auth.Leadership}, {Email: "ops@x.test", Role: auth.Ops},
		{Email: "lead@x.test", Role: auth.Lead, Clients: []string{ss.client}, Teams: []string{ss.team}},
		{Email: "clientlead@x.test", Role: auth.Lead, Clients: []string{ss.client}},
	} {
		if _, err := ss.users.AddUser(ctx, u, password); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(ss.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(Options{Warehouse: wh, Reports: cat, Token: testToken, Org: a.Name, Logger: log, Mappings: ss.mappings,
		Auth: config.AuthLocal, Users: ss.users, AlertRecipients: map[string][]string{"budget_red": {"ops"}, "loss": {"finance"}},
		Refresh: func(ctx context.Context, req RefreshRequest) RefreshResult {
			*ss.refreshes++
			return RefreshResult{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ss.srv = httptest.NewServer(s)
	t.Cleanup(ss.srv.Close)
	return ss
}

// browser is one person's browser: a cookie jar, redirects not followed.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (ss *signedServer) signIn(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: ss.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, _ := b.post("/login", url.Values{"email": {email}, "password": {password}}, ""); code != http.StatusSeeOther {
		t.Fatalf("%s could not sign in: %d", email, code)
	}
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post sends a form from origin (default: the server itself), with the
// CSRF token of the signed-in page unless the form carries one.
func (b *browser) post(path string, form url.Values, origin string) (int, string) {
	b.t.Helper()
	if origin == "" {
		origin = b.base
	}
	if path != "/login" && !form.Has("csrf") {
		_, page := b.get("/")
		if m := csrfRE.FindStringSubmatch(page); m != nil {
			form.Set("csrf", html.UnescapeString(m[1]))
		}
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Without a session, pages send people to /login and the API answers 401,
// on every route but the open ones.
func TestAnonymousRequestsSignInFirst(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, rt := range Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.NewReplacer("{$}", "", "{key}", "k", "{name}", "entries", "{id}", "0badc0de", "{verb}", "accept", "{op}", "users-list").Replace(path)
		req, _ := http.NewRequest(method, ss.srv.URL+path, nil)
		if method == http.MethodPost {
			req.Header.Set("Origin", ss.srv.URL)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case rt.Open:
		case strings.HasPrefix(path, "/api/") || method == http.MethodPost:
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without a session: %d, want 401", rt.Pattern, resp.StatusCode)
			}
		default:
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Errorf("%s without a session: %d to %q, want a redirect to /login", rt.Pattern, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
	if code, _, _ := get(t, ss.srv.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
}

// Sign-in: the same answer for an unknown account and a wrong password, a
// limit on attempts, a cookie scripts cannot read, and sign-out that ends
// the session.
func TestSignIn(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	anon := &browser{t: t, base: ss.srv.URL, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c1, unknown := anon.post("/login", url.Values{"email": {"nobody@x.test"}, "password": {password}}, "")
	c2, wrong := anon.post("/login", url.Values{"email": {"ops@x.test"}, "password": {"not the password!"}}, "")
	msg := func(page string) string {
		return regexp.MustCompile(`notice error">([^<]*)`).FindStringSubmatch(page)[1]
	}
	if c1 != http.StatusUnauthorized || c2 != c1 || msg(unknown) != msg(wrong) {
		t.Errorf("unknown account %d %q, wrong password %d %q: want the same", c1, msg(unknown), c2, msg(wrong))
	}
	if c, _ := anon.post("/login", url.Values{"email": {"admin@x.test"}, "password": {password}}, "http://evil.example"); c != http.StatusForbidden {
		t.Errorf("a sign-in posted from another site: %d", c)
	}
	limited := false
	for range 8 {
		if c, _ := anon.post("/login", url.Values{"email": {"finance@x.test"}, "password": {"wrong again, surely"}}, ""); c == http.StatusTooManyRequests {
			limited = true
		}
	}
	if !limited {
		t.Error("eight wrong passwords in a row were all tried")
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: ss.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	req, _ := http.NewRequest(http.MethodPost, ss.srv.URL+"/login", strings.NewReader(url.Values{"email": {"Ops@X.test"}, "password": {password}, "next": {"//evil.example/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ss.srv.URL)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("sign-in: %d to %q, cookie %q", resp.StatusCode, resp.Header.Get("Location"), cookie)
	}
	if code, _ := b.get("/ops"); code != 200 {
		t.Errorf("signed in, /ops: %d", code)
	}
	if code, _ := b.post("/logout", url.Values{}, ""); code != http.StatusSeeOther {
		t.Errorf("sign out: %d", code)
	}
	if code, _ := b.get("/ops"); code != http.StatusSeeOther {
		t.Errorf("after signing out, /ops: %d", code)
	}
	// An API token for scripts, revoked.
	tok, err := ss.users.CreateToken(context.Background(), "finance@x.test", "notebook")
	if err != nil {
		t.Fatal(err)
	}
	bearer := func() int {
		req, _ := http.NewRequest(http.MethodGet, ss.srv.URL+"/api/reports/finance_monthly?format=json", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := bearer(); code != 200 {
		t.Errorf("with the token: %d", code)
	}
	ss.users.RevokeToken(context.Background(), "notebook")
	if code := bearer(); code != http.StatusUnauthorized {
		t.Errorf("with the revoked token: %d", code)
	}
	// No password, token or session id in a log line or the audit log.
	var audit strings.Builder
	rows, _ := wh.DB().Query(`SELECT actor || ' ' || action || ' ' || coalesce(detail, '') FROM meta.audit`)
	for rows.Next() {
		var line string
		rows.Scan(&line)
		audit.WriteString(line + "\n")
	}
	session := strings.TrimPrefix(strings.Split(cookie, ";")[0], sessionCookie+"=")
	for _, secret := range []string{password, "not the password!", tok, session} {
		if strings.Contains(ss.logs.String(), secret) || strings.Contains(audit.String(), secret) {
			t.Errorf("a secret (%.6s…) reached the log or the audit log", secret)
		}
	}
	for _, want := range []string{"sign-in failed", "sign-in", "sign-out", "export"} {
		if !strings.Contains(audit.String(), want) {
			t.Errorf("the audit log has no %q:\n%s", want, audit.String())
		}
	}
}

// What each role opens, and which figures it reads.
func TestRolesSeeWhatTheyMay(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	pagesOf := map[string]map[string]int{
		"finance@x.test":    {"/finance": 200, "/leadership": 200, "/audit": 403, "/reports/weekly": 200},
		"leadership@x.test": {"/finance": 200, "/leadership": 200, "/audit": 403},
		"ops@x.test":        {"/finance": 403, "/leadership": 403, "/ops": 200, "/capacity": 200, "/": 200, "/entries": 200, "/reports/weekly": 403, "/alerts": 200},
		"lead@x.test":       {"/finance": 200, "/leadership": 403, "/ops": 200, "/": 200, "/reports/weekly": 403, "/alerts": 403, "/outbox/": 403},
		"admin@x.test":      {"/audit": 200, "/finance": 200},
	}
	for email, pages := range pagesOf {
		b := ss.signIn(t, email)
		for page, want := range pages {
			if code, _ := b.get(page); code != want {
				t.Errorf("%s %s: %d, want %d", email, page, code, want)
			}
		}
	}
	// Per-person cost: finance sees it, leadership and ops do not; ops sees
	// no revenue or margin at all, a lead their projects' margin.
	entries := func(email, report, col string) (nonNull, rows int) {
		b := ss.signIn(t, email)
		q := "?format=json"
		if report == "entries" {
			q += "&from=&to="
		}
		code, body := b.get("/api/reports/" + report + q)
		if code != 200 {
			t.Fatalf("%s %s: %d", email, report, code)
		}
		var rs []map[string]any
		json.Unmarshal([]byte(body), &rs)
		for _, r := range rs {
			if r[col] != nil {
				nonNull++
			}
		}
		return nonNull, len(rs)
	}
	if n, rows := entries("finance@x.test", "entries", "cost"); n == 0 || rows == 0 {
		t.Errorf("finance sees no entry cost (%d of %d)", n, rows)
	}
	for _, email := range []string{"leadership@x.test", "ops@x.test", "lead@x.test"} {
		if n, rows := entries(email, "entries", "cost_rate"); n != 0 || rows == 0 {
			t.Errorf("%s sees %d per-person cost rates in %d entries", email, n, rows)
		}
	}
	if n, _ := entries("ops@x.test", "project_financials", "revenue"); n != 0 {
		t.Errorf("ops sees %d projects' revenue", n)
	}
	if n, rows := entries("lead@x.test", "project_financials", "margin"); n == 0 || n != rows {
		t.Errorf("the lead sees margin on %d of their %d projects", n, rows)
	}
	if n, rows := entries("leadership@x.test", "team_profitability", "labour"); n == 0 || n != rows {
		t.Errorf("leadership sees labour cost on %d of %d teams (aggregated cost is theirs)", n, rows)
	}
	// Only admins run SQL and refresh; only admins and finance query.
	for email, want := range map[string]int{"ops@x.test": 403, "lead@x.test": 403, "leadership@x.test": 403} {
		b := ss.signIn(t, email)
		if code, _ := b.post("/refresh", url.Values{}, ""); code != want {
			t.Errorf("%s refresh: %d", email, code)
		}
	}
	if *ss.refreshes != 0 {
		t.Errorf("%d refreshes by people who may not", *ss.refreshes)
	}
}

// A cross-origin POST to each POST route is refused and changes nothing.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	wh, a := demotest.BuiltWithGaps(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	b := ss.signIn(t, "admin@x.test")
	var key string
	wh.DB().QueryRow(`SELECT finding_key FROM workflow.gap_state LIMIT 1`).Scan(&key)
	wh.DB().Exec(`INSERT INTO marts.identity_review (id, entity, left_key, left_name, left_source, right_key, right_name, right_source, similarity, revenue_at_stake)
		VALUES ('0badc0de', 'clients', 'harvest:502', 'Globex GmbH', 'harvest', 'hubspot:502', 'Globbex GmbH', 'hubspot', 0.971, 10)`)
	var events int
	wh.DB().QueryRow(`SELECT count(*) FROM workflow.gap_events`).Scan(&events)
	for _, rt := range Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if method != http.MethodPost || rt.Open {
			continue
		}
		path = strings.NewReplacer("{key}", url.PathEscape(key), "{id}", "0badc0de", "{verb}", "accept", "{op}", "users-remove").Replace(path)
		form := url.Values{"action": {"acknowledge"}, "email": {"ops@x.test"}}
		if code, _ := b.post(path, form, "http://evil.example"); code != http.StatusForbidden {
			t.Errorf("%s from another site: %d, want 403", rt.Pattern, code)
		}
		if code, _ := b.post(path, url.Values{"action": {"acknowledge"}, "csrf": {"forged"}}, ""); code != http.StatusForbidden {
			t.Errorf("%s with a forged CSRF token: %d, want 403", rt.Pattern, code)
		}
	}
	var after int
	wh.DB().QueryRow(`SELECT count(*) FROM workflow.gap_events`).Scan(&after)
	if _, err := os.Stat(ss.mappings); err == nil || *ss.refreshes != 0 || after != events {
		t.Errorf("a refused POST changed something: mappings written %v, %d refreshes, %d → %d gap events", err == nil, *ss.refreshes, events, after)
	}
	if code, _ := b.get("/ops"); code != 200 {
		t.Errorf("the session died: %d", code)
	}
	if _, err := ss.users.User(context.Background(), "ops@x.test"); err != nil {
		t.Error("a refused POST removed a user")
	}
}

// scopedSamples is what the scoped walk requests for each route, by
// pattern; a route missing here fails the walk, so a new route is walked
// as soon as it exists.
func scopedSamples(inProject, outProject, inFinding, outFinding string) map[string][]string {
	s := map[string][]string{
		"GET /projects/{key}":        {"/projects/" + url.PathEscape(inProject), "/projects/" + url.PathEscape(outProject)},
		"GET /reports/weekly":        {"/reports/weekly"},
		"GET /definitions":           {"/definitions"},
		"GET /gaps/{key}":            {"/gaps/" + url.PathEscape(inFinding), "/gaps/" + url.PathEscape(outFinding)},
		"POST /gaps/{key}":           {"/gaps/" + url.PathEscape(outFinding)},
		"POST /mappings/{id}/{verb}": {"/mappings/0badc0de/accept"},
		"POST /refresh":              {"/refresh"},
		"GET /audit":                 {"/audit"},
		"GET /alerts":                {"/alerts"},
		"POST /alerts":               {"/alerts"},
		"GET /outbox/":               {"/outbox/"},
		"GET /closes":                {"/closes"},
		"POST /closes":               {"/closes"},
		"GET /settings":              {"/settings"},
		"POST /settings":             {"/settings"},
		"GET /api/reports":           {"/api/reports"},
		"GET /api/reports/{name}":    nil, // every report, below
		"GET /api/status":            {"/api/status"},
		"POST /api/refresh":          {"/api/refresh"},
		"POST /api/query":            {"/api/query"},
		"POST /api/admin/{op}":       {"/api/admin/users-list"},
		"GET /login":                 {"/login"},
		"POST /login":                nil, // signing in is the walk's first step
		"GET /auth/oidc/start":       {"/auth/oidc/start"},
		"GET /auth/oidc/callback":    {"/auth/oidc/callback"},
		"POST /logout":               nil, // the walk's last step
		"GET /healthz":               {"/healthz"},
		"GET /assets/":               {"/assets/echarts.min.js"},
	}
	for _, d := range All() {
		pattern := "GET " + d.Path
		if d.Path == "/" {
			pattern = "GET /{$}"
		}
		s[pattern] = []string{d.Path, d.Path + "?from=&to="}
	}
	return s
}

// A lead scoped to one client and one team walks every route: no response
// — page, export in any format, API answer — holds a row of another
// client or of someone outside their team who never worked for their
// client; and a lead scoped to the client alone gets that client's entries,
// whose hours are that client's hours on Finance.
func TestScopedLeadSeesOnlyTheirRows(t *testing.T) {
	wh, a := demotest.BuiltWithGaps(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	db := wh.DB()
	strs := func(q string, args ...any) []string {
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	// Forbidden: every other client (but the agency itself, whose name is
	// the page's title) and everyone outside the team who never worked on
	// the client's projects.
	forbidden := strs(`SELECT DISTINCT name FROM core.clients WHERE name <> ? AND name <> ?`, ss.client, a.Name)
	forbidden = append(forbidden, strs(`SELECT DISTINCT name FROM core.people WHERE team <> ? AND person_key NOT IN
		(SELECT e.person_key FROM core.time_entries e JOIN core.projects p USING (project_key) JOIN core.clients c USING (client_key) WHERE c.name = ?)`, ss.team, ss.client)...)
	if len(forbidden) < 3 {
		t.Fatalf("too little to check: %v", forbidden)
	}
	in := strs(`SELECT project_key FROM marts.project_financials WHERE client_name = ? LIMIT 1`, ss.client)
	out := strs(`SELECT project_key FROM marts.project_financials WHERE client_name <> ? AND client_name <> ? LIMIT 1`, ss.client, a.Name)
	inF := strs(`SELECT s.finding_key FROM workflow.gap_state s JOIN core.clients c USING (client_key) WHERE c.name = ? LIMIT 1`, ss.client)
	outF := strs(`SELECT s.finding_key FROM workflow.gap_state s LEFT JOIN core.clients c USING (client_key) WHERE coalesce(c.name, '') <> ?
		AND coalesce(s.person_key, '') NOT IN (SELECT person_key FROM core.people WHERE team = ?) LIMIT 1`, ss.client, ss.team)
	if len(in) == 0 || len(out) == 0 || len(outF) == 0 {
		t.Fatalf("no sample: in %v out %v findings out %v", in, out, outF)
	}
	if len(inF) == 0 {
		inF = outF
	}
	samples := scopedSamples(in[0], out[0], inF[0], outF[0])
	b := ss.signIn(t, "lead@x.test")
	checked := 0
	leaks := func(what, body string) {
		checked++
		for _, name := range forbidden {
			if strings.Contains(body, name) || strings.Contains(body, html.EscapeString(name)) {
				t.Errorf("%s shows %q, outside the lead's scope", what, name)
			}
		}
	}
	var exports []string
	for _, rt := range Routes() {
		paths, ok := samples[rt.Pattern]
		if !ok {
			t.Errorf("route %s is not in the scoped walk: add it to scopedSamples", rt.Pattern)
			continue
		}
		method, _, _ := strings.Cut(rt.Pattern, " ")
		for _, p := range paths {
			var code int
			var body string
			if method == http.MethodPost {
				code, body = b.post(p, url.Values{"action": {"acknowledge"}}, "")
				if code < 400 {
					t.Errorf("the lead may POST %s: %d", p, code)
				}
			} else {
				code, body = b.get(p)
			}
			leaks(p, body)
			for _, m := range regexp.MustCompile(`href="(/api/reports/[^"]+)"`).FindAllStringSubmatch(body, -1) {
				exports = append(exports, html.UnescapeString(m[1]))
			}
			if p == "/projects/"+url.PathEscape(out[0]) || p == "/gaps/"+url.PathEscape(outF[0]) {
				if code != http.StatusNotFound {
					t.Errorf("the lead opens %s, outside their scope: %d", p, code)
				}
			}
		}
	}
	cat, _ := reports.Load()
	for _, name := range cat.Names() {
		for _, format := range []string{"json", "csv"} {
			exports = append(exports, "/api/reports/"+name+"?format="+format+"&project="+url.QueryEscape(in[0])+"&finding="+url.QueryEscape(inF[0]))
		}
	}
	for _, e := range exports {
		code, body := b.get(e)
		if code == http.StatusBadRequest { // a parameter the report does not take
			u, _ := url.Parse(e)
			q := u.Query()
			q.Del("project")
			q.Del("finding")
			u.RawQuery = q.Encode()
			code, body = b.get(u.String())
		}
		if code == http.StatusOK && strings.Contains(e, "format=xlsx") {
			f, err := excelize.OpenReader(strings.NewReader(body))
			if err == nil {
				rows, _ := f.GetRows(f.GetSheetName(0))
				body = fmt.Sprint(rows)
			}
		}
		leaks(e, body)
	}
	if checked < 100 {
		t.Errorf("the walk checked only %d responses", checked)
	}
	// The client-only lead's entries are that client's, and add up to its
	// hours on Finance.
	cl := ss.signIn(t, "clientlead@x.test")
	_, csvBody := cl.get("/api/reports/entries?format=csv&from=&to=")
	records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("entries CSV: %v (%d records)", err, len(records))
	}
	col := slices.Index(records[0], "client")
	hcol := slices.Index(records[0], "hours")
	total := 0.0
	for _, r := range records[1:] {
		if r[col] != ss.client {
			t.Fatalf("the client's lead downloads an entry of %q", r[col])
		}
		h, _ := strconv.ParseFloat(r[hcol], 64)
		total += h
	}
	admin := ss.signIn(t, "admin@x.test")
	_, js := admin.get("/api/reports/client_profitability?format=json&from=&to=")
	var clients []map[string]any
	json.Unmarshal([]byte(js), &clients)
	want := -1.0
	for _, c := range clients {
		if c["client"] == ss.client {
			want = number(c["hours"])
		}
	}
	if !sameCents(total, want) {
		t.Errorf("the lead's entries add up to %.2f h; Finance says %s has %.2f h", total, ss.client, want)
	}
	if code, _ := cl.post("/logout", url.Values{}, ""); code != http.StatusSeeOther {
		t.Errorf("sign out: %d", code)
	}
}

// Names a vendor sends stay names: a client called <img onerror=…>, a
// project called =HYPERLINK(…) and a person called <script> show as text on
// every page, in chart data, in the weekly report, and as text in CSV and
// XLSX exports.
func TestHostileNamesStayText(t *testing.T) {
	a := demo.Generate(smallDemo)
	const (
		xssClient = `<img src=x onerror=window.__xss=1>`
		formula   = `=HYPERLINK("http://evil.example","open")`
		xssPerson = `</script><script>window.__xss=2</script>`
	)
	a.Clients[0].Name = xssClient
	for i := range a.Projects {
		if a.Projects[i].ClientID == a.Clients[0].ID {
			a.Projects[i].Name = formula
			break
		}
	}
	a.People[0].First, a.People[0].Last = xssPerson, "X"
	wh := demotest.BuiltAgency(t, a)
	srv, _, _ := serve(t, wh, a)
	pages := []string{"/reports/weekly"}
	for _, d := range All() {
		pages = append(pages, d.Path+"?from=&to=")
	}
	var project string
	wh.DB().QueryRow(`SELECT project_key FROM core.projects WHERE name = ?`, formula).Scan(&project)
	pages = append(pages, "/projects/"+url.PathEscape(project))
	for _, p := range pages {
		code, body, _ := get(t, srv.URL+p)
		if code != 200 {
			t.Errorf("%s: %d", p, code)
			continue
		}
		for _, raw := range []string{xssClient, `<script>window.__xss`, `</script><script>`} {
			if strings.Contains(body, raw) {
				t.Errorf("%s holds %q unescaped", p, raw)
			}
		}
	}
	// In a browser, nothing planted runs.
	if browserPath, ok := chromiumPath(); ok {
		ctx, jsErrors := startBrowser(t, browserPath, 1440, 1800)
		for _, p := range pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+p), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatal(err)
			}
			ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss !== undefined`))
			if err != nil {
				t.Fatal(err)
			}
			if ran {
				t.Errorf("%s ran a planted script", p)
			}
		}
		_ = jsErrors
	}
	_, csvBody, _ := get(t, srv.URL+"/api/reports/project_financials?format=csv")
	if !strings.Contains(csvBody, `"'=HYPERLINK(`) {
		t.Errorf("the CSV does not defuse the formula:\n%.400s", csvBody)
	}
	_, xlsx, _ := get(t, srv.URL+"/api/reports/project_financials?format=xlsx")
	f, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	rows, _ := f.GetRows(sheet)
	found := false
	for r, row := range rows {
		for c, v := range row {
			if v == formula {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
					t.Errorf("XLSX cell %s is a formula: %s", cell, fm)
				}
				found = true
			}
		}
	}
	if !found {
		t.Error("the XLSX lost the project's name")
	}
}

// In a browser, each role signs in through the form and sees its own
// navigation; pages it may not open say so; the lead's project list holds
// their client's projects only.
func TestBrowserSignInAsEachRole(t *testing.T) {
	browserPath := chromium(t)
	wh, a := demotest.Built(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	want := map[string][]string{
		"admin@x.test":   {"Overview", "Leadership", "Finance", "Capacity", "Ops", "Alerts", "Definitions", "Settings", "Audit"},
		"finance@x.test": {"Overview", "Leadership", "Finance", "Capacity", "Ops", "Alerts", "Definitions", "Settings"},
		"ops@x.test":     {"Overview", "Capacity", "Ops", "Alerts", "Definitions"},
		"lead@x.test":    {"Overview", "Finance", "Capacity", "Ops", "Definitions"},
	}
	for email, nav := range want {
		ctx, jsErrors := startBrowser(t, browserPath, 1440, 1200)
		err := chromedp.Do(ctx,
			chromedp.Navigate(ss.srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
			chromedp.Click(chromedp.CSS(`.login-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`#panel-projects`)),
		)
		if err != nil {
			t.Fatalf("%s signing in: %v", email, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.prototype.slice.call(document.querySelectorAll("header > a")).slice(1).map(function (a) { return a.textContent; })`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(nav, ",") {
			t.Errorf("%s sees the pages %v, want %v", email, got, nav)
		}
		if email == "lead@x.test" {
			clients, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll("#panel-projects tbody tr"), function (tr) { return tr.cells[1].textContent; })`))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range clients {
				if c != ss.client {
					t.Errorf("the lead's project list holds a project of %q", c)
				}
			}
			if len(clients) == 0 {
				t.Error("the lead sees no projects of their client")
			}
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(ss.srv.URL+"/finance"), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatal(err)
		}
		refused, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("main .notice.error")`))
		if err != nil {
			t.Fatal(err)
		}
		if refused != !slices.Contains(nav, "Finance") {
			t.Errorf("%s on /finance: refused %v", email, refused)
		}
		if errs := jsErrors(); len(errs) > 0 {
			t.Errorf("%s: JavaScript errors:\n%s", email, strings.Join(errs, "\n"))
		}
	}
}

// Behind a reverse proxy on the same machine, failed sign-ins count
// against the browser's address, not the proxy's; any other peer's
// X-Forwarded-For is ignored.
func TestClientAddressTrustsOnlyALocalProxy(t *testing.T) {
	cases := []struct {
		peer, forwarded, want string
	}{
		{"203.0.113.7:5100", "", "203.0.113.7"},
		{"203.0.113.7:5100", "198.51.100.1", "203.0.113.7"},
		{"127.0.0.1:5100", "", "127.0.0.1"},
		{"127.0.0.1:5100", "10.0.0.9, 198.51.100.1", "198.51.100.1"},
		{"[::1]:5100", "198.51.100.2", "198.51.100.2"},
		{"127.0.0.1:5100", "not-an-address", "127.0.0.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = c.peer
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-For", c.forwarded)
		}
		if got := clientAddress(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: got %s, want %s", c.peer, c.forwarded, got, c.want)
		}
	}
}

// The Alerts page lists what the rules found to those they are addressed
// to (admins and finance read all); ops acknowledges and snoozes there,
// leadership reads but may not decide, and nobody reads or decides on an
// alert addressed to others.
func TestAlertsPageAcknowledgeAndSnooze(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	ss := newSignedServer(t, wh, a)
	if _, err := wh.DB().Exec(`INSERT INTO workflow.alerts (rule, key, severity, title, detail, link, level, amount, first_seen, last_seen) VALUES
		('budget_red', 'p1', 'critical', 'Budget red: Acme <Web>', '92% used', '/projects/p1', 2, 500, now(), now()),
		('loss', 'p2', 'critical', 'Loss contract: Globex', 'expected loss 38,918.75', '/projects/p2', 3, 38918.75, now(), now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := wh.DB().Exec(`INSERT INTO workflow.alert_deliveries (sent_at, target, channel, subject, alerts, attempts, ok) VALUES
		(now(), 'email:finance@x.test', 'email', 'Loss contract: Globex (new)', 1, 1, true)`); err != nil {
		t.Fatal(err)
	}
	if _, body := ss.signIn(t, "finance@x.test").get("/alerts"); !strings.Contains(body, "Acme &lt;Web&gt;") || !strings.Contains(body, "Loss contract: Globex") {
		t.Errorf("finance does not read every alert")
	}
	lead := ss.signIn(t, "leadership@x.test")
	code, body := lead.get("/alerts")
	if code != 200 || strings.Contains(body, "Budget red") || strings.Contains(body, "Globex") || strings.Contains(body, `value="acknowledge"`) {
		t.Fatalf("leadership /alerts: %d; want no alert (none is addressed to it) and no buttons\n%s", code, body)
	}
	if code, _ := lead.post("/alerts", url.Values{"rule": {"budget_red"}, "key": {"p1"}, "action": {"acknowledge"}}, ""); code != http.StatusForbidden {
		t.Errorf("leadership acknowledged an alert: %d", code)
	}
	ops := ss.signIn(t, "ops@x.test")
	_, body = ops.get("/alerts")
	if !strings.Contains(body, "Budget red: Acme &lt;Web&gt;") || !strings.Contains(body, `value="acknowledge"`) {
		t.Fatalf("ops does not see its alert with an Acknowledge button")
	}
	if strings.Contains(body, "Globex") || strings.Contains(body, "38,918.75") {
		t.Errorf("ops reads finance's loss alert or its message")
	}
	if code, _ := ops.post("/alerts", url.Values{"rule": {"loss"}, "key": {"p2"}, "action": {"acknowledge"}}, ""); code != http.StatusNotFound {
		t.Errorf("ops acknowledged finance's alert: %d; want 404", code)
	}
	if code, _ := ops.post("/alerts", url.Values{"rule": {"budget_red"}, "key": {"p1"}, "action": {"acknowledge"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("ops acknowledge: %d", code)
	}
	var by string
	wh.DB().QueryRow(`SELECT acknowledged_by FROM workflow.alerts WHERE key = 'p1'`).Scan(&by)
	if by != "ops@x.test" {
		t.Errorf("acknowledged by %q; want ops@x.test", by)
	}
	until := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	if code, _ := ops.post("/alerts", url.Values{"rule": {"budget_red"}, "key": {"p1"}, "action": {"snooze"}, "until": {until}}, ""); code != http.StatusSeeOther {
		t.Fatalf("ops snooze: %d", code)
	}
	if _, body := ops.get("/alerts"); !strings.Contains(body, "Snoozed (1)") || !strings.Contains(body, "Open (0)") || !strings.Contains(body, until) {
		t.Errorf("after snoozing, the alert is not under Snoozed until %s", until)
	}
	if code, _ := ops.post("/alerts", url.Values{"rule": {"budget_red"}, "key": {"nope"}, "action": {"acknowledge"}}, ""); code != http.StatusNotFound {
		t.Errorf("an unknown alert: %d; want 404", code)
	}
	if code, _ := ops.get("/outbox/"); code != http.StatusForbidden {
		t.Errorf("/outbox/ for ops: %d; want 403 (it holds everyone's mail)", code)
	}
	if code, _ := ss.signIn(t, "admin@x.test").get("/outbox/"); code != http.StatusNotFound {
		t.Errorf("/outbox/ outside the demo: %d; want 404", code)
	}
}
