package weekly

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/conflux-dev/conflux/reports"
)

type series struct {
	Column, Label, Color string
}

// barWidth is the longest bar, in pixels.
const barWidth = 300

// barChart draws rows as a horizontal bar chart made of table cells, the
// one chart form Gmail, Outlook and Apple Mail all render: no SVG, no image,
// no script. Each row is a category (x) with one bar per series, scaled to
// the largest value, and the value written beside it. Percent series are
// ratios shown as percentages.
func barChart(title string, rows []Row, x string, ss []series, percent bool) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<h2 style="font-size:16px;margin:8px 0 4px;">%s</h2>`, esc(title))
	if len(rows) == 0 {
		b.WriteString(`<p style="font-size:13px;color:#666;">No data for these weeks.</p>`)
		return template.HTML(b.String())
	}
	b.WriteString(`<p style="font-size:12px;color:#444;margin:0 0 6px;">`)
	for i, s := range ss {
		if i > 0 {
			b.WriteString(" &nbsp; ")
		}
		fmt.Fprintf(&b, `<span style="display:inline-block;width:10px;height:10px;background:%s;"></span>&nbsp;%s`, s.Color, esc(s.Label))
	}
	b.WriteString(`</p>`)
	hi := 0.0
	for _, r := range rows {
		for _, s := range ss {
			if v, ok := num(r[s.Column]); ok {
				hi = math.Max(hi, v)
			}
		}
	}
	b.WriteString(`<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:12px;">`)
	for _, r := range rows {
		for k, s := range ss {
			b.WriteString(`<tr>`)
			if k == 0 {
				fmt.Fprintf(&b, `<td rowspan="%d" valign="top" width="80" style="padding:3px 8px 3px 0;border-top:1px solid #e6e8eb;white-space:nowrap;">%s</td>`, len(ss), esc(str(r[x])))
			}
			v, ok := num(r[s.Column])
			text := "—"
			w := 0
			if ok {
				text = reports.Grouped(v, 0)
				if percent {
					text = fmt.Sprintf("%.1f%%", v*100)
				}
				if hi > 0 && v > 0 {
					w = max(1, int(math.Round(v/hi*barWidth)))
				}
			}
			border := ""
			if k == 0 {
				border = "border-top:1px solid #e6e8eb;"
			}
			fmt.Fprintf(&b, `<td style="padding:1px 0;%s"><table role="presentation" cellpadding="0" cellspacing="0"><tr>`, border)
			if w > 0 {
				fmt.Fprintf(&b, `<td width="%d" height="9" bgcolor="%s" style="width:%dpx;height:9px;background:%s;font-size:0;line-height:0;">&nbsp;</td>`, w, s.Color, w, s.Color)
			}
			fmt.Fprintf(&b, `<td style="padding-left:6px;font-size:11px;color:#444;white-space:nowrap;">%s</td></tr></table></td></tr>`, text)
		}
	}
	b.WriteString(`</table>`)
	return template.HTML(b.String())
}
