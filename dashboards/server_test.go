package dashboards

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fmt"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
	"github.com/xuri/excelize/v2"
	"strconv"
)

const testToken = "test-token"

// demoServer syncs a small demo agency through the Harvest fake, builds it
// and serves it; refreshes are counted.
func demoServer(t testing.TB, mappingsFile ...string) (*httptest.Server, *warehouse.Warehouse, *int) {
	t.Helper()
	wh, a := demotest.Built(t, smallDemo)
	return serve(t, wh, a, mappingsFile...)
}

var smallDemo = demo.Options{People: 8, Clients: 4, Projects: 8, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}

func serve(t testing.TB, wh *warehouse.Warehouse, a *demo.Agency, mappingsFile ...string) (*httptest.Server, *warehouse.Warehouse, *int) {
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	s, err := New(Options{Warehouse: wh, Reports: cat, Token: testToken, Org: a.Name, Mappings: strings.Join(mappingsFile, ""),
		Refresh: func(ctx context.Context, req RefreshRequest) RefreshResult {
			refreshes++
			return RefreshResult{Lines: []string{"did it"}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, wh, &refreshes
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOfPage is the CSRF token a page of srv carries in its forms.
func csrfOfPage(t testing.TB, srv string) string {
	t.Helper()
	_, body, _ := get(t, srv+"/ops")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page carries no CSRF token")
	}
	return html.UnescapeString(m[1])
}

// postPage posts a form as the server's own page would: from its origin,
// with its CSRF token unless form has one; it does not follow redirects.
func postPage(t testing.TB, srv, path string, form url.Values) int {
	t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", csrfOfPage(t, srv))
	}
	req, _ := http.NewRequest(http.MethodPost, srv+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func get(t testing.TB, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestRoutes(t *testing.T) {
	srv, wh, refreshes := demoServer(t)
	if code, body, _ := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	code, body, _ := get(t, srv.URL+"/")
	for _, want := range []string{`id="chart_utilization"`, `id="chart_hours"`, `id="chart_margin"`, `id="chart_burn"`, `href="/projects/harvest:`, `src="/assets/echarts.min.js"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("overview (%d) lacks %s", code, want)
		}
	}
	if strings.Contains(body, "cdn") || strings.Contains(body, "go-echarts.github.io") {
		t.Error("the page loads assets from the network")
	}

	// Leadership: the KPI table (utilization in percent), the trend, the risks.
	leadCode, leadBody, _ := get(t, srv.URL+"/leadership")
	for _, want := range []string{`id="panel-kpis"`, `Billable utilization`, `%</td>`, `id="chart_trend"`, `id="panel-risk"`} {
		if leadCode != 200 || !strings.Contains(leadBody, want) {
			t.Errorf("leadership (%d) lacks %s", leadCode, want)
		}
	}

	// Finance: every panel, with the period filters.
	finCode, finBody, _ := get(t, srv.URL+"/finance")
	for _, want := range []string{`id="chart_pnl"`, `id="chart_realization"`, `id="panel-aging"`, `id="panel-clients"`, `id="panel-budgets"`, `action="/finance"`} {
		if finCode != 200 || !strings.Contains(finBody, want) {
			t.Errorf("finance (%d) lacks %s", finCode, want)
		}
	}
	if strings.Contains(finBody, `name="team"`) {
		t.Error("finance offers a team filter that none of its panels takes")
	}
	// The contract-currency filter keeps the clients billed in it.
	if !strings.Contains(finBody, `name="currency"`) || !strings.Contains(finBody, `id="panel-profitability"`) || !strings.Contains(finBody, `id="panel-agency"`) {
		t.Error("finance lacks the currency filter, project profitability or the agency P&L")
	}
	_, all, _ := get(t, srv.URL+"/api/reports/project_profitability?format=json")
	_, gbp, _ := get(t, srv.URL+"/api/reports/project_profitability?format=json&currency=GBP")
	_, none, _ := get(t, srv.URL+"/api/reports/project_profitability?format=json&currency=JPY")
	if strings.Join(strings.Fields(none), "") != "[]" || len(gbp) < 10 || len(gbp) > len(all) {
		t.Errorf("currency filter: all %d bytes, GBP %d, JPY %q", len(all), len(gbp), none)
	}
	if code, _, _ := get(t, srv.URL+"/finance?currency=GBP"); code != 200 {
		t.Errorf("/finance?currency=GBP: %d", code)
	}
	// Capacity and the definitions page.
	capCode, capBody, _ := get(t, srv.URL+"/capacity")
	for _, want := range []string{`id="chart_heatmap"`, `id="chart_plan"`, `id="chart_bench"`, `id="panel-roles"`} {
		if capCode != 200 || !strings.Contains(capBody, want) {
			t.Errorf("capacity (%d) lacks %s", capCode, want)
		}
	}
	if code, _, _ := get(t, srv.URL+"/reports/weekly?week=2025-W99"); code != 400 {
		t.Errorf("/reports/weekly with a bad week: %d, want 400", code)
	}

	// Ops: the gaps ledger and the data's health, without the period filters.
	opsCode, opsBody, _ := get(t, srv.URL+"/ops")
	for _, want := range []string{`id="panel-at_stake"`, `id="panel-gaps"`, `id="panel-freshness"`, `time_entries`, `tests.person_week_ties_to_entries`, `>pass<`} {
		if opsCode != 200 || !strings.Contains(opsBody, want) {
			t.Errorf("ops (%d) lacks %s", opsCode, want)
		}
	}
	if strings.Contains(opsBody, `name="from"`) || !strings.Contains(opsBody, `name="status"`) || !strings.Contains(opsBody, `name="owner"`) {
		t.Error("ops shows period filters that none of its panels takes, or no status and owner filters for the gaps")
	}

	// The export matches the screen: the table's first project is the CSV's first row.
	code, csv, hdr := get(t, srv.URL+"/api/reports/project_financials?format=csv")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", code, hdr.Get("Content-Type"))
	}
	first := strings.Split(strings.Split(csv, "\n")[1], ",")
	if !strings.Contains(body, ">"+first[1]+"</a>") {
		t.Errorf("first CSV project %q is not on the page", first[1])
	}
	var hours string
	wh.DB().QueryRow(`SELECT hours::DECIMAL(14,2)::VARCHAR FROM marts.project_financials WHERE project_key = ?`, first[0]).Scan(&hours)
	if first[6] != hours {
		t.Errorf("CSV hours %s, mart %s", first[6], hours)
	}

	code, page, _ := get(t, srv.URL+"/projects/"+url.PathEscape(first[0]))
	if code != 200 || !strings.Contains(page, "harvestapp.com/time/day/") || !strings.Contains(page, first[1]) {
		t.Errorf("project page %d: no entries linking back to Harvest", code)
	}
	if code, _, _ := get(t, srv.URL+"/projects/harvest:nope"); code != 404 {
		t.Errorf("unknown project: %d", code)
	}
	if code, js, _ := get(t, srv.URL+"/api/reports/utilization_weekly?format=json&from=2025-01-06"); code != 200 || !strings.Contains(js, `"billable_util":`) {
		t.Errorf("json: %d", code)
	}
	if code, _, _ := get(t, srv.URL+"/api/reports/utilization_weekly?from=someday"); code != 400 {
		t.Errorf("bad parameter: %d, want 400", code)
	}
	if code, _, _ := get(t, srv.URL+"/api/reports/nope"); code != 404 {
		t.Errorf("unknown report: %d, want 404", code)
	}
	var list []map[string]any
	_, lj, _ := get(t, srv.URL+"/api/reports")
	json.Unmarshal([]byte(lj), &list)
	if len(list) < 5 {
		t.Errorf("report list: %s", lj)
	}

	resp, _ := http.Post(srv.URL+"/api/refresh", "application/json", nil)
	if (resp.StatusCode != 401 && resp.StatusCode != 403) || *refreshes != 0 {
		t.Errorf("refresh without token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/refresh", strings.NewReader(`{"sync":true,"build":true}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != 200 || *refreshes != 1 {
		t.Errorf("refresh with token: %d, %d refreshes", resp.StatusCode, *refreshes)
	}
	req, _ = http.NewRequest("POST", srv.URL+"/api/query", strings.NewReader(`{"sql":"select count(*) as n from core.time_entries","format":"csv"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, _ = http.DefaultClient.Do(req)
	qb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(qb), "n\n") {
		t.Errorf("query: %d %s", resp.StatusCode, qb)
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[float64]string{0: "0.00", 1234.5: "1,234.50", -1234567.891: "-1,234,567.89", 999.999: "1,000.00"} {
		if got := money(in); got != want {
			t.Errorf("money(%v) = %s, want %s", in, got, want)
		}
	}
}

// The review queue's Accept button writes mappings.yaml and rebuilds; a
// stale token or an unknown suggestion changes nothing.
func TestReviewQueueAcceptWritesMappings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mappings.yaml")
	srv, wh, refreshes := demoServer(t, file)
	if _, err := wh.DB().Exec(`INSERT INTO marts.identity_review (id, entity, left_key, left_name, left_source, right_key, right_name, right_source, similarity, revenue_at_stake)
		VALUES ('0badc0de', 'clients', 'harvest:502', 'Globex GmbH', 'harvest', 'hubspot:502', 'Globbex GmbH', 'hubspot', 0.971, 10)`); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, srv.URL+"/ops")
	if !strings.Contains(body, `action="/mappings/0badc0de/accept"`) {
		t.Fatal("the review queue shows no Accept button")
	}
	post := func(path, csrf string) int {
		form := url.Values{}
		if csrf != "" {
			form.Set("csrf", csrf)
		}
		return postPage(t, srv.URL, path, form)
	}
	if code := post("/mappings/0badc0de/accept", "stale"); code != http.StatusForbidden {
		t.Errorf("stale CSRF token: %d", code)
	}
	if code := post("/mappings/ffffffff/accept", ""); code != http.StatusNotFound {
		t.Errorf("unknown suggestion: %d", code)
	}
	if _, err := os.Stat(file); err == nil || *refreshes != 0 {
		t.Fatal("a refused decision wrote mappings.yaml or rebuilt")
	}
	if code := post("/mappings/0badc0de/accept", ""); code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	written, _ := os.ReadFile(file)
	if !strings.Contains(string(written), "harvest:502") || !strings.Contains(string(written), "hubspot:502") || *refreshes != 1 {
		t.Errorf("after accept: %d rebuilds, mappings.yaml:\n%s", *refreshes, written)
	}
}

// Every panel's CSV and XLSX have the panel's rows and the same column sums
// as its JSON, to the cent: the CSV summed here, the XLSX on its Total row.
func TestExportsAgreeAcrossFormats(t *testing.T) {
	srv, _, _ := demoServer(t)
	totals := 0
	for _, d := range All() {
		for _, p := range d.Panels {
			_, js, _ := get(t, srv.URL+"/api/reports/"+p.Report+"?format=json")
			_, csvBody, _ := get(t, srv.URL+"/api/reports/"+p.Report+"?format=csv")
			records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
			if err != nil {
				t.Fatalf("%s csv: %v", p.Report, err)
			}
			dec := json.NewDecoder(strings.NewReader(js))
			dec.UseNumber()
			var rows []map[string]any
			if err := dec.Decode(&rows); err != nil {
				t.Fatalf("%s json: %v", p.Report, err)
			}
			code, body, hdr := get(t, srv.URL+"/api/reports/"+p.Report+"?format=xlsx")
			if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("%s xlsx: %d %s", p.Report, code, hdr.Get("Content-Type"))
			}
			f, err := excelize.OpenReader(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s xlsx: %v", p.Report, err)
			}
			sheet := f.GetSheetName(0)
			xrows, _ := f.GetRows(sheet)
			if len(rows) == 0 {
				if len(xrows) != 1 {
					t.Errorf("%s: no JSON rows but %d XLSX rows", p.Report, len(xrows))
				}
				continue
			}
			if len(records) != len(rows)+1 || records[0][0] != xrows[0][0] {
				t.Errorf("%s: %d JSON rows, %d CSV records", p.Report, len(rows), len(records))
				continue
			}
			if len(xrows) != len(rows)+2 { // header, rows, Total
				t.Errorf("%s: %d JSON rows, %d XLSX rows", p.Report, len(rows), len(xrows))
				continue
			}
			for c, name := range xrows[0] {
				cell, _ := excelize.CoordinatesToCellName(c+1, len(rows)+2)
				formula, _ := f.GetCellFormula(sheet, cell)
				if formula == "" {
					continue
				}
				got, err := f.CalcCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatalf("%s %s total: %v", p.Report, name, err)
				}
				var want float64
				for _, r := range rows {
					if n, ok := r[name].(json.Number); ok {
						v, _ := n.Float64()
						want += v
					}
				}
				var fromCSV float64
				for _, rec := range records[1:] {
					if v, err := strconv.ParseFloat(rec[c], 64); err == nil {
						fromCSV += v
					}
				}
				g, _ := strconv.ParseFloat(got, 64)
				totals++
				if fmt.Sprintf("%.2f", g) != fmt.Sprintf("%.2f", want) || fmt.Sprintf("%.2f", fromCSV) != fmt.Sprintf("%.2f", want) {
					t.Errorf("%s %s: XLSX total %s, CSV sum %.2f, JSON sum %.2f", p.Report, name, got, fromCSV, want)
				}
			}
		}
	}
	if totals < 10 {
		t.Errorf("only %d Total cells checked", totals)
	}
}

// A client's hours on the Finance page drill to its entries, and those
// entries add up to the number clicked; each links to its Harvest record.
func TestClientHoursDrillToTheirEntries(t *testing.T) {
	srv, _, _ := demoServer(t)
	period := "from=2025-01-01&to=2025-03-31"
	_, page, _ := get(t, srv.URL+"/finance?"+period)
	i := strings.Index(page, `id="panel-clients"`)
	j := strings.Index(page[i:], `href="/entries?`)
	if i < 0 || j < 0 {
		t.Fatal("the client profitability table links no client to its entries")
	}
	href := html.UnescapeString(page[i+j+len(`href="`) : i+j+strings.Index(page[i+j+6:], `"`)+6])
	link, _ := url.Parse(href)
	client := link.Query().Get("client")
	if link.Query().Get("from") != "2025-01-01" || link.Query().Get("to") != "2025-03-31" || client == "" {
		t.Fatalf("drill link %s does not carry the client and the period", href)
	}
	var clients []map[string]any
	_, js, _ := get(t, srv.URL+"/api/reports/client_profitability?format=json&"+period)
	json.Unmarshal([]byte(js), &clients)
	want := -1.0
	for _, c := range clients {
		if c["client"] == client {
			want, _ = strconv.ParseFloat(fmt.Sprint(c["hours"]), 64)
		}
	}
	var rows []map[string]any
	_, js, _ = get(t, srv.URL+"/api/reports/entries?format=json&"+link.RawQuery)
	json.Unmarshal([]byte(js), &rows)
	got := 0.0
	for _, r := range rows {
		h, _ := strconv.ParseFloat(fmt.Sprint(r["hours"]), 64)
		got += h
		if r["client"] != client || !strings.Contains(fmt.Sprint(r["source_url"]), "/time/day/") {
			t.Fatalf("entry %v is not %s's or has no source link", r, client)
		}
	}
	if len(rows) == 0 || fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", want) {
		t.Errorf("%s: %d entries, %.2f h; the table says %.2f h", client, len(rows), got, want)
	}
	if code, body, _ := get(t, srv.URL+href); code != 200 || !strings.Contains(body, `id="panel-entries"`) {
		t.Errorf("/entries page: %d", code)
	}
}

// Ops can act on a gap: a finding's page acknowledges, ignores (with a
// reason), snoozes and comments, each recorded in its history, and the Ops
// list follows.
func TestGapWorkflowOnTheFindingPage(t *testing.T) {
	wh, a := demotest.BuiltWithGaps(t, smallDemo)
	srv, _, _ := serve(t, wh, a)
	_, ops, _ := get(t, srv.URL+"/ops")
	i := strings.Index(ops, `href="/gaps/`)
	if i < 0 {
		t.Fatal("the Ops list links no finding to its page")
	}
	href := html.UnescapeString(ops[i+len(`href="`) : i+strings.Index(ops[i+6:], `"`)+6])
	code, page, _ := get(t, srv.URL+href)
	if code != 200 || !strings.Contains(page, `value="acknowledge"`) || !strings.Contains(page, "History") {
		t.Fatalf("finding page %s: %d", href, code)
	}
	key, _ := url.PathUnescape(strings.TrimPrefix(href, "/gaps/"))
	post := func(form url.Values) int {
		t.Helper()
		return postPage(t, srv.URL, href, form)
	}
	if code := post(url.Values{"csrf": {"stale"}, "action": {"acknowledge"}}); code != http.StatusForbidden {
		t.Errorf("stale CSRF token: %d", code)
	}
	if code := post(url.Values{"action": {"ignore"}}); code != http.StatusBadRequest {
		t.Errorf("ignore without a reason: %d", code)
	}
	for _, form := range []url.Values{
		{"action": {"acknowledge"}},
		{"action": {"comment"}, "comment": {"Asked the PM to raise the invoice"}},
		{"action": {"assign"}, "owner": {"Kim Murphy"}},
	} {
		if code := post(form); code != http.StatusSeeOther {
			t.Fatalf("%v: %d", form, code)
		}
	}
	listed := func(status string) bool {
		_, js, _ := get(t, srv.URL+"/api/reports/gaps?format=json&status="+status)
		return strings.Contains(js, `"finding_key":"`+key+`"`)
	}
	if !listed("open") || !listed("acknowledged") {
		t.Error("an acknowledged finding is not on the open list")
	}
	if code := post(url.Values{"action": {"snooze"}, "until": {time.Now().AddDate(0, 0, 10).Format(time.DateOnly)}}); code != http.StatusSeeOther {
		t.Fatalf("snooze: %d", code)
	}
	if listed("open") || !listed("snoozed") {
		t.Error("a snoozed finding is still on the open list, or not on the snoozed one")
	}
	_, page, _ = get(t, srv.URL+href)
	for _, want := range []string{"Asked the PM to raise the invoice", "Kim Murphy", "acknowledged", "until "} {
		if !strings.Contains(page, want) {
			t.Errorf("the finding's page lacks %q", want)
		}
	}
	if code := post(url.Values{"action": {"ignore"}, "reason": {"client agreed to write it off"}}); code != http.StatusSeeOther {
		t.Fatalf("ignore: %d", code)
	}
	if !listed("ignored") {
		t.Error("an ignored finding is not on the ignored list")
	}
}
