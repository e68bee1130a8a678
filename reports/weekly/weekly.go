// Package weekly renders the leadership weekly as one self-contained HTML
// file: inline styles, and tables only — its charts are bars drawn with
// table cells, which Gmail and Outlook render where they drop SVG and
// scripts — so it opens offline and survives being mailed; no script, font
// or image is fetched from anywhere.
package weekly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

// Row is one report row as JSON decodes it (numbers as json.Number).
type Row = map[string]any

// Fetch runs a named report with parameters and returns its rows.
type Fetch func(ctx context.Context, report string, params map[string]string) ([]Row, error)

// Local fetches reports from an open warehouse.
func Local(cat *reports.Catalog, wh warehouse.Querier) Fetch {
	return func(ctx context.Context, report string, params map[string]string) ([]Row, error) {
		tbl, err := cat.Run(ctx, wh, report, params)
		if err != nil {
			return nil, err
		}
		defer tbl.Release()
		var buf bytes.Buffer
		if err := reports.WriteJSON(&buf, tbl); err != nil {
			return nil, err
		}
		return decodeRows(&buf)
	}
}

func decodeRows(buf *bytes.Buffer) ([]Row, error) {
	dec := json.NewDecoder(buf)
	dec.UseNumber()
	var rows []Row
	if err := dec.Decode(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}

var isoWeekRE = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseISOWeek turns "2026-W47" into the Monday that starts it.
func ParseISOWeek(s string) (time.Time, error) {
	m := isoWeekRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO week (write e.g. 2026-W47)", s)
	}
	year, _ := strconv.Atoi(m[1])
	week, _ := strconv.Atoi(m[2])
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
	if y, w := monday.ISOWeek(); week < 1 || y != year || w != week {
		return time.Time{}, fmt.Errorf("%q: %d has no ISO week %d", s, year, week)
	}
	return monday, nil
}

// ErrNoTime means the week asked for has no time logged: its KPIs would be
// blank beside today's risks, so there is no report to send.
var ErrNoTime = errors.New("no time logged")

// Options say which week to report and for whom.
type Options struct {
	Org      string
	Week     time.Time // the week's Monday; zero means the last week with time logged
	Currency string
	Now      time.Time
}

type kpi struct {
	Name, This, Previous, Avg, Change string
	Up                                bool
}

type table struct {
	Headers []string
	Rows    [][]string
}

type view struct {
	Org, Week, Range, Built, Currency string
	KPIs                              []kpi
	Utilization, Capacity             template.HTML
	Risks, Gaps                       table
	CapacityAsOf                      string
}

// Render builds the report's HTML.
func Render(ctx context.Context, fetch Fetch, o Options) ([]byte, error) {
	params := map[string]string{}
	if !o.Week.IsZero() {
		params["week"] = o.Week.Format(time.DateOnly)
	}
	kpis, err := fetch(ctx, "leadership_kpis", params)
	if err != nil {
		return nil, err
	}
	if len(kpis) == 0 || str(kpis[0]["week_start"]) == "" {
		return nil, fmt.Errorf("no week with time logged yet: run `conflux sync` and `conflux build` first")
	}
	monday, err := time.Parse(time.DateOnly, str(kpis[0]["week_start"])[:10])
	if err != nil {
		return nil, fmt.Errorf("week_start %v: %w", kpis[0]["week_start"], err)
	}
	y, w := monday.ISOWeek()
	v := view{
		Org: o.Org, Week: fmt.Sprintf("%d-W%02d", y, w), Currency: o.Currency,
		Range: monday.Format("Mon 2 Jan") + " – " + monday.AddDate(0, 0, 6).Format("Sun 2 Jan 2006"),
		Built: o.Now.Format("2 Jan 2006 15:04 MST"),
	}
	for _, r := range kpis {
		change := str(r["change_shown"])
		v.KPIs = append(v.KPIs, kpi{Name: str(r["kpi"]), This: str(r["this_week_shown"]), Previous: str(r["previous_week_shown"]),
			Avg: str(r["trailing_4_weeks_shown"]), Change: change, Up: strings.HasPrefix(change, "+")})
	}
	util, err := fetch(ctx, "utilization_weekly", map[string]string{
		"from": monday.AddDate(0, 0, -7*11).Format(time.DateOnly), "to": monday.AddDate(0, 0, 6).Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	if !hasTime(util, monday) {
		return nil, fmt.Errorf("%w in %s (%s): pick a week with time, or leave the week out for the last one", ErrNoTime, v.Week, v.Range)
	}
	v.Utilization = barChart("Utilization, 12 weeks to "+v.Week, util, "iso_week",
		[]series{{"billable_util", "Billable", "#2563eb"}, {"total_util", "Total", "#16a34a"}}, true)
	capRows, err := fetch(ctx, "capacity_weekly", nil)
	if err != nil {
		return nil, err
	}
	v.Capacity = barChart("Capacity vs booked vs pipeline, next 12 weeks (hours)", capRows, "iso_week",
		[]series{{"available_h", "Available", "#111827"}, {"confirmed_h", "Confirmed", "#2563eb"},
			{"forecast_h", "Forecast", "#f59e0b"}, {"exposure_h", "Exposure", "#dc2626"}}, false)
	if len(capRows) > 0 {
		v.CapacityAsOf = str(capRows[0]["iso_week"])
	}
	risks, err := fetch(ctx, "projects_at_risk", nil)
	if err != nil {
		return nil, err
	}
	v.Risks = tableOf(risks, []col{{"project", "Project", ""}, {"client", "Client", ""}, {"budget_used_pct", "Budget used", "pct"},
		{"gaps_at_stake", "Gaps at stake", "money"}, {"why", "Why", ""}})
	gaps, err := fetch(ctx, "gaps_by_check", nil)
	if err != nil {
		return nil, err
	}
	v.Gaps = tableOf(gaps, []col{{"check_name", "Check", ""}, {"findings", "Findings", ""},
		{"amount_at_stake", "At stake", "money"}, {"hours_at_stake", "Hours", "hours"}})
	var out bytes.Buffer
	if err := page.Execute(&out, v); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// hasTime reports whether the utilization rows hold hours worked in the
// week starting monday.
func hasTime(util []Row, monday time.Time) bool {
	for _, r := range util {
		if strings.HasPrefix(str(r["week_start"]), monday.Format(time.DateOnly)) {
			h, _ := num(r["worked_h"])
			return h > 0
		}
	}
	return false
}

type col struct{ Name, Label, Format string }

func tableOf(rows []Row, cols []col) table {
	var t table
	for _, c := range cols {
		t.Headers = append(t.Headers, c.Label)
	}
	for _, r := range rows {
		var cells []string
		for _, c := range cols {
			cells = append(cells, formatValue(r[c.Name], c.Format))
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func formatValue(v any, format string) string {
	f, ok := num(v)
	switch {
	case v == nil:
		return "—"
	case format == "pct" && ok:
		return fmt.Sprintf("%.1f%%", f*100)
	case format == "money" && ok:
		return reports.Grouped(f, 0)
	case format == "hours" && ok:
		return fmt.Sprintf("%.1f", f)
	}
	return str(v)
}

var page = template.Must(template.New("weekly").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Org}} · Leadership weekly {{.Week}}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:Arial,Helvetica,sans-serif;color:#1d2430;font-size:14px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:760px;margin:0 auto;background:#ffffff;border-radius:6px;">
<tr><td style="padding:20px 24px;background:#1d2430;color:#ffffff;border-radius:6px 6px 0 0;">
  <div style="font-size:12px;opacity:.8;">{{.Org}} · Conflux</div>
  <div style="font-size:22px;font-weight:bold;margin-top:4px;">Leadership weekly — {{.Week}}</div>
  <div style="font-size:13px;opacity:.85;margin-top:2px;">{{.Range}} · amounts in {{.Currency}} · built {{.Built}}</div>
</td></tr>
<tr><td style="padding:16px 24px;">
  <h2 style="font-size:16px;margin:8px 0;">The week's KPIs</h2>
  <table cellpadding="6" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;">
    <tr style="background:#f0f2f5;"><th align="left">KPI</th><th align="right">This week</th><th align="right">Previous week</th><th align="right">4-week average</th><th align="right">Change</th></tr>
    {{range .KPIs}}<tr style="border-bottom:1px solid #e6e8eb;"><td>{{.Name}}</td><td align="right"><b>{{.This}}</b></td><td align="right">{{.Previous}}</td><td align="right">{{.Avg}}</td><td align="right" style="color:{{if .Up}}#15803d{{else}}#b42318{{end}};">{{.Change}}</td></tr>
    {{end}}
  </table>
  <p style="font-size:12px;color:#666;margin:6px 0 0;">Utilization is billable over available hours of delivery staff (ratio of sums); revenue is earned from time; pipeline and open gaps are today's figures.</p>
</td></tr>
<tr><td style="padding:8px 24px;">{{.Utilization}}</td></tr>
<tr><td style="padding:8px 24px;">{{.Capacity}}
  <p style="font-size:12px;color:#666;margin:4px 0 0;">From {{.CapacityAsOf}}: confirmed bookings; forecast adds tentative bookings and open deals weighted by probability; exposure counts every open deal.</p></td></tr>
<tr><td style="padding:16px 24px;">
  <h2 style="font-size:16px;margin:8px 0;">Projects most at risk</h2>
  {{template "table" .Risks}}
</td></tr>
<tr><td style="padding:0 24px 20px;">
  <h2 style="font-size:16px;margin:8px 0;">Open gaps between the tools</h2>
  {{template "table" .Gaps}}
  <p style="font-size:12px;color:#666;margin:8px 0 0;">Money at stake is an estimate of exposure, not a booked amount. The Ops page and <code>conflux gaps</code> list every finding with a link to its record.</p>
</td></tr>
</table>
</body></html>
{{define "table"}}{{if .Rows}}<table cellpadding="6" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;">
<tr style="background:#f0f2f5;">{{range .Headers}}<th align="left">{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr style="border-bottom:1px solid #e6e8eb;">{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{else}}<p style="font-size:13px;color:#666;">None this week.</p>{{end}}{{end}}
`))
