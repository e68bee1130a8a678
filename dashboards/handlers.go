package dashboards

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/conflux-dev/conflux/internal/access"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"

	"github.com/conflux-dev/conflux/internal/mappings"
)

func asParamError(err error, target **reports.ParamError) bool { return errors.As(err, target) }

var projectSummary = []Column{
	{"project", "Project", "url"}, {"client", "Client", "text"}, {"billing_model", "Billing", "billing"}, {"status", "Status", "text"},
	{"hours", "Hours", "hours"}, {"billable_h", "Billable hours", "hours"}, {"revenue", "Revenue", "money"}, {"cost", "Cost", "money"},
	{"margin", "Margin", "money"}, {"margin_pct", "Margin %", "pct"}, {"invoiced", "Invoiced", "money"}, {"wip", "WIP", "money"},
	{"budget_hours", "Budget hours", "hours"}, {"budget_amount", "Budget amount", "money"}, {"budget_used_pct", "Budget used", "pct"},
	{"currency", "Currency", "text"},
}

// handleProject is a project's page: its figures to date, then the
// project page's panels with the project as a fixed parameter.
func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := r.PathValue("key")
	if !s.martsReady(ctx) {
		s.fail(w, r, http.StatusNotFound, errNoData)
		return
	}
	q, err := s.reader(ctx)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	fin, err := q.QueryArrow(ctx, `SELECT project_name AS project, client_name AS client, billing_model, status,
		hours::DECIMAL(14,2) AS hours, billable_h::DECIMAL(14,2) AS billable_h, revenue::DECIMAL(18,2) AS revenue,
		cost_amount::DECIMAL(18,2) AS cost, margin::DECIMAL(18,2) AS margin, margin_pct, invoiced_amount::DECIMAL(18,2) AS invoiced,
		wip_amount::DECIMAL(18,2) AS wip, budget_hours, budget_amount::DECIMAL(18,2) AS budget_amount, budget_used_pct, currency, source_url
		FROM marts.project_financials WHERE project_key = ?`, key)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	defer fin.Release()
	if fin.NumRows() == 0 {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no project %q", key))
		return
	}
	d := projectPage
	view := dashboardView{Dashboard: d, Action: "/projects/" + url.PathEscape(key), Back: "/"}
	urlCol := columnIndex(fin.Schema, "source_url")
	reports.Rows(fin, func(cols []arrow.Array, i int) {
		for _, c := range projectSummary {
			cell := formatCell(cols[columnIndex(fin.Schema, c.Name)], i, c.Format)
			if c.Format == "billing" {
				cell.Text = billingLabel(cell.Text)
			}
			if c.Format == "url" {
				view.Dashboard.Title = cell.Text
				if link, _, null := reports.Cell(cols[urlCol], i); !null {
					cell.Href = link
				}
			}
			view.Summary = append(view.Summary, cell)
			view.Labels = append(view.Labels, c.Label)
		}
	})
	view.pageView = s.pageView(ctx, view.Dashboard.Title)
	view.Filters = s.filters(r, d)
	view.Filters.Project = key
	if view.Filters.AsOf == "" {
		view.Closed = s.closedMonths(ctx, view.Filters, true) // the summary is to date, live
	}
	if status, err := s.fillPanels(r, &view); err != nil {
		s.fail(w, r, status, err)
		return
	}
	s.render(w, r, "dashboard", view)
}

func (s *Server) handleReportList(w http.ResponseWriter, r *http.Request) {
	type item struct {
		Name   string          `json:"name"`
		Title  string          `json:"title"`
		Params []reports.Param `json:"params"`
		URL    string          `json:"url"`
	}
	var out []item
	v := viewerOf(r.Context())
	for _, n := range s.opts.Reports.Names() {
		probe := r.Clone(r.Context())
		probe.URL.Path = "/api/reports/" + n
		if !s.mayReadReport(v, probe) {
			continue
		}
		rep, _ := s.opts.Reports.Get(n)
		out = append(out, item{n, rep.Title, rep.Params, "/api/reports/" + n})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	params := map[string]string{}
	for k := range q {
		if k != "format" {
			params[k] = q.Get(k)
		}
	}
	if _, ok := s.opts.Reports.Get(name); !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no report named %q (GET /api/reports lists them)", name))
		return
	}
	tbl, err := s.runReport(r.Context(), name, params)
	if err != nil {
		var pe *reports.ParamError
		if errors.As(err, &pe) {
			s.fail(w, r, http.StatusBadRequest, err)
			return
		}
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	defer tbl.Release()
	switch format {
	case "json":
		w.Header().Set("Content-Type", "application/json")
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	case "arrow":
		w.Header().Set("Content-Type", "application/vnd.apache.arrow.stream")
	default:
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("format=%q: use json, csv, xlsx or arrow", format))
		return
	}
	s.audit(r, viewerOf(r.Context()).Actor(), "export", name+"."+format+" "+encodeParams(params))
	write := func() error { return reports.Write(w, tbl, format) }
	if format == "xlsx" {
		write = func() error { return reports.WriteXLSX(w, tbl, name) }
	}
	if err := write(); err != nil {
		s.log.Error("write report", "report", name, "error", err)
	}
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	pv := s.pageView(r.Context(), "")
	writeJSON(w, http.StatusOK, map[string]any{"sources": pv.Sources, "last_refresh": s.LastRefresh()})
}

// handleRefresh is the hand-over API: `conflux sync` and `conflux build`
// in another shell post here when this server holds the warehouse.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	req := RefreshRequest{Sync: true, Build: true}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			s.fail(w, r, http.StatusBadRequest, fmt.Errorf("refresh body: %w", err))
			return
		}
	}
	s.audit(r, viewerOf(r.Context()).Actor(), "refresh", fmt.Sprintf("sync=%v build=%v sources=%s", req.Sync, req.Build, strings.Join(req.Sources, ",")))
	res := s.Refresh(r.Context(), req)
	status := http.StatusOK
	if res.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
}

// handlePageRefresh is the dashboard's Refresh button.
func (s *Server) handlePageRefresh(w http.ResponseWriter, r *http.Request) {
	s.audit(r, viewerOf(r.Context()).Actor(), "refresh", "the Refresh button")
	s.Refresh(r.Context(), RefreshRequest{Sync: true, Build: true})
	back := "/"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path == "/" {
		back = ref.RequestURI()
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// QueryRequest is the body of POST /api/query.
type QueryRequest struct {
	SQL    string `json:"sql"`
	Format string `json:"format"`
}

// handleQuery runs read-only SQL for `conflux query` while this server
// holds the warehouse.
func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	var req QueryRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("query body: %w", err))
		return
	}
	start := time.Now()
	s.audit(r, viewerOf(r.Context()).Actor(), "query", req.SQL)
	tbl, err := s.opts.Warehouse.QueryReadOnly(r.Context(), req.SQL)
	var qe *warehouse.QueryError
	if errors.As(err, &qe) {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	defer tbl.Release()
	s.log.Debug("query", "rows", tbl.NumRows(), "duration", time.Since(start))
	if err := reports.Write(w, tbl, req.Format); err != nil {
		s.log.Error("write query result", "error", err)
	}
}

// handleDecide is the review queue's Accept and Reject: it writes the
// decision to mappings.yaml, rebuilds, and returns to the Ops page.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) {
	if s.opts.Mappings == "" {
		s.fail(w, r, http.StatusNotFound, errors.New("this server has no mappings.yaml to write"))
		return
	}
	id, verb := r.PathValue("id"), r.PathValue("verb")
	if verb != "accept" && verb != "reject" {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("%q: a suggestion is accepted or rejected", verb))
		return
	}
	var entity, left, right string
	err := s.opts.Warehouse.DB().QueryRowContext(r.Context(),
		`SELECT entity, left_key, right_key FROM marts.identity_review WHERE id = ?`, id).Scan(&entity, &left, &right)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("no suggestion %s in the review queue (decided already?)", id))
		return
	}
	if err := mappings.Decide(s.opts.Mappings, entity, left, right, verb == "accept"); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.log.Info("identity decision", "id", id, "verb", verb, "left", left, "right", right)
	s.audit(r, viewerOf(r.Context()).Actor(), "mapping", fmt.Sprintf("%s %s: %s = %s", verb, id, left, right))
	s.Refresh(r.Context(), RefreshRequest{Build: true})
	http.Redirect(w, r, "/ops", http.StatusSeeOther)
}

// encodeParams writes report parameters as a query string, for the audit log.
func encodeParams(params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		v.Set(k, val)
	}
	return v.Encode()
}

// mayReadReport lets a viewer fetch a report when a page they may open
// shows it: the export a panel links, and nothing the page does not show.
func (s *Server) mayReadReport(v access.Viewer, r *http.Request) bool {
	// The middleware asks before the mux has set path values.
	name := strings.TrimPrefix(r.URL.Path, "/api/reports/")
	if _, ok := s.opts.Reports.Get(name); !ok || name == "gap_history" { // the handler says 404; every finding's page
		return true
	}
	for _, d := range append(All(), projectPage) {
		if !v.MayOpen(d.Slug, d.Drill || d.Slug == projectPage.Slug) {
			continue
		}
		for _, p := range d.Panels {
			if p.Report == name {
				return true
			}
		}
	}
	// The weekly report's own reports, for those who open it.
	return v.MayOpen("weekly", false) && slices.Contains([]string{"leadership_kpis", "utilization_weekly", "capacity_weekly", "projects_at_risk", "gaps_by_check"}, name)
}
