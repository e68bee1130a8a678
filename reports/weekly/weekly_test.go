package weekly

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/reports"
)

func TestParseISOWeek(t *testing.T) {
	for in, want := range map[string]string{"2025-W01": "2024-12-30", "2026-W47": "2026-11-16", "2026-W53": "2026-12-28", "2020-W53": "2020-12-28"} {
		got, err := ParseISOWeek(in)
		if err != nil || got.Format(time.DateOnly) != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2025-W53", "2025-W00", "2025-47", "W47"} {
		if _, err := ParseISOWeek(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

// The report is one file with nothing to fetch: no script, no external
// reference; its KPIs are the leadership_kpis report's for the week asked.
func TestRenderIsSelfContained(t *testing.T) {
	wh, a := demotest.BuiltWithGaps(t, demo.Options{People: 8, Clients: 4, Projects: 8, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fetch := Local(cat, wh)
	monday, _ := ParseISOWeek("2025-W20")
	body, err := Render(ctx, fetch, Options{Org: a.Name, Week: monday, Currency: "GBP", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	html := string(body)
	for _, banned := range []string{"<script", "src=", "http://", "https://", "<link", "@import", "url("} {
		if strings.Contains(strings.ReplaceAll(html, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("the report contains %q: it would fetch something", banned)
		}
	}
	// Mail clients drop SVG, scripts and data: images; the charts are
	// table cells, one coloured cell per bar.
	if strings.Contains(html, "<svg") || strings.Contains(html, "data:") {
		t.Error("the report draws with SVG or embeds data: URIs, which Gmail and Outlook do not show")
	}
	if n := strings.Count(html, ` bgcolor="`); n < 12*2+3 {
		t.Errorf("%d bars drawn, want at least 27 (12 weeks × 2 utilization bars, then capacity)", n)
	}
	if !strings.Contains(html, "Leadership weekly — 2025-W20") || !strings.Contains(html, "Mon 12 May – Sun 18 May 2025") {
		t.Error("the report does not name the week asked for")
	}
	kpis, err := fetch(ctx, "leadership_kpis", map[string]string{"week": "2025-05-12"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kpis {
		row := "<td>" + str(k["kpi"]) + "</td><td align=\"right\"><b>" + str(k["this_week_shown"]) + "</b></td>"
		if !strings.Contains(html, row) {
			t.Errorf("KPI row %q missing", row)
		}
	}
	// A week with no time logged is no report: blank KPIs beside today's
	// risks would read as a week of nothing.
	empty, _ := ParseISOWeek("2019-W30")
	if _, err := Render(ctx, fetch, Options{Org: a.Name, Week: empty, Currency: "GBP", Now: time.Now()}); !errors.Is(err, ErrNoTime) || !strings.Contains(err.Error(), "2019-W30") {
		t.Errorf("a week without time: %v, want ErrNoTime naming the week", err)
	}
}
