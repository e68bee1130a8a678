package weekly

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/conflux-dev/conflux/reports"
)

type series struct {
	Column, Label, Color string
}

const (
	svgW, svgH                  = 700, 290
	padL, padR, padTop, padBott = 56, 16, 30, 84
)

// lineChart draws rows as an inline SVG line chart: one category per row
// (x), one line per series; NULLs break the line. Percent series are
// ratios shown as percentages.
func lineChart(title string, rows []Row, x string, ss []series, percent bool) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="100%%" viewBox="0 0 %d %d" role="img" aria-label="%s" style="font-family:Arial,Helvetica,sans-serif;">`,
		svgW, svgH, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="16" font-size="15" font-weight="bold" fill="#1d2430">%s</text>`, html.EscapeString(title))
	if len(rows) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#666">No data for these weeks.</text></svg>`, padL, svgH/2)
		return template.HTML(b.String())
	}
	scale := 1.0
	if percent {
		scale = 100
	}
	hi := 0.0
	for _, r := range rows {
		for _, s := range ss {
			if v, ok := num(r[s.Column]); ok {
				hi = math.Max(hi, v*scale)
			}
		}
	}
	top := niceCeil(hi)
	plotW, plotH := float64(svgW-padL-padR), float64(svgH-padTop-padBott)
	px := func(i int) float64 {
		if len(rows) == 1 {
			return float64(padL) + plotW/2
		}
		return float64(padL) + plotW*float64(i)/float64(len(rows)-1)
	}
	py := func(v float64) float64 { return float64(padTop) + plotH*(1-v/top) }
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		y := py(v)
		label := trimFloat(v)
		if percent {
			label += "%"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e6e8eb"/>`, padL, y, svgW-padR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" fill="#666" text-anchor="end">%s</text>`, padL-6, y+4, label)
	}
	step := int(math.Ceil(float64(len(rows)) / 12))
	for i, r := range rows {
		if i%step != 0 {
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#666" text-anchor="end" transform="rotate(-40 %.1f %d)">%s</text>`,
			px(i), svgH-padBott+16, px(i), svgH-padBott+16, html.EscapeString(str(r[x])))
	}
	for k, s := range ss {
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, s.Color, strings.Join(pts, " "))
			}
			for _, p := range pts {
				xy := strings.Split(p, ",")
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, xy[0], xy[1], s.Color)
			}
			pts = pts[:0]
		}
		for i, r := range rows {
			v, ok := num(r[s.Column])
			if !ok {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(i), py(v*scale)))
		}
		flush()
		lx := padL + k*130
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="4" fill="%s"/><text x="%d" y="%d" font-size="12" fill="#1d2430">%s</text>`,
			lx, svgH-12, s.Color, lx+16, svgH-6, html.EscapeString(s.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten (at least 1).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return reports.Grouped(v, 0)
	}
	return fmt.Sprintf("%.1f", v)
}
