package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/conflux-dev/conflux/internal/access"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

// drillPageSize is how many rows a drill page shows at once; its totals
// row and exports cover every row.
const drillPageSize = 500

// filters reads the page's filters. Without a period the page shows the
// last 13 whole weeks with time logged, Monday to Sunday.
func (s *Server) filters(r *http.Request, d Dashboard) filterView {
	q := r.URL.Query()
	f := filterView{From: q.Get("from"), To: q.Get("to"), Team: q.Get("team"), Client: q.Get("client"), Currency: q.Get("currency"),
		Person: q.Get("person"), Project: q.Get("project"), Delivery: q.Get("delivery"), Tentative: q.Get("tentative"),
		Status: q.Get("status"), Owner: q.Get("owner"), Overdue: q.Get("overdue")}
	if d, err := time.Parse(time.DateOnly, q.Get("as_of")); err == nil {
		f.AsOf = d.Format(time.DateOnly)
	}
	if f.From == "" && f.To == "" && !q.Has("from") && !q.Has("to") && !d.ToDate {
		if last := s.lastWeekWithTime(r.Context()); !last.IsZero() {
			f.To = last.AddDate(0, 0, 6).Format(time.DateOnly)
			f.From = last.AddDate(0, 0, -7*12).Format(time.DateOnly)
		}
	}
	ctx := r.Context()
	f.Teams = s.queryStrings(ctx, `SELECT DISTINCT team FROM core.people WHERE team IS NOT NULL ORDER BY 1`)
	f.Clients = s.queryStrings(ctx, `SELECT DISTINCT client_name FROM marts.project_financials WHERE billing_model <> 'non_billable' AND client_name IS NOT NULL ORDER BY 1`)
	f.Currencies = s.queryStrings(ctx, `SELECT DISTINCT currency FROM core.clients WHERE currency IS NOT NULL ORDER BY 1`)
	if d.Uses("owner") {
		f.Owners = s.queryStrings(ctx, `SELECT DISTINCT coalesce(owner_override, owner) FROM workflow.gap_state WHERE coalesce(owner_override, owner) IS NOT NULL ORDER BY 1`)
	}
	return f
}

// lastWeekWithTime is the Monday of the last week anyone logged time in.
func (s *Server) lastWeekWithTime(ctx context.Context) time.Time {
	return s.cache.remember("last week with time", func() any {
		var last time.Time
		if err := s.opts.Warehouse.DB().QueryRowContext(ctx, `SELECT max(week_start) FROM marts.person_week WHERE worked_h > 0`).Scan(&last); err != nil {
			return time.Time{}
		}
		return last
	}).(time.Time)
}

func (f filterView) values() map[string]string {
	return map[string]string{"from": f.From, "to": f.To, "team": f.Team, "client": f.Client, "currency": f.Currency,
		"person": f.Person, "project": f.Project, "delivery": f.Delivery, "tentative": f.Tentative,
		"status": f.Status, "owner": f.Owner, "overdue": f.Overdue}
}

// Chips are the drill-only filters a page was opened with, for display.
func (f filterView) Chips() []link {
	var out []link
	for _, c := range []struct{ label, name, value string }{
		{"Person", "person", f.Person}, {"Project", "project", f.Project},
		{"Delivery staff only", "delivery", f.Delivery}, {"Tentative", "tentative", f.Tentative}, {"Overdue only", "overdue", f.Overdue},
	} {
		if c.value == "" {
			continue
		}
		text := c.label + ": " + c.value
		if c.name == "delivery" || c.name == "overdue" {
			text = c.label
		}
		out = append(out, link{Label: text, URL: c.name + "=" + c.value})
	}
	return out
}

// Hidden are the drill-only filters as name/value pairs the filter form
// carries along.
func (f filterView) Hidden() [][2]string {
	var out [][2]string
	for _, k := range []string{"person", "project", "delivery", "tentative", "overdue"} {
		if v := f.values()[k]; v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// panelParams are the report parameters of panel p under the page's
// filters, and the period the panel covers, widened to whole months when
// its grain is a month.
func panelParams(p Panel, f filterView) (map[string]string, period, string) {
	all := f.values()
	params := map[string]string{}
	for k, v := range p.Params {
		params[k] = v
	}
	for _, n := range p.Filters {
		if v := all[n]; v != "" {
			params[n] = v
		}
	}
	if f.AsOf != "" {
		params[reports.AsOf] = f.AsOf
	}
	if !slices.Contains(p.Filters, "from") {
		return params, period{}, ""
	}
	asked := parsePeriod(f.From, f.To)
	covers := asked
	note := ""
	if p.Grain == "month" {
		covers = asked.wholeMonths()
		if covers != asked {
			note = "Whole months: " + covers.String() + ". The period cuts a month, and this panel counts whole calendar months; its links open the same months."
		}
	}
	covers.set(params)
	return params, covers, note
}

// exportLinks are a panel's CSV, XLSX and JSON downloads with the very
// parameters the panel ran with, so each export holds what the panel shows.
func exportLinks(report string, params map[string]string) []link {
	var out []link
	for _, format := range []string{"csv", "xlsx", "json"} {
		v := url.Values{}
		for k, val := range params {
			v.Set(k, val)
		}
		v.Set("format", format)
		out = append(out, link{Label: strings.ToUpper(format), URL: "/api/reports/" + report + "?" + v.Encode()})
	}
	return out
}

// drillURL is the address of target (a drill page, or /projects) showing
// the rows behind a number: the panel's parameters that the target takes,
// then the point's own.
func drillURL(target string, base, point map[string]string) string {
	if target == "/projects" {
		if key := point["project"]; key != "" {
			return "/projects/" + url.PathEscape(key)
		}
		return ""
	}
	d, ok := drillPage(target)
	if !ok {
		return ""
	}
	v := url.Values{}
	for _, m := range []map[string]string{base, point} {
		for k, val := range m {
			if d.Uses(k) && val != "" {
				v.Set(k, val)
			}
		}
	}
	if d.Uses("from") && !v.Has("from") && !v.Has("to") {
		// A number to date opens all dates, not the page's default weeks.
		v.Set("from", "")
		v.Set("to", "")
	}
	return target + "?" + v.Encode()
}

// pointParams are the parameters that single out row i of a chart's report:
// its week or month (inside the period the panel covers), person, client,
// or project.
func pointParams(p Panel, tbl *warehouse.Table, cols []arrow.Array, i int, covers period) map[string]string {
	cell := func(name string) string {
		c := columnIndex(tbl.Schema, name)
		if c < 0 {
			return ""
		}
		text, _, null := reports.Cell(cols[c], i)
		if null {
			return ""
		}
		return text
	}
	out := map[string]string{}
	dates := func(pp period) {
		pp = pp.intersect(covers)
		pp.set(out)
	}
	switch p.Drill {
	case "week", "person_week":
		monday, err := time.Parse(time.DateOnly, cell("week_start"))
		if err != nil {
			return nil
		}
		dates(week(monday))
		if p.Drill == "person_week" {
			out["person"] = cell(p.Y)
		}
	case "month", "client_month":
		first, err := time.Parse(time.DateOnly, cell("month"))
		if err != nil {
			return nil
		}
		dates(month(first))
		if p.Drill == "client_month" {
			out["client"] = cell(p.Y)
		}
	case "person", "client":
		out[p.Drill] = cell(p.X)
	case "project":
		out["project"] = cell("project_key")
	}
	return out
}

// chartLinks is, for each series, the drill address of each point the
// chart draws (heatmaps: of each cell, under the key "cell").
func chartLinks(p Panel, tbl *warehouse.Table, params map[string]string, covers period) string {
	if p.Drill == "" {
		return ""
	}
	base := map[string]string{}
	for k, v := range params {
		base[k] = v
	}
	for k, v := range p.DrillParams {
		base[k] = v
	}
	links := map[string][]string{}
	n := 0
	shown := p.Limit
	if p.Others && p.Limit > 0 && tbl.NumRows() > p.Limit {
		shown = p.Limit - 1
	}
	reports.Rows(tbl, func(cols []arrow.Array, i int) {
		if p.Kind != "heatmap" && shown > 0 && n >= shown {
			if n == shown && p.Others { // Others: many rows, no one page
				for _, s := range p.Series {
					links[s.Label] = append(links[s.Label], "")
				}
				n++
			}
			return
		}
		n++
		point := pointParams(p, tbl, cols, i, covers)
		if p.Kind == "heatmap" {
			links["cell"] = append(links["cell"], drillURL(p.drillTarget(p.Series[0].Column), base, point))
			return
		}
		for _, s := range p.Series {
			to := p.drillTarget(s.Column)
			u := ""
			if to != "" && point != nil {
				u = drillURL(to, base, point)
			}
			links[s.Label] = append(links[s.Label], u)
		}
	})
	b, _ := json.Marshal(links)
	return string(b)
}

// serveDashboard serves a dashboard or drill page from the page cache: a
// page rendered once per data version for each viewer and address, with
// stand-ins where each response's script nonce and form token go.
func (s *Server) serveDashboard(w http.ResponseWriter, r *http.Request, d Dashboard) {
	if s.cache.maxSize < 0 {
		s.renderDashboard(w, r, d)
		return
	}
	version := s.cache.Version()
	key := version + "\x00page\x00" + s.viewerKey(r.Context()) + "\x00" + r.URL.RequestURI()
	body, ok := s.cache.getPage(key)
	if !ok {
		// Viewers asking for the same page at once wait for one rendering.
		v, _, _ := s.renders.Do(key, func() (any, error) {
			ctx := context.WithValue(context.WithoutCancel(r.Context()), nonceKey, s.standIn.nonce)
			ctx = context.WithValue(ctx, csrfKey, s.standIn.csrf)
			rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
			s.renderDashboard(rec, r.WithContext(ctx), d)
			if rec.status != http.StatusOK {
				return nil, nil
			}
			s.cache.putPage(version, key, rec.body.Bytes())
			return rec.body.Bytes(), nil
		})
		if body, ok = v.([]byte); !ok {
			// Not kept: a failure is rendered again, for this response.
			s.renderDashboard(w, r, d)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	writeReplacing(w, body, []byte(s.standIn.nonce), []byte(nonceOf(r.Context())),
		[]byte(s.standIn.csrf), []byte(html.EscapeString(csrfOf(r.Context()))))
}

// writeReplacing writes page to w with every a replaced by withA and
// every b by withB, in pieces: the kept page is neither copied nor changed.
func writeReplacing(w io.Writer, page, a, withA, b, withB []byte) {
	// next is where the next old value starts in page (-1: none left).
	next := func(old []byte, from int) int {
		if i := bytes.Index(page[from:], old); i >= 0 {
			return from + i
		}
		return -1
	}
	at, i, j := 0, next(a, 0), next(b, 0)
	for i >= 0 || j >= 0 {
		if j < 0 || (i >= 0 && i < j) {
			w.Write(page[at:i])
			w.Write(withA)
			at = i + len(a)
			i = next(a, at)
		} else {
			w.Write(page[at:j])
			w.Write(withB)
			at = j + len(b)
			j = next(b, at)
		}
	}
	w.Write(page[at:])
}

// pageRecorder keeps a rendered page.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header         { return p.header }
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageRecorder) WriteHeader(status int)      { p.status = status }

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, d Dashboard) {
	view := dashboardView{pageView: s.pageView(r.Context(), d.Title), Dashboard: d, Action: d.Path}
	if !s.martsReady(r.Context()) {
		view.NoData = errNoData.Error()
		s.render(w, r, "dashboard", view)
		return
	}
	view.Filters = s.filters(r, d)
	if view.Filters.AsOf == "" {
		view.Closed = s.closedMonths(r.Context(), view.Filters, d.Drill && s.readsLive(d))
	}
	if status, err := s.fillPanels(r, &view); err != nil {
		s.fail(w, r, status, err)
		return
	}
	s.render(w, r, "dashboard", view)
}

// fillPanels runs each panel's report under the view's filters and turns
// it into a chart or a table; a bad parameter is the caller's 400.
func (s *Server) fillPanels(r *http.Request, view *dashboardView) (int, error) {
	ctx := r.Context()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	for _, p := range view.Dashboard.Panels {
		params, covers, note := panelParams(p, view.Filters)
		pv := panelView{Panel: p, Exports: exportLinks(p.Report, params), Covers: note}
		tbl, err := s.runReport(ctx, p.Report, params)
		if err != nil {
			var pe *reports.ParamError
			if asParamError(err, &pe) {
				return http.StatusBadRequest, err
			}
			return http.StatusInternalServerError, err
		}
		if tbl.NumRows() == 0 {
			pv.Empty = true
		} else if p.Kind == "table" {
			tv := tableSpec{panel: p, params: params, actions: s.opts.Mappings != "" && viewerOf(ctx).May(access.Mappings), pageSize: p.PageSize, currency: view.Currency}
			if view.Dashboard.Drill {
				tv.pageSize = drillPageSize
			}
			if tv.pageSize > 0 {
				tv.page, tv.self = page, r.URL
			}
			pv.Table = tv.build(tbl)
			pv.Table.CSRF = view.CSRF
		} else {
			el, script, err := renderChart(p, tbl, view.Currency)
			if err != nil {
				tbl.Release()
				return http.StatusInternalServerError, err
			}
			pv.Chart, pv.Script = template.HTML(el), template.HTML(safeScript(script, view.Nonce))
			pv.DrillLinks = chartLinks(p, tbl, params, covers)
		}
		tbl.Release()
		view.Panels = append(view.Panels, pv)
	}
	return http.StatusOK, nil
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
	if v := reports.Float(c, i); formatsNumber(format) {
		return formatNumber(v, format)
	}
	return cellView{Text: text}
}

func formatsNumber(format string) bool {
	return format == "money" || format == "rate" || format == "hours" || format == "pct"
}

func formatNumber(v float64, format string) cellView {
	if math.IsNaN(v) {
		return cellView{Text: "—", Class: "null"}
	}
	switch format {
	case "hours":
		return cellView{Text: reports.Grouped(v, 2), Class: "num"}
	case "pct":
		return cellView{Text: fmt.Sprintf("%.1f%%", v*100), Class: "num" + negClass(v)}
	}
	return cellView{Text: money(v), Class: "num" + negClass(v)}
}

func negClass(v float64) string {
	if v < 0 {
		return " neg"
	}
	return ""
}

// money formats with thousands separators and two decimals.
func money(v float64) string { return reports.Grouped(v, 2) }

// tableSpec says how to turn a report into a table: the panel's columns,
// the parameters its links carry, and the page of rows to show.
type tableSpec struct {
	panel    Panel
	params   map[string]string
	actions  bool
	pageSize int // 0: every row
	page     int
	self     *url.URL
	currency string // the reporting currency, for money headings
}

func (ts tableSpec) build(tbl *warehouse.Table) *tableView {
	cols := ts.panel.Columns
	tv := &tableView{Headers: cols, Count: int(tbl.NumRows()), Page: 1, Pages: 1}
	if ts.currency != "" && !slices.ContainsFunc(cols, func(c Column) bool { return c.Name == "currency" }) {
		// Amounts are in the reporting currency: the headings say which.
		tv.Headers = slices.Clone(cols)
		for k, c := range tv.Headers {
			if c.Format == "money" && c.Label != "" {
				tv.Headers[k].Label += " (" + ts.currency + ")"
			}
		}
	}
	first, last := 0, tv.Count
	if ts.pageSize > 0 {
		tv.Pages = max(1, (tv.Count+ts.pageSize-1)/ts.pageSize)
		tv.Page = min(max(ts.page, 1), tv.Pages)
		first = (tv.Page - 1) * ts.pageSize
		last = min(first+ts.pageSize, tv.Count)
		if tv.Page > 1 {
			tv.Prev = pageURL(ts.self, tv.Page-1)
		}
		if tv.Page < tv.Pages {
			tv.Next = pageURL(ts.self, tv.Page+1)
		}
	}
	idx := make([]int, len(cols))
	for k, c := range cols {
		idx[k] = columnIndex(tbl.Schema, c.Name)
	}
	sums := make([]float64, len(cols))
	byName := map[string]float64{}
	keyCol := columnIndex(tbl.Schema, "project_key")
	drillCol := columnIndex(tbl.Schema, "drill")
	codeCol := columnIndex(tbl.Schema, "check_id")
	totalOf := make([]int, len(cols))
	for k, c := range cols {
		totalOf[k] = idx[k]
		if other, ok := ts.panel.TotalOf[c.Name]; ok {
			totalOf[k] = columnIndex(tbl.Schema, other)
		}
	}
	base := map[string]string{}
	for k, v := range ts.params {
		base[k] = v
	}
	for k, v := range ts.panel.DrillParams {
		base[k] = v
	}
	row := -1
	reports.Rows(tbl, func(arrs []arrow.Array, i int) {
		row++
		for k, c := range cols {
			if totalOf[k] >= 0 && (c.Format == "money" || c.Format == "hours") {
				if v := reports.Float(arrs[totalOf[k]], i); !math.IsNaN(v) {
					sums[k] += v
				}
			}
		}
		if row < first || row >= last {
			return
		}
		cells := make([]cellView, len(cols))
		for k, c := range cols {
			if idx[k] < 0 {
				cells[k] = cellView{Text: "?"}
				continue
			}
			cells[k] = formatCell(arrs[idx[k]], i, c.Format)
			switch c.Format {
			case "project":
				if keyCol >= 0 {
					if key, _, null := reports.Cell(arrs[keyCol], i); !null {
						cells[k].Href = "/projects/" + url.PathEscape(key)
					}
				}
			case "review":
				if ts.actions && cells[k].Class != "null" {
					id := url.PathEscape(cells[k].Text)
					cells[k].Actions = []cellAction{{"Accept", "/mappings/" + id + "/accept"}, {"Reject", "/mappings/" + id + "/reject"}}
				}
			case "url":
				if cells[k].Class != "null" {
					cells[k].Href, cells[k].Text = cells[k].Text, "open"
				}
			case "drill":
				if drillCol >= 0 {
					if href, _, null := reports.Cell(arrs[drillCol], i); !null && strings.HasPrefix(href, "/") {
						cells[k].Href = href
						if c.Name == "drill" {
							cells[k].Text, cells[k].Class = "details", ""
						}
					}
				}
			case "check":
				if codeCol >= 0 {
					cells[k].Title, _, _ = reports.Cell(arrs[codeCol], i)
				}
			case "wrap":
				cells[k].Class = "wrap"
			case "billing":
				cells[k].Text = billingLabel(cells[k].Text)
			case "bookings":
				if cells[k].Class != "null" && cells[k].Text != "" {
					point := map[string]string{"person": cells[k].Text}
					for _, b := range []string{"from_date", "to_date"} {
						if c := columnIndex(tbl.Schema, b); c >= 0 {
							point[strings.TrimSuffix(b, "_date")], _, _ = reports.Cell(arrs[c], i)
						}
					}
					cells[k].Href = drillURL("/bookings", base, point)
				}
			case "receivables":
				if cells[k].Class != "null" && cells[k].Text != "" {
					cells[k].Href = drillURL("/receivables", base, map[string]string{"client": cells[k].Text})
				}
			case "client", "team", "person":
				if cells[k].Class != "null" && cells[k].Text != "" {
					cells[k].Href = drillURL("/entries", base, map[string]string{c.Format: cells[k].Text})
				}
			}
		}
		tv.Rows = append(tv.Rows, cells)
	})
	if ts.panel.Totals {
		for k, c := range cols {
			byName[c.Name] = sums[k]
		}
		tv.Totals = make([]cellView, len(cols))
		for k, c := range cols {
			switch {
			case c.Format == "money" || c.Format == "hours":
				tv.Totals[k] = formatNumber(sums[k], c.Format)
			case ts.panel.Ratios[c.Name] != [2]string{}:
				r := ts.panel.Ratios[c.Name]
				if den := byName[r[1]]; den != 0 {
					tv.Totals[k] = formatNumber(byName[r[0]]/den, "pct")
				}
			}
		}
		label := fmt.Sprintf("Total (%s rows)", reports.Grouped(float64(tv.Count), 0))
		if tv.Count == 1 {
			label = "Total (1 row)"
		}
		if len(tv.Totals) > 0 && tv.Totals[0].Text == "" {
			tv.Totals[0] = cellView{Text: label}
		}
	}
	return tv
}

func pageURL(self *url.URL, page int) string {
	q := self.Query()
	q.Set("page", strconv.Itoa(page))
	return self.Path + "?" + q.Encode()
}

// billingLabel is a billing model as people say it.
func billingLabel(model string) string {
	switch model {
	case "tm":
		return "T&M"
	case "fixed_fee":
		return "Fixed fee"
	case "retainer":
		return "Retainer"
	case "non_billable":
		return "Non-billable"
	}
	return model
}

// safeScript readies a go-echarts script for the page: it runs under the
// page's nonce (the Content-Security-Policy allows no other inline
// script), and a "<" in its data — a vendor's name such as
// "</script><script>…" — is written \u003c, which JavaScript reads back as
// "<" and HTML never takes for a tag. (The scripts hold "<" only in
// strings: the chart's JSON and formatters that use none.)
func safeScript(script, nonce string) string {
	open := strings.Index(script, ">") + 1
	end := strings.LastIndex(script, "</script>")
	if open <= 0 || end < open {
		return script
	}
	body := strings.ReplaceAll(script[open:end], "<", `\u003c`)
	return strings.Replace(script[:open], "<script", `<script nonce="`+nonce+`"`, 1) + body + script[end:]
}

// readsLive reports whether any of the page's panels reads the records as
// they are now (entries, invoices) rather than closed months as closed.
func (s *Server) readsLive(d Dashboard) bool {
	for _, p := range d.Panels {
		if r, ok := s.opts.Reports.Get(p.Report); ok && !r.AsClosed() {
			return true
		}
	}
	return false
}

// closedMonths says which closed months the period covers (every one when
// the page has no period): when each was closed and the changes since, as
// the viewer may see them (the closed_months report, row-scoped and kept).
// On a page of live records (live) it says the rows are as they are now.
func (s *Server) closedMonths(ctx context.Context, f filterView, live bool) []string {
	tbl, err := s.runReport(ctx, "closed_months", nil)
	if err != nil {
		return nil
	}
	defer tbl.Release()
	from, to := f.From, f.To
	var out []string
	reports.Rows(tbl, func(cols []arrow.Array, i int) {
		get := func(name string) string {
			for j, fld := range tbl.Schema.Fields() {
				if fld.Name == name {
					v, _, _ := reports.Cell(cols[j], i)
					return v
				}
			}
			return ""
		}
		month := get("month")
		if get("status") != "closed" || (from != "" && month < from[:7]) || (to != "" && month > to[:7]) {
			return
		}
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return
		}
		line := fmt.Sprintf("%s is closed (%s by %s) and shows its figures as closed", m.Format("January 2006"), get("closed_at"), get("closed_by"))
		if live {
			line = fmt.Sprintf("%s is closed (%s by %s): the totals show it as closed, these rows are the records as they are now", m.Format("January 2006"), get("closed_at"), get("closed_by"))
		}
		switch n := get("changes_since"); n {
		case "0", "":
			line += "; nothing has changed since."
		case "1":
			line += "; 1 change since: see Restatements on Finance."
		default:
			line += "; " + n + " changes since: see Restatements on Finance."
		}
		out = append(out, line)
	})
	return out
}
