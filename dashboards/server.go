package dashboards

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/singleflight"

	"github.com/conflux-dev/conflux/internal/access"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/inputs"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// RefreshRequest asks the server to sync and/or build.
type RefreshRequest struct {
	Sources []string `json:"sources,omitempty"` // empty = all
	Streams []string `json:"streams,omitempty"`
	Sync    bool     `json:"sync"`
	Build   bool     `json:"build"`
	Force   bool     `json:"force,omitempty"`
	// Timings lists the models built, slowest first (conflux build -v).
	Timings bool `json:"timings,omitempty"`
}

// RefreshResult reports a refresh, line by line, for the caller to print.
type RefreshResult struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Lines    []string  `json:"lines"`
	Error    string    `json:"error,omitempty"`
}

// Refresher runs sync and build against the warehouse the server holds.
type Refresher func(ctx context.Context, req RefreshRequest) RefreshResult

// Options configures a Server.
type Options struct {
	Warehouse *warehouse.Warehouse
	Reports   *reports.Catalog
	Refresh   Refresher
	// Token is the CLI's hand-over credential (the file beside the
	// warehouse): a bearer token with an admin's rights. No page carries it.
	Token string
	// Auth is how people sign in (config.AuthNone, AuthLocal, AuthOIDC);
	// Users keeps them. OIDC is the provider for AuthOIDC.
	Auth       string
	Users      *auth.Store
	OIDC       *auth.OIDC
	SessionTTL time.Duration
	// PublicURL is the address people use (behind a proxy); Secure marks
	// cookies Secure (served over TLS, or PublicURL is https).
	PublicURL string
	Secure    bool
	Org       string
	Logger    *slog.Logger
	// Mappings is the mappings.yaml the review queue's Accept and Reject
	// buttons write; empty hides them.
	Mappings string
	// Inputs are finance's inputs /settings edits; nil shows them read-only.
	Inputs *inputs.Store
	// Definitions is the metric-definition page (internal/docs), shown at
	// /definitions; empty hides it.
	Definitions template.HTML
	// CacheBytes bounds the report results kept between refreshes (default
	// 256 MiB); negative keeps none, so every view runs its reports.
	CacheBytes int64
	// Outbox shows the messages the demo's in-process mail server and
	// webhook receiver took, at /outbox/ (admins); nil outside the demo.
	Outbox http.Handler
	// AlertRecipients are each alert rule's roles and addresses (its to:):
	// whom besides admins and finance the Alerts page shows its alerts.
	AlertRecipients map[string][]string
}

// Server is the dashboards' HTTP handler.
type Server struct {
	opts           Options
	routeByPattern map[string]Route
	csrfKey        []byte // signs the CSRF token of pages served without sign-in
	limiter        *auth.Limiter
	log            *slog.Logger
	pages          map[string]*template.Template
	mux            *http.ServeMux
	refreshMu      sync.Mutex
	cache          *resultCache
	renders        singleflight.Group // one rendering of a page at a time
	// standIn marks where a kept page's nonce and form token go.
	standIn    struct{ nonce, csrf string }
	compressed http.Handler
	last       *RefreshResult
	lastMu     sync.Mutex
}

// New parses the templates (failing fast) and wires the routes.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Logger, pages: map[string]*template.Template{}, cache: newResultCache(opts.CacheBytes)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, page := range []string{"dashboard", "error", "definitions", "finding", "login", "audit", "alerts", "closes", "settings"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboards: template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	if _, err := fs.Stat(assetsFS(), "echarts.min.js"); err != nil {
		s.log.Warn("echarts.min.js is not embedded: charts will not draw; build with `make` (it runs `make assets`)")
	}
	mux := http.NewServeMux()
	s.routeByPattern = map[string]Route{}
	for _, rt := range s.routes() {
		mux.Handle(rt.Pattern, rt.handler)
		s.routeByPattern[rt.Pattern] = rt
	}
	s.mux = mux
	compress, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		return nil, err
	}
	s.compressed = compress(http.HandlerFunc(s.serve))
	s.standIn.nonce, s.standIn.csrf = "nonce"+auth.Random(18), "csrf"+auth.Random(18)
	s.csrfKey = make([]byte, 32)
	rand.Read(s.csrfKey)
	s.limiter = auth.NewLimiter()
	if s.opts.Auth == "" {
		s.opts.Auth = config.AuthNone
	}
	if s.opts.SessionTTL == 0 {
		s.opts.SessionTTL = 12 * time.Hour
	}
	return s, nil
}

// Route is one pattern the server answers, with what it serves and who
// may ask for it.
type Route struct {
	Pattern string
	Doc     string
	// Open routes need no sign-in (health, sign-in itself, the assets).
	Open bool
	// May says whether a viewer may use the route; nil lets every signed-in
	// viewer in (what they then read is narrowed by their restriction).
	May func(v access.Viewer, r *http.Request) bool
	// Cached pages show only the data, who asks and the address: they
	// carry an ETag and answer 304 while none of those changed.
	Cached bool
	// Changes are the routes that write what pages show: after each, every
	// kept report result and ETag is of the past.
	Changes bool
	handler http.Handler
}

// Routes lists every route, for `conflux serve --help` and the README.
func Routes() []Route { return (*Server)(nil).routes() }

func may(action string) func(access.Viewer, *http.Request) bool {
	return func(v access.Viewer, _ *http.Request) bool { return v.May(action) }
}

// routes is the one list of routes; s may be nil when only the list is read.
func (s *Server) routes() []Route {
	var out []Route
	for _, d := range All() {
		d := d
		pattern := "GET " + d.Path
		if d.Path == "/" {
			pattern = "GET /{$}"
		}
		doc := d.Title
		if d.Drill {
			doc += " (drill page: ?" + strings.Join(d.Panels[0].Filters, "=&") + "=)"
		}
		out = append(out, Route{Pattern: pattern, Doc: doc, Cached: true,
			May:     func(v access.Viewer, _ *http.Request) bool { return v.MayOpen(d.Slug, d.Drill) },
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveDashboard(w, r, d) })})
	}
	h := func(pattern, doc string, may func(access.Viewer, *http.Request) bool, f func(http.ResponseWriter, *http.Request)) {
		out = append(out, Route{Pattern: pattern, Doc: doc, May: may, handler: http.HandlerFunc(f)})
	}
	open := func(pattern, doc string, f func(http.ResponseWriter, *http.Request)) {
		out = append(out, Route{Pattern: pattern, Doc: doc, Open: true, handler: http.HandlerFunc(f)})
	}
	cached := func() { out[len(out)-1].Cached = true }
	changes := func() { out[len(out)-1].Changes = true }
	h("GET /projects/{key}", "a project: its figures and every entry behind them", nil, s.handleProject)
	cached()
	h("GET /reports/weekly", "the leadership weekly as one HTML file (?week=2026-W47)",
		func(v access.Viewer, _ *http.Request) bool { return v.MayOpen("weekly", false) }, s.handleWeekly)
	cached()
	h("GET /definitions", "the metric definitions", nil, s.handleDefinitions)
	cached()
	h("GET /gaps/{key}", "one finding of the gaps ledger: its status, owner and history", nil, s.handleFinding)
	cached()
	h("POST /gaps/{key}", "decide on a finding: acknowledge, resolve, reopen, ignore (reason), snooze, assign, comment", may(access.Gaps), s.handleDecideFinding)
	changes()
	h("POST /mappings/{id}/{verb}", "accept or reject an identity suggestion (verb: accept, reject)", may(access.Mappings), s.handleDecide)
	changes()
	h("POST /refresh", "the Refresh button: sync, then build", may(access.Refresh), s.handlePageRefresh)
	changes()
	h("GET /alerts", "what the alert rules found, and the messages sent about it", func(v access.Viewer, _ *http.Request) bool { return v.MayOpen("alerts", false) }, s.handleAlerts)
	h("POST /alerts", "acknowledge, snooze or wake an alert (rule, key, action, until)", may(access.Alerts), s.handleDecideAlert)
	h("GET /outbox/", "the demo's mail and webhook messages (demo only; admins: it holds everyone's mail)", may(access.Users), s.handleOutbox)
	h("GET /closes", "the closed months, with the forms to close and reopen (finance, admin)", may(access.Close), s.handleCloses)
	h("POST /closes", "close a month, or reopen one with a reason (month, action, reason)", may(access.Close), s.handleClose)
	changes()
	h("GET /settings", "finance's inputs: costs, rate cards, project terms, milestones, targets, FX rates (finance, admin)", may(access.Inputs), s.handleSettings)
	h("POST /settings", "add, change or delete an input row (shape, id, action, the columns); written to its file, then synced and built", may(access.Inputs), s.handleSaveInput)
	changes()
	h("GET /audit", "who signed in, exported, decided, refreshed and queried (admins)", may(access.Users), s.handleAudit)
	h("GET /api/reports", "the reports and their parameters (JSON)", nil, s.handleReportList)
	h("GET /api/reports/{name}", "a report (?format=json|csv|xlsx|arrow and its parameters)", s.mayReadReport, s.handleReport)
	cached()
	h("GET /api/status", "sync status and the last refresh (JSON)", nil, s.handleStatus)
	h("POST /api/refresh", "sync and build (CLI hand-over, or an admin's API token)", may(access.Refresh), s.handleRefresh)
	changes()
	h("POST /api/query", "read-only SQL (CLI hand-over, or a finance or admin API token)", may(access.Query), s.handleQuery)
	h("POST /api/admin/{op}", "users, tokens and the audit log for the CLI (hand-over credential or an admin's token)", may(access.Users), s.handleAdmin)
	changes()
	open("GET /login", "the sign-in page", s.handleLoginPage)
	open("POST /login", "sign in with email and password", s.handleLogin)
	open("GET /auth/oidc/start", "sign in with the agency's identity provider", s.handleOIDCStart)
	open("GET /auth/oidc/callback", "where the identity provider sends the browser back", s.handleOIDCCallback)
	h("POST /logout", "sign out", nil, s.handleLogout)
	open("GET /healthz", "liveness", s.handleHealth)
	out = append(out, Route{Pattern: "GET /assets/", Doc: "the embedded echarts script", Open: true,
		handler: http.StripPrefix("/assets/", http.FileServerFS(assetsFS()))})
	return out
}

func assetsFS() fs.FS {
	assets, _ := fs.Sub(assetFS, "assets")
	return assets
}

// Refresh runs one refresh at a time and remembers the last result.
func (s *Server) Refresh(ctx context.Context, req RefreshRequest) RefreshResult {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.cache.refreshing.Store(true)
	res := s.opts.Refresh(ctx, req)
	s.lastMu.Lock()
	s.last = &res
	s.lastMu.Unlock()
	s.cache.Changed()
	s.cache.refreshing.Store(false)
	s.prepare(ctx)
	return res
}

// prepare renders each dashboard as it first opens, and the time entries
// every number leads to, so the first person to look after a refresh reads
// kept results: every viewer who sees all rows shares the reports' results,
// and with sign-in off the pages too.
func (s *Server) prepare(ctx context.Context) {
	if s.cache.maxSize < 0 || s.opts.Warehouse == nil {
		return
	}
	ctx = context.WithValue(ctx, viewerKey, access.Local)
	ctx = context.WithValue(ctx, nonceKey, s.standIn.nonce)
	ctx = context.WithValue(ctx, csrfKey, s.anonymousCSRF())
	for _, d := range All() {
		if (d.Drill && d.Slug != entries.Slug) || ctx.Err() != nil {
			continue
		}
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, d.Path, nil)
		if err != nil {
			continue
		}
		s.serveDashboard(&pageRecorder{header: http.Header{}}, r, d)
	}
}

// DataChanged tells the server the warehouse changed by another way than
// its own refresh and forms: kept report results and ETags are dropped.
func (s *Server) DataChanged() { s.cache.Changed() }

// LastRefresh is the last result, nil before the first.
func (s *Server) LastRefresh() *RefreshResult {
	s.lastMu.Lock()
	defer s.lastMu.Unlock()
	return s.last
}

// fail writes an error once and logs it once.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/plain") { // the CLI handing over
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, err.Error())
		return
	}
	w.WriteHeader(status)
	s.render(w, r, "error", errorView{pageView: s.pageView(r.Context(), "Error"), Status: status, Message: err.Error()})
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages[page].Execute(w, data); err != nil {
		s.log.Error("render", "page", page, "path", r.URL.Path, "error", err)
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	var one int
	if err := s.opts.Warehouse.DB().QueryRowContext(r.Context(), "SELECT 1").Scan(&one); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, fmt.Errorf("warehouse: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintln(w, "ok")
}

// errNoData means the marts are not built yet.
var errNoData = errors.New("no data yet: the warehouse has not been synced and built (press Refresh, or run `conflux sync` and `conflux build`)")

func (s *Server) martsReady(ctx context.Context) bool {
	return s.cache.remember("marts ready", func() any {
		var n int
		s.opts.Warehouse.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
			WHERE table_schema = 'marts' AND table_name IN ('person_week', 'project_financials')`).Scan(&n)
		return n == 2
	}).(bool)
}
