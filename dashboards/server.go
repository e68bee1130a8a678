package dashboards

import (
	"context"
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
	// Token guards POST /api/refresh for CLI hand-over and the page's button.
	Token  string
	Org    string
	Logger *slog.Logger
	// Mappings is the mappings.yaml the review queue's Accept and Reject
	// buttons write; empty hides them.
	Mappings string
	// Definitions is the metric-definition page (internal/docs), shown at
	// /definitions; empty hides it.
	Definitions template.HTML
}

// Server is the dashboards' HTTP handler.
type Server struct {
	opts      Options
	log       *slog.Logger
	pages     map[string]*template.Template
	mux       *http.ServeMux
	refreshMu sync.Mutex
	last      *RefreshResult
	lastMu    sync.Mutex
}

// New parses the templates (failing fast) and wires the routes.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Logger, pages: map[string]*template.Template{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, page := range []string{"dashboard", "project", "error", "definitions"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboards: template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	assets, _ := fs.Sub(assetFS, "assets")
	if _, err := fs.Stat(assets, "echarts.min.js"); err != nil {
		s.log.Warn("echarts.min.js is not embedded: charts will not draw; build with `make` (it runs `make assets`)")
	}
	mux := http.NewServeMux()
	for _, d := range All() {
		pattern := "GET " + d.Path
		if d.Path == "/" {
			pattern = "GET /{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serveDashboard(w, r, d) })
	}
	mux.HandleFunc("GET /reports/weekly", s.handleWeekly)
	mux.HandleFunc("GET /definitions", s.handleDefinitions)
	mux.HandleFunc("POST /mappings/{id}/{verb}", s.handleDecide)
	mux.HandleFunc("GET /projects/{key}", s.handleProject)
	mux.HandleFunc("GET /api/reports", s.handleReportList)
	mux.HandleFunc("GET /api/reports/{name}", s.handleReport)
	mux.HandleFunc("GET /api/status", s.handleStatus)
	mux.HandleFunc("POST /api/refresh", s.handleRefresh)
	mux.HandleFunc("POST /refresh", s.handlePageRefresh)
	mux.HandleFunc("POST /api/query", s.handleQuery)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	s.mux = mux
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// Refresh runs one refresh at a time and remembers the last result.
func (s *Server) Refresh(ctx context.Context, req RefreshRequest) RefreshResult {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	res := s.opts.Refresh(ctx, req)
	s.lastMu.Lock()
	s.last = &res
	s.lastMu.Unlock()
	return res
}

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
	var n int
	s.opts.Warehouse.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'marts' AND table_name IN ('person_week', 'project_financials')`).Scan(&n)
	return n == 2
}
