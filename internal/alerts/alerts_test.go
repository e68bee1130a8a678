package alerts_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/conflux-dev/conflux/internal/alerts"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// received is one mail the test's SMTP server accepted.
type received struct {
	From string
	To   []string
	Msg  *mail.Message
	Body string // every text part, decoded
}

// mailbox is a real SMTP server (emersion/go-smtp) that demands PLAIN
// sign-in and keeps what it is sent.
type mailbox struct {
	mu   sync.Mutex
	mail []received
	srv  *smtp.Server
	addr string
}

type session struct {
	box  *mailbox
	from string
	to   []string
	auth bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "conflux" || pass != "s3cret-pw" {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := textOf(m.Header.Get("Content-Type"), m.Body)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.mail = append(s.box.mail, received{From: s.from, To: s.to, Msg: m, Body: body})
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// textOf decodes every text/plain part of a MIME body.
func textOf(contentType string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		if mt != "text/plain" {
			return "", nil
		}
		b, err := io.ReadAll(body)
		return string(b), err
	}
	var out strings.Builder
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		t, err := textOf(p.Header.Get("Content-Type"), p)
		if err != nil {
			return "", err
		}
		out.WriteString(t)
	}
}

func startMailbox(t *testing.T, addr string) *mailbox {
	t.Helper()
	box := &mailbox{}
	box.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{box: box}, nil }))
	box.srv.Domain = "localhost"
	box.srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	box.addr = ln.Addr().String()
	go box.srv.Serve(ln)
	t.Cleanup(func() { box.srv.Close() })
	return box
}

func (b *mailbox) take() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.mail
	b.mail = nil
	return out
}

// hook is an HTTP receiver for the generic webhook and Slack.
type hook struct {
	mu    sync.Mutex
	posts []post
	fail  bool
}

type post struct {
	Path, Timestamp, Signature string
	Body                       []byte
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.posts = append(h.posts, post{r.URL.Path, r.Header.Get("X-Conflux-Timestamp"), r.Header.Get("X-Conflux-Signature"), body})
	fmt.Fprint(w, "ok")
}

func (h *hook) failing(on bool) {
	h.mu.Lock()
	h.fail = on
	h.mu.Unlock()
}

func (h *hook) take() []post {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.posts
	h.posts = nil
	return out
}

const rulesYAML = `
alerts:
  smtp: {host: 127.0.0.1, port: %s, tls: none, user: conflux, password: "${SMTP_PASSWORD}", from: "Conflux <alerts@northwind.example>"}
  channels:
    hook: {type: webhook, url: "%s/hook/T0KEN-123", secret: "${HOOK_SECRET}"}
    chat: {type: slack, url: "%s/services/T000/B000/XXXXSECRET"}
  rules:
    - name: budget
      kind: sql
      query: SELECT key, title, detail, '/projects/' || key AS link, amount, level FROM main.findings WHERE rule = 'budget'
      severity: critical
      to: [finance, ceo@northwind.example]
      channels: [email, hook]
      worsen_step: 100
    - name: deals
      kind: sql
      query: SELECT key, title FROM main.findings WHERE rule = 'deals'
      to: [ceo@northwind.example]
      channels: [email, chat]
`

type fixture struct {
	wh     *warehouse.Warehouse
	box    *mailbox
	hooks  *hook
	srv    *httptest.Server
	engine *alerts.Engine
	logs   *bytes.Buffer
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{box: startMailbox(t, "127.0.0.1:0"), hooks: &hook{}, logs: &bytes.Buffer{}, now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(f.hooks)
	t.Cleanup(f.srv.Close)
	_, port, _ := net.SplitHostPort(f.box.addr)
	env := map[string]string{"SMTP_PASSWORD": "s3cret-pw", "HOOK_SECRET": "hook-key"}
	cfg, err := config.Parse("conflux.yaml", fmt.Appendf(nil, rulesYAML, port, f.srv.URL, f.srv.URL), config.Vendors{},
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if f.wh, err = warehouse.Open(ctx, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.wh.Close() })
	db := f.wh.DB()
	if _, err := db.Exec(`CREATE TABLE main.findings (rule VARCHAR, key VARCHAR, title VARCHAR, detail VARCHAR, amount DOUBLE, level INTEGER)`); err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	if _, err := users.AddUser(ctx, auth.User{Email: "fin@northwind.example", Role: auth.Finance}, "a-long-password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.AddUser(ctx, auth.User{Email: "ops@northwind.example", Role: auth.Ops}, "a-long-password-2"); err != nil {
		t.Fatal(err)
	}
	f.engine = &alerts.Engine{DB: db, Config: cfg.Alerts, Org: "Northwind", BaseURL: "https://conflux.northwind.example",
		Now: func() time.Time { return f.now }, Backoff: []time.Duration{time.Millisecond, time.Millisecond},
		Log: slog.New(slog.NewTextHandler(f.logs, nil))}
	return f
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.wh.DB().Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) run(t *testing.T) *alerts.Result {
	t.Helper()
	f.now = f.now.Add(time.Hour)
	res, err := f.engine.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RuleErrors) > 0 {
		t.Fatalf("rule errors: %v", res.RuleErrors)
	}
	return res
}

func recipients(ms []received) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

func byRecipient(ms []received, to string) received {
	for _, m := range ms {
		if slices.Contains(m.To, to) {
			return m
		}
	}
	return received{}
}

func TestAlertsFireOnceWorsenResolveAndDigest(t *testing.T) {
	f := newFixture(t)
	f.exec(t, `INSERT INTO main.findings VALUES
		('budget', 'acme-web', 'Budget amber: Acme Web', '80% used', 500, 1),
		('budget', 'globex', 'Budget amber: Globex', '78% used', 200, 1),
		('deals', 'd1', 'Stale deal: Initech', NULL, NULL, NULL)`)

	// Opened: one digest per recipient, one post per channel.
	res := f.run(t)
	if res.Opened != 3 || res.Open != 3 || res.Failed() != 0 {
		t.Fatalf("opened %d, open %d, failed %d; want 3, 3, 0", res.Opened, res.Open, res.Failed())
	}
	mails := f.box.take()
	if got := recipients(mails); !slices.Equal(got, []string{"ceo@northwind.example", "fin@northwind.example"}) {
		t.Fatalf("mail went to %v; want one digest each to the CEO and the finance user (not ops)", got)
	}
	ceo := byRecipient(mails, "ceo@northwind.example")
	for _, want := range []string{"Budget amber: Acme Web", "Budget amber: Globex", "Stale deal: Initech", "https://conflux.northwind.example/projects/acme-web", "New"} {
		if !strings.Contains(ceo.Body, want) {
			t.Errorf("the CEO's digest lacks %q:\n%s", want, ceo.Body)
		}
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(ceo.Msg.Header.Get("Subject")); !strings.Contains(subj, "3 alerts — 3 new") {
		t.Errorf("subject %q; want it to count the 3 alerts", subj)
	}
	if fin := byRecipient(mails, "fin@northwind.example"); strings.Contains(fin.Body, "Initech") {
		t.Errorf("the finance user got the deals rule, which is the CEO's alone:\n%s", fin.Body)
	}
	posts := f.hooks.take()
	if len(posts) != 2 {
		t.Fatalf("%d posts; want one to the webhook and one to Slack", len(posts))
	}
	for _, p := range posts {
		switch {
		case strings.HasPrefix(p.Path, "/hook/"):
			ts, _ := strconv.ParseInt(p.Timestamp, 10, 64)
			mac := hmac.New(sha256.New, []byte("hook-key"))
			fmt.Fprintf(mac, "%d.", ts)
			mac.Write(p.Body)
			if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); p.Signature != want || ts != f.now.Unix() {
				t.Errorf("webhook signature %q at %d; want %q at %d", p.Signature, ts, want, f.now.Unix())
			}
			var body alerts.WebhookBody
			if err := json.Unmarshal(p.Body, &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Alerts) != 2 || body.Alerts[0].Kind != alerts.New || body.Alerts[0].Rule != "budget" {
				t.Errorf("webhook body %s; want the two budget alerts, new", p.Body)
			}
		case strings.HasPrefix(p.Path, "/services/"):
			var body struct {
				Text   string `json:"text"`
				Blocks []struct {
					Text struct{ Text string } `json:"text"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(p.Body, &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Blocks) < 2 || !strings.Contains(body.Blocks[1].Text.Text, "Stale deal: Initech") {
				t.Errorf("slack body %s; want the stale deal in a section", p.Body)
			}
		default:
			t.Errorf("post to %s", p.Path)
		}
	}

	// The same findings again: nothing is sent.
	f.run(t)
	if m, p := f.box.take(), f.hooks.take(); len(m)+len(p) != 0 {
		t.Fatalf("a second run with nothing changed sent %d mails and %d posts; want none", len(m), len(p))
	}

	// Acme Web goes red; Globex grows by less than worsen_step: only Acme is sent, as worse.
	f.exec(t, `UPDATE main.findings SET level = 2, title = 'Budget red: Acme Web' WHERE key = 'acme-web'`)
	f.exec(t, `UPDATE main.findings SET amount = 290 WHERE key = 'globex'`)
	f.run(t)
	mails = f.box.take()
	if got := recipients(mails); !slices.Equal(got, []string{"ceo@northwind.example", "fin@northwind.example"}) {
		t.Fatalf("worse went to %v", got)
	}
	if b := byRecipient(mails, "ceo@northwind.example").Body; !strings.Contains(b, "Worse") || !strings.Contains(b, "Budget red: Acme Web") || strings.Contains(b, "Globex") {
		t.Errorf("the worse digest should hold Acme Web alone:\n%s", b)
	}
	if posts := f.hooks.take(); len(posts) != 1 {
		t.Errorf("%d posts on worse; want the webhook's one", len(posts))
	}
	// Globex now grows past the step since it was last sent (200 → 300).
	f.exec(t, `UPDATE main.findings SET amount = 300 WHERE key = 'globex'`)
	f.run(t)
	if b := byRecipient(f.box.take(), "fin@northwind.example").Body; !strings.Contains(b, "Globex") {
		t.Errorf("Globex grew by worsen_step and was not sent again:\n%s", b)
	}
	f.hooks.take()

	// Globex clears: "resolved" to those who were told, once.
	f.exec(t, `DELETE FROM main.findings WHERE key = 'globex'`)
	res = f.run(t)
	if res.Resolved != 1 {
		t.Fatalf("resolved %d; want 1", res.Resolved)
	}
	mails = f.box.take()
	if got := recipients(mails); !slices.Equal(got, []string{"ceo@northwind.example", "fin@northwind.example"}) {
		t.Fatalf("resolved went to %v", got)
	}
	if b := mails[0].Body; !strings.Contains(b, "Resolved") || !strings.Contains(b, "Globex") || strings.Contains(b, "Acme") {
		t.Errorf("the resolved digest:\n%s", b)
	}
	f.hooks.take()
	f.run(t)
	if m := f.box.take(); len(m) != 0 {
		t.Fatalf("resolved was sent again")
	}

	// Acknowledged alerts are not repeated; the repeat interval resends the rest.
	f.engine.Config.Repeat = 24 * time.Hour
	f.now = f.now.Add(25 * time.Hour)
	if err := alerts.Acknowledge(context.Background(), f.wh.DB(), "deals", "d1", "ceo@northwind.example", f.now); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	b := byRecipient(f.box.take(), "ceo@northwind.example").Body
	if !strings.Contains(b, "Still open") || !strings.Contains(b, "Acme Web") || strings.Contains(b, "Initech") {
		t.Errorf("after the repeat interval: want Acme Web still open and the acknowledged deal left out:\n%s", b)
	}
}

func TestADeadMailServerIsRetriedAndLosesNothing(t *testing.T) {
	f := newFixture(t)
	f.exec(t, `INSERT INTO main.findings VALUES ('budget', 'acme-web', 'Budget red: Acme Web', NULL, 500, 2)`)
	addr := f.box.addr
	f.box.srv.Close()
	f.hooks.failing(true)

	res := f.run(t)
	if res.Failed() != 3 {
		t.Fatalf("%d failed deliveries; want 3 (two mails, one webhook)", res.Failed())
	}
	for _, d := range res.Deliveries {
		if d.Attempts != 3 {
			t.Errorf("%s: %d attempts; want 3 (two retries)", d.Target, d.Attempts)
		}
	}
	var failed int
	var errs string
	if err := f.wh.DB().QueryRow(`SELECT count(*), string_agg(error, ' | ') FROM workflow.alert_deliveries WHERE NOT ok`).Scan(&failed, &errs); err != nil {
		t.Fatal(err)
	}
	if failed != 3 || !strings.Contains(errs, "smtp "+addr) || !strings.Contains(errs, "webhook channel hook: HTTP 503") {
		t.Errorf("failed deliveries %d: %s", failed, errs)
	}
	for _, secret := range []string{"s3cret-pw", "T0KEN-123", "hook-key", "XXXXSECRET"} {
		if strings.Contains(errs, secret) || strings.Contains(f.logs.String(), secret) {
			t.Errorf("a secret reached the delivery log or the log: %s | %s", errs, f.logs.String())
		}
	}

	// The server and the receiver come back: the next run sends what was not.
	f.box = startMailbox(t, addr)
	f.hooks.failing(false)
	res = f.run(t)
	if res.Failed() != 0 {
		t.Fatalf("%d failed after the server came back", res.Failed())
	}
	if got := recipients(f.box.take()); len(got) != 2 {
		t.Errorf("after recovery mail went to %v; want the two recipients", got)
	}
	if p := f.hooks.take(); len(p) != 1 {
		t.Errorf("%d posts after recovery; want 1", len(p))
	}
}

func TestABadRuleNamesItsKey(t *testing.T) {
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if _, err := wh.DB().Exec(`CREATE TABLE main.findings (key VARCHAR, title VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	e := &alerts.Engine{DB: wh.DB(), Config: config.Alerts{Rules: []config.Rule{
		{Name: "ok", Kind: "sql", Query: "SELECT key, title FROM main.findings"},
		{Name: "nocol", Kind: "sql", Query: "SELECT key, titel FROM main.findings"},
		{Name: "notitle", Kind: "sql", Query: "SELECT key FROM main.findings"},
	}}}
	err = e.Check(ctx)
	if err == nil {
		t.Fatal("no error for two bad rules")
	}
	for _, want := range []string{`alerts.rules[1] (nocol)`, `titel`, `alerts.rules[2] (notitle)`, `no title column`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "rules[0]") {
		t.Errorf("the good rule was reported: %v", err)
	}
}
