package dashboards

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

// assetsHost is where the embedded echarts.min.js is served.
const assetsHost = "/assets/"

// renderChart turns a panel's report into a go-echarts snippet: the
// category axis is the panel's X column and each series one numeric column.
func renderChart(p Panel, tbl *warehouse.Table) (element, script string, err error) {
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
	reports.Rows(tbl, func(cols []arrow.Array, i int) {
		if p.Limit > 0 && len(cats) >= p.Limit {
			return
		}
		x, _, _ := reports.Cell(cols[xi], i)
		cats = append(cats, x)
		for k := range p.Series {
			v := reports.Float(cols[idx[k]], i)
			if p.Percent && !math.IsNaN(v) {
				v = math.Round(v*10000) / 100
			}
			values[k] = append(values[k], v)
		}
	})
	init := opts.Initialization{ChartID: "chart_" + p.ID, Width: "100%", Height: "380px", AssetsHost: assetsHost}
	yFormat := "{value}"
	if p.Percent {
		yFormat = "{value}%"
	}
	global := []charts.GlobalOpts{
		charts.WithInitializationOpts(init),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(p.Series) > 1), Top: "0"}),
		charts.WithYAxisOpts(opts.YAxis{AxisLabel: &opts.AxisLabel{Formatter: opts.FuncOpts(fmt.Sprintf("'%s'", yFormat))}}),
		charts.WithGridOpts(opts.Grid{Left: "60", Right: "20", Top: "40", Bottom: "90"}),
		charts.WithAnimation(false),
	}
	switch p.Kind {
	case "line":
		c := charts.NewLine()
		c.SetGlobalOptions(append(global, charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 45}}))...)
		c.SetXAxis(cats)
		for k, s := range p.Series {
			c.AddSeries(s.Label, lineData(values[k]))
		}
		snip := c.RenderSnippet()
		return snip.Element, snip.Script, nil
	case "bar", "stacked_bar":
		c := charts.NewBar()
		c.SetGlobalOptions(append(global, charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 40, Interval: "0"}}))...)
		c.SetXAxis(cats)
		var lines *charts.Line
		for k, s := range p.Series {
			if slices.Contains(p.Lines, s.Column) {
				if lines == nil {
					lines = charts.NewLine()
					lines.SetXAxis(cats)
				}
				lines.AddSeries(s.Label, lineData(values[k]))
				continue
			}
			var so []charts.SeriesOpts
			if p.Kind == "stacked_bar" {
				so = append(so, charts.WithBarChartOpts(opts.BarChart{Stack: "total"}))
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
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(scale.Min), Max: float32(scale.Max), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: scale.Colors}}),
		charts.WithGridOpts(opts.Grid{Left: "140", Right: "20", Top: "10", Bottom: "70"}),
		charts.WithAnimation(false),
	)
	c.AddSeries(p.Series[0].Label, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(len(ys) <= 40), Formatter: "{@[2]}"}))
	snip := c.RenderSnippet()
	return snip.Element, snip.Script, nil
}
