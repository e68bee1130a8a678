package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/conflux-dev/conflux/reports/weekly"
)

type sourceStatus struct {
	Source      string
	LastSuccess string
	LastStatus  string
	LastError   string
}

type pageView struct {
	Title    string
	Org      string
	Currency string // the reporting currency, on every money axis and tooltip
	// CSRF is the token every form posts back; Nonce lets the page's own
	// scripts run under the Content-Security-Policy.
	CSRF  string
	Nonce string
	// User is who is signed in ("" when sign-in is off); Nav the pages
	// they may open; SignedOut hides both on the sign-in page.
	User      string
	Role      string
	Nav       []link
	SignedOut bool
	Sources   []sourceStatus
	Refresh   *RefreshResult
}

type errorView struct {
	pageView
	Status  int
	Message string
}

type filterView struct {
	From, To, Team, Client, Currency string
	// AsOf shows each month as the pages showed it at the end of that day
	// (closed months from their snapshot of then).
	AsOf string
	// Set by drill links, not offered as choices.
	Person, Project, Delivery, Tentative, Overdue string
	// The gaps ledger's: a workflow status and an owner.
	Status, Owner                      string
	Teams, Clients, Currencies, Owners []string
}

type panelView struct {
	Panel
	Chart   template.HTML
	Script  template.HTML
	Table   *tableView
	Exports []link
	// Covers says which dates the panel counts when its grain widened the
	// page's period ("whole months, 1 Aug – 30 Nov 2026").
	Covers string
	// DrillLinks maps each series' label to the drill page of each point,
	// as JSON for the page's script ("" when the chart has none).
	DrillLinks string
	Empty      bool
}

type link struct{ Label, URL string }

type tableView struct {
	Headers []Column
	Rows    [][]cellView
	Totals  []cellView // nil when the panel has no totals row
	Count   int        // rows in the whole result, not only this page
	Page    int
	Pages   int
	Prev    string
	Next    string
	CSRF    string // for the review queue's buttons
}

// First and Last number the rows this page shows, from 1.
func (t *tableView) First() int { return (t.Page-1)*drillPageSize + 1 }
func (t *tableView) Last() int  { return t.First() + len(t.Rows) - 1 }

type cellView struct {
	Text    string
	Title   string // shown on hover
	Href    string
	Class   string
	Actions []cellAction // buttons posting to URL with the page's token
}

type cellAction struct {
	Label, URL string
}

type dashboardView struct {
	pageView
	Dashboard Dashboard
	Action    string // where the filter form goes
	// Summary and Labels are a project page's figures; Back its way back.
	Summary []cellView
	Labels  []string
	Back    string
	Filters filterView
	Panels  []panelView
	NoData  string
	// Closed are the closed months the page's period covers, shown as
	// closed, with the changes since each close.
	Closed []string
}

var funcs = template.FuncMap{
	// statuses are the gaps ledger's views, value and label.
	"statuses": func() [][2]string {
		return [][2]string{{"open", "Open"}, {"acknowledged", "Acknowledged"}, {"snoozed", "Snoozed"}, {"ignored", "Ignored"}, {"resolved", "Resolved"}, {"all", "All"}}
	},
	"pathEscape": url.PathEscape,
	// dict passes several values to a template: dict "Key" value ….
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

func (s *Server) pageView(ctx context.Context, title string) pageView {
	v := viewerOf(ctx)
	pv := pageView{Title: title, Org: s.opts.Org, CSRF: csrfOf(ctx), Nonce: nonceOf(ctx), Refresh: s.LastRefresh(), Role: v.Role}
	if v.Email != "" {
		pv.User = v.Email
	}
	for _, n := range navigation {
		if v.MayOpen(n.slug, false) {
			pv.Nav = append(pv.Nav, link{Label: n.label, URL: n.path})
		}
	}
	facts := s.cache.remember("page facts", func() any { return s.pageFacts(ctx) }).(pageFacts)
	pv.Currency, pv.Sources = facts.currency, facts.sources
	return pv
}

// pageFacts is what every page's header shows of the data: the reporting
// currency and each source's last sync.
type pageFacts struct {
	currency string
	sources  []sourceStatus
}

func (s *Server) pageFacts(ctx context.Context) pageFacts {
	var pv pageFacts
	s.opts.Warehouse.DB().QueryRowContext(ctx, `SELECT currency FROM seeds.org`).Scan(&pv.currency)
	rows, err := s.opts.Warehouse.DB().QueryContext(ctx, `SELECT source,
		coalesce(strftime(min(last_ok), '%Y-%m-%d %H:%M UTC'), 'never'), bool_and(last_status = 'ok'), coalesce(max(last_error), '')
		FROM (SELECT source, stream, max(finished_at) FILTER (WHERE status = 'ok') AS last_ok,
			arg_max(status, started_at) AS last_status, arg_max(error, started_at) AS last_error
			FROM meta.sync_runs GROUP BY source, stream)
		GROUP BY source ORDER BY source`)
	if err != nil {
		return pv
	}
	defer rows.Close()
	for rows.Next() {
		var st sourceStatus
		var ok bool
		rows.Scan(&st.Source, &st.LastSuccess, &ok, &st.LastError)
		st.LastStatus = "ok"
		if !ok {
			st.LastStatus = "failed"
		}
		pv.sources = append(pv.sources, st)
	}
	return pv
}

func strings1(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
}, err error) []string {
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if rows.Scan(&v) == nil {
			out = append(out, v)
		}
	}
	return out
}

type definitionsView struct {
	pageView
	Body template.HTML
}

func (s *Server) handleDefinitions(w http.ResponseWriter, r *http.Request) {
	if s.opts.Definitions == "" {
		http.NotFound(w, r)
		return
	}
	s.render(w, r, "definitions", definitionsView{pageView: s.pageView(r.Context(), "Metric definitions"), Body: s.opts.Definitions})
}

// handleWeekly serves the leadership weekly as one self-contained HTML file
// (?week=2026-W47; default the last week with time logged), the same file
// `conflux report weekly` writes.
func (s *Server) handleWeekly(w http.ResponseWriter, r *http.Request) {
	o := weekly.Options{Org: s.opts.Org, Now: time.Now()}
	if v := r.URL.Query().Get("week"); v != "" {
		monday, err := weekly.ParseISOWeek(v)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, err)
			return
		}
		o.Week = monday
	}
	s.opts.Warehouse.DB().QueryRowContext(r.Context(), `SELECT currency FROM seeds.org`).Scan(&o.Currency)
	reader, err := s.reader(r.Context())
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	body, err := weekly.Render(r.Context(), weekly.Local(s.opts.Reports, reader), o)
	if errors.Is(err, weekly.ErrNoTime) {
		s.fail(w, r, http.StatusNotFound, err)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="leadership-weekly.html"`)
	}
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// navigation is the header's pages, each shown to those who may open it.
var navigation = []struct{ slug, label, path string }{
	{"overview", "Overview", "/"}, {"leadership", "Leadership", "/leadership"}, {"finance", "Finance", "/finance"},
	{"capacity", "Capacity", "/capacity"}, {"ops", "Ops", "/ops"}, {"alerts", "Alerts", "/alerts"}, {"definitions", "Definitions", "/definitions"}, {"settings", "Settings", "/settings"}, {"audit", "Audit", "/audit"},
}
