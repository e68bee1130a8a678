package dashboards

import (
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/conflux-dev/conflux/internal/demo/demotest"
)

// What the browser reads off a page: every export link, and per panel the
// chart's drawn points and drill links, or the table's totals and links.
type pageData struct {
	Exports []string    `json:"exports"`
	Panels  []panelData `json:"panels"`
}

type panelData struct {
	ID      string              `json:"id"`
	Report  string              `json:"report"`
	Series  []seriesData        `json:"series"`
	Links   map[string][]string `json:"links"`
	Columns []string            `json:"columns"` // the th data-col of each table column
	Totals  []string            `json:"totals"`
	Count   int                 `json:"count"`
	Rows    [][]cellData        `json:"rows"`
}

type seriesData struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data []any  `json:"data"`
}

type cellData struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

const readPage = `(function () {
	var out = {exports: [], panels: []};
	document.querySelectorAll('a[href^="/api/reports/"]').forEach(function (a) { out.exports.push(a.getAttribute("href")); });
	document.querySelectorAll("section.panel[data-report]").forEach(function (sec) {
		var p = {id: sec.id.replace(/^panel-/, ""), report: sec.getAttribute("data-report"), series: [], rows: [], columns: [], totals: [], count: -1};
		var el = sec.querySelector("[id^=chart_]"), chart = el && echarts.getInstanceByDom(el);
		if (chart) {
			chart.getOption().series.forEach(function (s) {
				p.series.push({name: s.name, type: s.type, data: s.data.map(function (d) { return d !== null && typeof d === "object" && "value" in d ? d.value : d; })});
			});
		}
		if (sec.getAttribute("data-drill-links")) p.links = JSON.parse(sec.getAttribute("data-drill-links"));
		var table = sec.querySelector("table[data-count]");
		if (table) {
			p.count = +table.getAttribute("data-count");
			p.columns = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.getAttribute("data-col"); });
			var foot = table.querySelector("tfoot tr");
			if (foot) p.totals = Array.prototype.map.call(foot.cells, function (td) { return td.textContent.trim(); });
			table.querySelectorAll("tbody tr").forEach(function (tr) {
				p.rows.push(Array.prototype.map.call(tr.cells, function (td) {
					var a = td.querySelector("a"); return {text: td.textContent.trim(), href: a ? a.getAttribute("href") : ""};
				}));
			});
		}
		out.panels.push(p);
	});
	return JSON.stringify(out);
})()`

// tie says that the drill page's column To adds up to the clicked panel's
// column From (for a chart, a column of its report; for a table row, a
// column of the row). On the project page To is a summary label.
type tie struct{ From, To string }

// chartTies are the ties of every chart series that drills, by
// dashboard/panel/series column; a series that drills with no tie listed
// fails the walk.
var chartTies = map[string][]tie{
	"overview/utilization/billable_util":     {{"billable_h", "billable_h"}},
	"overview/utilization/total_util":        {{"worked_h", "hours"}},
	"leadership/trend/billable_util":         {{"billable_h", "billable_h"}},
	"leadership/trend/total_util":            {{"worked_h", "hours"}},
	"overview/hours/billable_h":              {{"billable_h", "billable_h"}},
	"overview/hours/nonbillable_h":           {{"nonbillable_h", "nonbillable_h"}},
	"overview/revenue/revenue":               {{"revenue", "revenue"}},
	"overview/revenue/invoiced":              {{"invoiced", "net_amount_reporting"}},
	"overview/revenue/cost":                  {{"cost", "cost"}},
	"overview/margin/revenue":                {{"revenue", "Revenue"}},
	"overview/margin/cost":                   {{"cost", "Cost"}},
	"overview/margin/margin":                 {{"margin", "Margin"}},
	"overview/burn/budget_used_pct":          {{"hours", "Hours"}},
	"finance/pnl/revenue":                    {{"revenue", "revenue"}},
	"finance/pnl/cost":                       {{"cost", "cost"}},
	"finance/pnl/margin":                     {{"margin", "margin"}},
	"finance/realization/margin_pct":         {{"revenue", "revenue"}, {"margin", "margin"}},
	"finance/realization/invoiced_to_earned": {{"revenue", "revenue"}},
	"capacity/heatmap/sched_util":            {{"booked_h", "counted_h"}},
	"capacity/plan/confirmed_h":              {{"confirmed_h", "hours"}},
	"capacity/plan/forecast_h":               nil, // today's open deals: no week in them
	"capacity/plan/exposure_h":               nil,
	"project/project_trend/revenue":          {{"revenue", "revenue"}},
	"project/project_trend/cost":             {{"cost", "cost"}},
	"project/project_trend/margin":           {{"margin", "margin"}},
	"project/project_trend/invoiced":         {{"invoiced", "net_amount_reporting"}},
	"finance/client_trend/margin_pct":        {{"margin", "margin"}, {"revenue", "revenue"}},
	"finance/collections/collected":          {{"collected", "amount_reporting"}},
}

// rowTies are the ties of every link in a table row, by
// dashboard/panel/column; nil where the row's numbers are not what the link
// totals (a to-date project row linking to its client's entries, say).
var rowTies = map[string][]tie{
	"finance/clients/client":        {{"hours", "hours"}, {"cost", "cost"}},
	"capacity/bench_people/person":  {{"booked_h", "counted_h"}},
	"ops/gaps/drill":                nil,
	"finance/ar_aging/client":       {{"total", "outstanding_reporting"}},
	"project/people/person":         {{"hours", "hours"}, {"billable_h", "billable_h"}, {"cost", "cost"}},
	"finance/cash/kpi":              nil,
	"finance/teams/team":            {{"hours", "hours"}, {"billable_h", "billable_h"}, {"labour", "cost"}},
	"overview/projects/project":     {{"hours", "Hours"}, {"revenue", "Revenue"}, {"cost", "Cost"}, {"margin", "Margin"}},
	"finance/profitability/project": {{"hours", "Hours"}, {"revenue", "Revenue"}},
	"overview/projects/client":      nil,
	"finance/profitability/client":  nil,
	"finance/budgets/project":       nil,
	"finance/budgets/client":        nil,
	"leadership/kpis/kpi":           nil,
	"leadership/risk/project":       nil,
	"leadership/risk/client":        nil,
	"entries/entries/person":        nil,
	"entries/entries/client":        nil,
	"entries/entries/project":       nil,
	"pnl/pnl/project":               nil,
	"pnl/pnl/client":                nil,
	"invoices/invoices/project":     nil,
	"bookings/bookings/project":     nil,
}

// TestBrowserExportsAndDrillsTieOut walks every dashboard, drill page and a
// project page, without filters and with a period that cuts weeks and
// months, a team and a client: every export link answers 200 with what the
// panel shows (a table's totals row, a chart's points), and every link from
// a chart point or a table row opens a page whose total is the number
// clicked.
func TestBrowserExportsAndDrillsTieOut(t *testing.T) {
	browser := chromium(t)
	wh, a := demotest.BuiltWithGaps(t, smallDemo)
	srv, _, _ := serve(t, wh, a)
	ctx, jsErrors := startBrowser(t, browser, 1440, 1800)

	var team, client, project string
	wh.DB().QueryRow(`SELECT min(team) FROM core.people WHERE is_delivery`).Scan(&team)
	wh.DB().QueryRow(`SELECT client_name FROM marts.client_month GROUP BY 1 ORDER BY sum(hours) DESC LIMIT 1`).Scan(&client)
	wh.DB().QueryRow(`SELECT project_key FROM marts.project_financials WHERE billing_model <> 'non_billable' ORDER BY hours DESC LIMIT 1`).Scan(&project)
	filtered := url.Values{"from": {"2025-02-12"}, "to": {"2025-05-14"}, "team": {team}, "client": {client}}.Encode()

	var pages []string
	for _, d := range All() {
		pages = append(pages, d.Path, d.Path+"?"+filtered)
	}
	pages = append(pages, "/projects/"+url.PathEscape(project), "/projects/"+url.PathEscape(project)+"?from=2025-02-12&to=2025-05-14")

	w := walker{t: t, base: srv.URL}
	for _, page := range pages {
		if err := openPage(ctx, srv.URL+page); err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](readPage))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		var pd pageData
		if err := json.Unmarshal([]byte(raw), &pd); err != nil {
			t.Fatal(err)
		}
		w.exports(page, pd)
		w.drills(page, pd)
	}
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("walked %d pages: %d exports, %d drill links tied out (%d numbers), %d links without a tie", len(pages), w.exported, w.drilled, w.tied, w.untied)
	if w.exported < 100 || w.tied < 100 {
		t.Errorf("the walk checked too little: %d exports, %d ties", w.exported, w.tied)
	}
}

type walker struct {
	t                               *testing.T
	base                            string
	exported, drilled, tied, untied int
	seen                            map[string]bool
}

// panelOf finds the definition of a panel on page.
func panelOf(page, id string) (Dashboard, Panel, bool) {
	path := strings.SplitN(page, "?", 2)[0]
	if strings.HasPrefix(path, "/projects/") {
		path = projectPage.Path
	}
	for _, d := range append(All(), projectPage) {
		if d.Path != path {
			continue
		}
		for _, p := range d.Panels {
			if p.ID == id {
				return d, p, true
			}
		}
	}
	return Dashboard{}, Panel{}, false
}

func (w *walker) json(u string) []map[string]any {
	w.t.Helper()
	code, body, _ := get(w.t, w.base+u)
	if code != 200 {
		w.t.Errorf("GET %s: %d %.200s", u, code, body)
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		w.t.Errorf("GET %s: %v", u, err)
	}
	return rows
}

func number(v any) float64 {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(strings.NewReplacer(",", "", "%", "").Replace(x), 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

func sum(rows []map[string]any, col string) float64 {
	s := 0.0
	for _, r := range rows {
		if v := number(r[col]); !math.IsNaN(v) {
			s += v
		}
	}
	return s
}

// sameCents reports whether a and b round to the same cent.
func sameCents(a, b float64) bool { return math.Abs(math.Round(a*100)-math.Round(b*100)) < 0.5 }

// exports requests every export link on the page, and checks each JSON
// export against the panel: the totals row and row count of a table, the
// points of a chart.
func (w *walker) exports(page string, pd pageData) {
	t := w.t
	for _, href := range pd.Exports {
		code, body, _ := get(t, w.base+href)
		w.exported++
		if code != 200 {
			t.Errorf("%s: export %s answered %d: %.200s", page, href, code, body)
		}
	}
	for _, p := range pd.Panels {
		var jsonLink string
		for _, href := range pd.Exports {
			if strings.HasPrefix(href, "/api/reports/"+p.Report+"?") && strings.Contains(href, "format=json") {
				jsonLink = href
				break
			}
		}
		if jsonLink == "" {
			t.Errorf("%s: panel %s has no JSON export", page, p.ID)
			continue
		}
		rows := w.json(jsonLink)
		_, def, ok := panelOf(page, p.ID)
		if !ok {
			t.Errorf("%s: panel %s is not in the definitions", page, p.ID)
			continue
		}
		if p.Count >= 0 { // a table
			if p.Count != len(rows) {
				t.Errorf("%s %s: the table says %d rows, its export holds %d", page, p.ID, p.Count, len(rows))
			}
			for k, col := range p.Columns {
				if k >= len(p.Totals) || p.Totals[k] == "" || strings.HasPrefix(p.Totals[k], "Total") || strings.HasSuffix(p.Totals[k], "%") {
					continue
				}
				summed := col
				if other, ok := def.TotalOf[col]; ok {
					summed = other
				}
				if got, want := number(p.Totals[k]), sum(rows, summed); !sameCents(got, want) {
					t.Errorf("%s %s: totals row %s = %s, the export's rows add up to %.4f", page, p.ID, col, p.Totals[k], want)
				}
			}
			continue
		}
		for _, s := range p.Series {
			k := slices.IndexFunc(def.Series, func(d Series) bool { return d.Label == s.Name })
			if k < 0 {
				t.Errorf("%s %s: series %q is not in the definition", page, p.ID, s.Name)
				continue
			}
			col := def.Series[k].Column
			if s.Type == "heatmap" {
				for i, d := range s.Data {
					cell, _ := d.([]any)
					if i >= len(rows) || len(cell) != 3 {
						t.Errorf("%s %s: cell %d of %d drawn, %d exported", page, p.ID, i, len(s.Data), len(rows))
						break
					}
					if got, want := number(cell[2]), number(rows[i][col])*100; !math.IsNaN(got) && math.Abs(got-want) > 0.051 {
						t.Errorf("%s %s: cell %d drawn %v, exported %v", page, p.ID, i, got, want)
					}
				}
				continue
			}
			others := def.Others && def.Limit > 0 && len(rows) > def.Limit
			for i, d := range s.Data {
				if i >= len(rows) {
					t.Errorf("%s %s: %d points drawn, %d rows exported", page, p.ID, len(s.Data), len(rows))
					break
				}
				want := number(rows[i][col])
				if others && i == def.Limit-1 { // Others: the rows past the limit, summed
					want = sum(rows[i:], col)
				}
				if def.Percent {
					want *= 100
				}
				got := number(d)
				if math.IsNaN(got) != math.IsNaN(want) || (!math.IsNaN(got) && math.Abs(got-want) > 0.0051) {
					t.Errorf("%s %s %s point %d: drawn %v, exported %v", page, p.ID, s.Name, i, d, rows[i][col])
				}
			}
		}
	}
}

// drills follows every link from a chart point and a table row to the page
// it opens and checks that page's total against the number clicked.
func (w *walker) drills(page string, pd pageData) {
	t := w.t
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	for _, p := range pd.Panels {
		d, def, ok := panelOf(page, p.ID)
		if !ok {
			continue
		}
		if p.Links != nil {
			var rows []map[string]any
			for _, href := range pd.Exports {
				if strings.HasPrefix(href, "/api/reports/"+p.Report+"?") && strings.Contains(href, "format=json") {
					rows = w.json(href)
					break
				}
			}
			for k, s := range def.Series {
				key := d.Slug + "/" + p.ID + "/" + s.Column
				label := s.Label
				if def.Kind == "heatmap" {
					label = "cell"
				}
				links := p.Links[label]
				ties, declared := chartTies[key]
				if def.drillTarget(s.Column) == "" {
					continue
				}
				if !declared {
					t.Errorf("%s: series %s drills with no tie declared in chartTies", page, key)
					continue
				}
				if k > 0 && def.Kind == "heatmap" {
					break
				}
				for i, href := range links {
					if i >= 40 || i >= len(rows) { // enough cells of a heatmap
						break
					}
					if def.Others && def.Limit > 0 && len(rows) > def.Limit && i == def.Limit-1 {
						continue // Others opens no one page
					}
					if href == "" {
						t.Errorf("%s: %s point %d has no link", page, key, i)
						continue
					}
					w.tieOut(page+" "+key, href, ties, func(col string) float64 { return number(rows[i][col]) })
				}
			}
			continue
		}
		for r, row := range p.Rows {
			if r >= 10 {
				break
			}
			for c, cell := range row {
				if !strings.HasPrefix(cell.Href, "/") || c >= len(p.Columns) {
					continue
				}
				key := d.Slug + "/" + p.ID + "/" + p.Columns[c]
				ties, declared := rowTies[key]
				if !declared {
					t.Errorf("%s: row link %s (%s) has no tie declared in rowTies", page, key, cell.Href)
					continue
				}
				w.tieOut(page+" "+key, cell.Href, ties, func(col string) float64 {
					for k, name := range p.Columns {
						if name == col {
							return number(row[k].Text)
						}
					}
					t.Errorf("%s: row has no column %s", key, col)
					return math.NaN()
				})
			}
		}
	}
}

var summaryRE = regexp.MustCompile(`<dt>([^<]+)</dt><dd>(?:<a [^>]*>)?([^<]*)`)

// tieOut opens href and checks that its total of each tie's To equals the
// clicked number's From.
func (w *walker) tieOut(what, href string, ties []tie, clicked func(col string) float64) {
	t := w.t
	w.drilled++
	code, body, _ := get(t, w.base+href)
	if code != 200 {
		t.Errorf("%s: %s answered %d", what, href, code)
		return
	}
	if len(ties) == 0 {
		w.untied++
		return
	}
	if strings.HasPrefix(href, "/projects/") {
		summary := map[string]float64{}
		for _, m := range summaryRE.FindAllStringSubmatch(body, -1) {
			summary[m[1]] = number(m[2])
		}
		for _, tt := range ties {
			w.tied++
			if got, want := summary[tt.To], clicked(tt.From); !sameCents(got, want) {
				t.Errorf("%s: %s shows %s %.2f, the number clicked is %.2f", what, href, tt.To, got, want)
			}
		}
		return
	}
	m := regexp.MustCompile(`href="(/api/reports/[^"]*format=json[^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Errorf("%s: %s has no JSON export", what, href)
		return
	}
	rows := w.json(html.UnescapeString(m[1]))
	for _, tt := range ties {
		w.tied++
		if got, want := sum(rows, tt.To), clicked(tt.From); !sameCents(got, want) {
			t.Errorf("%s: %s adds up to %s %.4f over %d rows, the number clicked is %s %.4f", what, href, tt.To, got, len(rows), tt.From, want)
		}
	}
}
