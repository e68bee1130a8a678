package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
	"github.com/conflux-dev/conflux/reports/weekly"
)

type sourceStatus struct {
	Source      string
	LastSuccess string
	LastStatus  string
	LastError   string
}

type pageView struct {
	Title   string
	Org     string
	Token   string
	Sources []sourceStatus
	Refresh *RefreshResult
}

type errorView struct {
	pageView
	Status  int
	Message string
}

type filterView struct {
	From, To, Team, Client, Currency string
	Person, Project                  string // set by drill links, not offered as choices
	Teams, Clients, Currencies       []string
}

type panelView struct {
	Panel
	Chart   template.HTML
	Script  template.HTML
	Table   *tableView
	Export  string // query string for the export links
	Empty   bool
	Message string
}

type tableView struct {
	Headers []Column
	Rows    [][]cellView
}

type cellView struct {
	Text    string
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
	Filters   filterView
	Panels    []panelView
	NoData    string
}

type projectView struct {
	pageView
	Key     string
	Summary []cellView
	Labels  []string
	Entries *tableView
	Export  string
	Count   int
}

var funcs = template.FuncMap{
	"pathEscape": url.PathEscape,
}

func (s *Server) pageView(ctx context.Context, title string) pageView {
	pv := pageView{Title: title, Org: s.opts.Org, Token: s.opts.Token, Refresh: s.LastRefresh()}
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
		pv.Sources = append(pv.Sources, st)
	}
	return pv
}

func (s *Server) filters(r *http.Request) filterView {
	q := r.URL.Query()
	f := filterView{From: q.Get("from"), To: q.Get("to"), Team: q.Get("team"), Client: q.Get("client"), Currency: q.Get("currency"),
		Person: q.Get("person"), Project: q.Get("project")}
	db := s.opts.Warehouse.DB()
	if f.From == "" && f.To == "" && !q.Has("from") && !q.Has("to") {
		// Default: the last 13 complete weeks of data.
		var last time.Time
		if err := db.QueryRowContext(r.Context(), `SELECT max(week_start) FROM marts.person_week WHERE worked_h > 0`).Scan(&last); err == nil {
			f.To = last.Format(time.DateOnly)
			f.From = last.AddDate(0, 0, -7*12).Format(time.DateOnly)
		}
	}
	f.Teams = strings1(db.QueryContext(r.Context(), `SELECT DISTINCT team FROM core.people WHERE team IS NOT NULL ORDER BY 1`))
	f.Clients = strings1(db.QueryContext(r.Context(), `SELECT DISTINCT client_name FROM marts.project_financials WHERE billing_model <> 'non_billable' ORDER BY 1`))
	f.Currencies = strings1(db.QueryContext(r.Context(), `SELECT DISTINCT currency FROM core.clients WHERE currency IS NOT NULL ORDER BY 1`))
	return f
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

func (f filterView) params(names []string) map[string]string {
	all := map[string]string{"from": f.From, "to": f.To, "team": f.Team, "client": f.Client, "currency": f.Currency,
		"person": f.Person, "project": f.Project}
	out := map[string]string{}
	for _, n := range names {
		if v := all[n]; v != "" {
			out[n] = v
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
	body, err := weekly.Render(r.Context(), weekly.Local(s.opts.Reports, s.opts.Warehouse), o)
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

func (s *Server) serveDashboard(w http.ResponseWriter, r *http.Request, d Dashboard) {
	ctx := r.Context()
	view := dashboardView{pageView: s.pageView(ctx, d.Title), Dashboard: d}
	if !s.martsReady(ctx) {
		view.NoData = errNoData.Error()
		s.render(w, r, "dashboard", view)
		return
	}
	view.Filters = s.filters(r)
	for _, p := range d.Panels {
		params := view.Filters.params(p.Filters)
		pv := panelView{Panel: p, Export: encode(params)}
		tbl, err := s.opts.Reports.Run(ctx, s.opts.Warehouse, p.Report, params)
		if err != nil {
			var pe *reports.ParamError
			if asParamError(err, &pe) {
				s.fail(w, r, http.StatusBadRequest, err)
				return
			}
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		if tbl.NumRows() == 0 {
			pv.Empty = true
		} else if p.Kind == "table" {
			pv.Table = buildTable(p.Columns, tbl, s.opts.Mappings != "", view.Filters.period())
		} else {
			el, script, err := renderChart(p, tbl)
			if err != nil {
				tbl.Release()
				s.fail(w, r, http.StatusInternalServerError, err)
				return
			}
			pv.Chart, pv.Script = template.HTML(el), template.HTML(script)
		}
		tbl.Release()
		view.Panels = append(view.Panels, pv)
	}
	s.render(w, r, "dashboard", view)
}

func encode(params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		v.Set(k, val)
	}
	return v.Encode()
}

func columnIndex(tbl interface{ Fields() []arrow.Field }, name string) int {
	for i, f := range tbl.Fields() {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func formatCell(c arrow.Array, i int, format string) cellView {
	text, _, null := reports.Cell(c, i)
	if null {
		return cellView{Text: "—", Class: "null"}
	}
	switch format {
	case "money":
		return cellView{Text: money(reports.Float(c, i)), Class: "num" + negClass(reports.Float(c, i))}
	case "hours":
		return cellView{Text: fmt.Sprintf("%.2f", reports.Float(c, i)), Class: "num"}
	case "pct":
		v := reports.Float(c, i)
		return cellView{Text: fmt.Sprintf("%.1f%%", v*100), Class: "num" + negClass(v)}
	}
	return cellView{Text: text}
}

func negClass(v float64) string {
	if v < 0 {
		return " neg"
	}
	return ""
}

// money formats with thousands separators and two decimals.
func money(v float64) string { return reports.Grouped(v, 2) }

// period is the page's from/to, carried into drill links.
func (f filterView) period() url.Values {
	v := url.Values{}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	return v
}

func buildTable(cols []Column, tbl *warehouse.Table, actions bool, period url.Values) *tableView {
	tv := &tableView{Headers: cols}
	idx := make([]int, len(cols))
	for k, c := range cols {
		idx[k] = columnIndex(tbl.Schema, c.Name)
	}
	keyCol := columnIndex(tbl.Schema, "project_key")
	weekCol := columnIndex(tbl.Schema, "week_start")
	reports.Rows(tbl, func(arrs []arrow.Array, i int) {
		row := make([]cellView, len(cols))
		for k, c := range cols {
			if idx[k] < 0 {
				row[k] = cellView{Text: "?"}
				continue
			}
			row[k] = formatCell(arrs[idx[k]], i, c.Format)
			switch c.Format {
			case "project":
				if keyCol >= 0 {
					key, _, _ := reports.Cell(arrs[keyCol], i)
					row[k].Href = "/projects/" + url.PathEscape(key)
				}
			case "review":
				if actions && row[k].Class != "null" {
					id := url.PathEscape(row[k].Text)
					row[k].Actions = []cellAction{{"Accept", "/mappings/" + id + "/accept"}, {"Reject", "/mappings/" + id + "/reject"}}
				}
			case "url":
				if row[k].Class != "null" {
					row[k].Href, row[k].Text = row[k].Text, "open"
				}
			case "kpi":
				row[k].Href = kpiDrill(row[k].Text, arrs, weekCol, i)
			case "client", "team", "person":
				if row[k].Class != "null" && row[k].Text != "" {
					q := url.Values{}
					for key, v := range period {
						q[key] = v
					}
					q.Set(c.Format, row[k].Text)
					row[k].Href = "/entries?" + q.Encode()
				}
			}
		}
		tv.Rows = append(tv.Rows, row)
	})
	return tv
}

// kpiDrill links a leadership KPI to the rows behind it: the week's entries
// for utilization, revenue and margin, the open deals for the pipeline, the
// gaps for the money at stake.
func kpiDrill(kpi string, arrs []arrow.Array, weekCol, i int) string {
	switch {
	case strings.HasPrefix(kpi, "Pipeline"):
		return "/deals"
	case strings.HasPrefix(kpi, "Open gaps"):
		return "/ops"
	case weekCol >= 0:
		text, _, null := reports.Cell(arrs[weekCol], i)
		monday, err := time.Parse(time.DateOnly, text)
		if null || err != nil {
			return ""
		}
		return "/entries?from=" + monday.Format(time.DateOnly) + "&to=" + monday.AddDate(0, 0, 6).Format(time.DateOnly)
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
