package dashboards

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

// assetsHost is where the embedded echarts.min.js is served.
const assetsHost = "/assets/"

// measureColors gives each measure one colour on every chart, by the
// report column that holds it: revenue is always blue, cost orange, margin
// green, and so on.
var measureColors = map[string]string{
	"revenue": "#2563eb", "earned_so_far": "#1e3a8a", "tm": "#2563eb", "fixed_fee": "#60a5fa", "retainer": "#93c5fd",
	"cost": "#ea580c", "payroll_out": "#ea580c", "overhead_out": "#9a3412",
	"margin": "#16a34a", "margin_pct": "#16a34a",
	"invoiced": "#7c3aed", "invoiced_gross": "#7c3aed", "invoiced_to_earned": "#7c3aed",
	"collected": "#0d9488", "receivables_in": "#0d9488", "billing_in": "#5eead4",
	"billable_h": "#0891b2", "billable_util": "#0891b2", "nonbillable_h": "#a3a3a3", "total_util": "#64748b",
	"available_h": "#1f2937", "budget": "#1f2937", "confirmed_h": "#4f46e5", "forecast_h": "#f59e0b", "forecast": "#f59e0b",
	"exposure_h": "#dc2626", "actual": "#0891b2", "pipeline_weighted": "#f472b6", "last_year": "#6b7280",
	"bench_h": "#a3a3a3", "overbooked_h": "#dc2626",
	"amount_at_stake": "#dc2626", "cumulative_at_stake": "#991b1b",
}

// unit is what a chart's values are: pct for ratios, hours for columns
// ending _h (and budgets counted in hours), else money.
func (p Panel) unit() string {
	switch {
	case p.Percent:
		return "pct"
	case strings.HasSuffix(p.Series[0].Column, "_h"):
		return "hours"
	}
	return "money"
}

// formatters are the axis label and tooltip formatters for a unit: money
// in the reporting currency with thousands grouped, hours with "h".
func formatters(unit, currency string) (axis, tooltip types.FuncStr) {
	switch unit {
	case "pct":
		return opts.FuncOpts(`function (v) { return v + '%'; }`), opts.FuncOpts(`function (v) { return v == null || v === '-' ? '—' : Number(v).toFixed(1) + '%'; }`)
	case "hours":
		return opts.FuncOpts(`function (v) { return v.toLocaleString('en-GB') + ' h'; }`),
			opts.FuncOpts(`function (v) { return v == null || v === '-' ? '—' : Number(v).toLocaleString('en-GB', {maximumFractionDigits: 2}) + ' h'; }`)
	}
	cur := template.JSEscapeString(currency)
	return opts.FuncOpts(`function (v) { return '` + cur + ` ' + (Math.abs(v) >= 1000 ? (v / 1000).toLocaleString('en-GB') + 'k' : v); }`),
		opts.FuncOpts(`function (v) { return v == null || v === '-' ? '—' : '` + cur + ` ' + Number(v).toLocaleString('en-GB', {minimumFractionDigits: 2, maximumFractionDigits: 2}); }`)
}

// othersLabel is the category that sums what a chart's Limit leaves out.
const othersLabel = "Others"

// renderChart turns a panel's report into a go-echarts snippet: the
// category axis is the panel's X column and each series one numeric column,
// in its measure's colour, with the reporting currency (or h, or %) on the
// value axis and in the tooltip. Beyond p.Limit categories, p.Others sums
// the rest into one.
func renderChart(p Panel, tbl *warehouse.Table, currency string) (element, script string, err error) {
	if p.Kind == "heatmap" {
		return renderHeatmap(p, tbl)
	}
	xi := columnIndex(tbl.Schema, p.X)
	if xi < 0 {
		return "", "", fmt.Errorf("panel %s: report %s has no column %q", p.ID, p.Report, p.X)
	}
	var cats []string
	values := make([][]float64, len(p.Series))
	idx := make([]int, len(p.Series))
	for k, s := range p.Series {
		if idx[k] = columnIndex(tbl.Schema, s.Column); idx[k] < 0 {
			return "", "", fmt.Errorf("panel %s: report %s has no column %q", p.ID, p.Report, s.Column)
		}
	}
	shown := p.Limit
	if p.Others && p.Limit > 0 && tbl.NumRows() > p.Limit {
		shown = p.Limit - 1
	}
	reports.Rows(tbl, func(cols []arrow.Array, i int) {
		others := shown > 0 && len(cats) >= shown
		if others && !p.Others {
			return
		}
		if others && len(cats) == shown {
			cats = append(cats, othersLabel)
			for k := range p.Series {
				values[k] = append(values[k], 0)
			}
		}
		if !others {
			x, _, _ := reports.Cell(cols[xi], i)
			cats = append(cats, x)
		}
		for k := range p.Series {
			v := reports.Float(cols[idx[k]], i)
			if p.Percent && !math.IsNaN(v) {
				v = math.Round(v*10000) / 100
			}
			if others {
				if !math.IsNaN(v) {
					values[k][len(values[k])-1] += v
				}
				continue
			}
			values[k] = append(values[k], v)
		}
	})
	height := 380
	if p.Horizontal {
		height = max(240, 70+24*len(cats))
	}
	init := opts.Initialization{ChartID: "chart_" + p.ID, Width: "100%", Height: fmt.Sprintf("%dpx", height), AssetsHost: assetsHost}
	axisFmt, tipFmt := formatters(p.unit(), currency)
	valueAxis := opts.AxisLabel{Formatter: axisFmt}
	global := []charts.GlobalOpts{
		charts.WithInitializationOpts(init),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", ValueFormatter: tipFmt}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(p.Series) > 1), Top: "0"}),
		charts.WithAnimation(false),
	}
	if p.Horizontal {
		global = append(global,
			charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &valueAxis}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: cats, Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Width: 150, Overflow: "truncate"}}),
			charts.WithGridOpts(opts.Grid{Left: "170", Right: "30", Top: "40", Bottom: "30"}))
	} else {
		global = append(global,
			charts.WithYAxisOpts(opts.YAxis{AxisLabel: &valueAxis}),
			charts.WithGridOpts(opts.Grid{Left: "70", Right: "20", Top: "40", Bottom: "90"}))
	}
	color := func(column string) string { return measureColors[column] }
	switch p.Kind {
	case "line":
		c := charts.NewLine()
		c.SetGlobalOptions(append(global, charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 45}}))...)
		c.SetXAxis(cats)
		for k, s := range p.Series {
			c.AddSeries(s.Label, lineData(values[k]), lineStyle(color(s.Column))...)
		}
		snip := c.RenderSnippet()
		return snip.Element, snip.Script, nil
	case "bar", "stacked_bar":
		c := charts.NewBar()
		if !p.Horizontal {
			c.SetGlobalOptions(append(global, charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 40, Interval: "0"}}))...)
			c.SetXAxis(cats)
		} else {
			c.SetGlobalOptions(global...)
		}
		var lines *charts.Line
		for k, s := range p.Series {
			if slices.Contains(p.Lines, s.Column) {
				if lines == nil {
					lines = charts.NewLine()
					lines.SetXAxis(cats)
				}
				lines.AddSeries(s.Label, lineData(values[k]), lineStyle(color(s.Column))...)
				continue
			}
			var so []charts.SeriesOpts
			if p.Kind == "stacked_bar" {
				so = append(so, charts.WithBarChartOpts(opts.BarChart{Stack: "total"}))
			}
			if col := color(s.Column); col != "" {
				so = append(so, charts.WithItemStyleOpts(opts.ItemStyle{Color: col}))
			}
			c.AddSeries(s.Label, barData(values[k]), so...)
		}
		if lines != nil {
			c.Overlap(lines)
		}
		snip := c.RenderSnippet()
		return snip.Element, snip.Script, nil
	}
	return "", "", fmt.Errorf("panel %s: unknown chart kind %q", p.ID, p.Kind)
}

func lineStyle(color string) []charts.SeriesOpts {
	if color == "" {
		return nil
	}
	return []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: color}), charts.WithLineStyleOpts(opts.LineStyle{Color: color})}
}

func lineData(vs []float64) []opts.LineData {
	out := make([]opts.LineData, len(vs))
	for i, v := range vs {
		if math.IsNaN(v) {
			out[i] = opts.LineData{Value: "-"}
			continue
		}
		out[i] = opts.LineData{Value: v}
	}
	return out
}

func barData(vs []float64) []opts.BarData {
	out := make([]opts.BarData, len(vs))
	for i, v := range vs {
		if math.IsNaN(v) {
			out[i] = opts.BarData{Value: "-"}
			continue
		}
		out[i] = opts.BarData{Value: math.Round(v*100) / 100}
	}
	return out
}

// renderHeatmap draws rows (p.Y) against columns (p.X) coloured by the
// first series on the panel's scale (default 0–200%: blue under 75%, white
// at 100%, red over it).
func renderHeatmap(p Panel, tbl *warehouse.Table) (element, script string, err error) {
	xi, yi := columnIndex(tbl.Schema, p.X), columnIndex(tbl.Schema, p.Y)
	vi := -1
	if len(p.Series) > 0 {
		vi = columnIndex(tbl.Schema, p.Series[0].Column)
	}
	if xi < 0 || yi < 0 || vi < 0 {
		return "", "", fmt.Errorf("panel %s: report %s needs columns %q, %q and a value", p.ID, p.Report, p.X, p.Y)
	}
	var xs, ys []string
	xIndex, yIndex := map[string]int{}, map[string]int{}
	var data []opts.HeatMapData
	reports.Rows(tbl, func(cols []arrow.Array, i int) {
		x, _, _ := reports.Cell(cols[xi], i)
		y, _, _ := reports.Cell(cols[yi], i)
		if _, ok := xIndex[x]; !ok {
			xIndex[x] = len(xs)
			xs = append(xs, x)
		}
		if _, ok := yIndex[y]; !ok {
			yIndex[y] = len(ys)
			ys = append(ys, y)
		}
		v := reports.Float(cols[vi], i)
		var cell any = "-"
		if !math.IsNaN(v) {
			if p.Percent {
				v = math.Round(v*1000) / 10
			}
			cell = v
		}
		data = append(data, opts.HeatMapData{Value: [3]any{xIndex[x], yIndex[y], cell}})
	})
	height := 60 + 22*len(ys)
	if height < 240 {
		height = 240
	}
	scale := HeatScale{Min: 0, Max: 200, Colors: []string{"#2563eb", "#dbeafe", "#ffffff", "#fecaca", "#b91c1c"}}
	if p.Heat != nil {
		scale = *p.Heat
	}
	c := charts.NewHeatMap()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: "chart_" + p.ID, Width: "100%", Height: fmt.Sprintf("%dpx", height), AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(scale.Min), Max: float32(scale.Max), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: scale.Colors}}),
		charts.WithGridOpts(opts.Grid{Left: "140", Right: "20", Top: "10", Bottom: "70"}),
		charts.WithAnimation(false),
	)
	c.AddSeries(p.Series[0].Label, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(len(ys) <= 40), Formatter: "{@[2]}"}))
	snip := c.RenderSnippet()
	return snip.Element, snip.Script, nil
}
