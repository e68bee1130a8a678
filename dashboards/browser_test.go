package dashboards

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/conflux-dev/conflux/internal/demo/demotest"
)

// chromium finds Debian's chromium; CI installs it, so there a missing
// browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (.ci/run installs Debian's chromium)")
	}
	t.Skip("chromium is not installed; apt-get install chromium to run the browser test")
	return ""
}

func TestBrowserEveryDashboardDrawsWithoutErrors(t *testing.T) {
	browser := chromium(t)
	if _, err := fs.Stat(assetFS, "assets/echarts.min.js"); err != nil {
		t.Fatal("echarts.min.js is not embedded: run `make assets` (make test does)")
	}
	wh, a := demotest.BuiltWithGaps(t, smallDemo) // so the Ops charts have findings to draw
	srv, _, _ := serve(t, wh, a)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1800))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	var mu gosync.Mutex
	var jsErrors []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			jsErrors = append(jsErrors, msg)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				jsErrors = append(jsErrors, "console.error: "+strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every dashboard: each chart panel draws data points on a canvas (or
	// says it has no rows), each table panel has rows or says so.
	drawn := map[string]int{}
	for _, d := range All() {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+d.Path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatalf("%s: %v", d.Path, err)
		}
		for _, p := range d.Panels {
			if p.Kind == "table" {
				n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#panel-%s tbody tr").length + (/No rows for these filters/.test(document.getElementById("panel-%s").textContent) ? 1000 : 0)`, p.ID, p.ID)))
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Errorf("%s: table %s shows neither rows nor 'No rows'", d.Path, p.ID)
				}
				continue
			}
			empty, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`/No rows for these filters/.test(document.getElementById("panel-`+p.ID+`").textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			if empty {
				t.Errorf("%s: chart %s has no rows on the demo", d.Path, p.ID)
				continue
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#chart_`+p.ID+` canvas`))); err != nil {
				t.Fatalf("%s: chart %s: %v", d.Path, p.ID, err)
			}
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(function (id) {
				var el = document.getElementById("chart_" + id);
				var chart = el && echarts.getInstanceByDom(el);
				if (!chart || !el.querySelector("canvas")) return -1;
				return chart.getOption().series.reduce(function (n, s) {
					return n + s.data.filter(function (v) { return v !== "-" && v !== null && !(v && v.value === "-"); }).length;
				}, 0);
			})("`+p.ID+`")`))
			if err != nil {
				t.Fatal(err)
			}
			drawn[d.Slug+"/"+p.ID] = n
			if n <= 0 {
				t.Errorf("%s: chart %s drew %d data points", d.Path, p.ID, n)
			}
		}
	}
	// Clicking a month on Finance's P&L chart opens that month's entries.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/finance"), chromedp.WaitVisible(chromedp.CSS(`#chart_pnl canvas`))); err != nil {
		t.Fatal(err)
	}
	month, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var chart = echarts.getInstanceByDom(document.getElementById("chart_pnl"));
		var name = chart.getOption().xAxis[0].data[0];
		chart.trigger("click", {componentType: "series", name: name});
		return name;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#panel-entries tbody tr`))); err != nil {
		t.Fatalf("clicking %s on the P&L chart: %v", month, err)
	}
	landed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(landed, "/entries?from="+month+"-01&to="+month+"-") {
		t.Errorf("clicking %s on the P&L chart opened %s", month, landed)
	}

	// The Invoiced bars drill to the ledger's lines; a heatmap cell to that
	// person's bookings that week.
	drills := []struct{ page, chart, click, want string }{
		{"/", "chart_revenue", `{componentType: "series", seriesName: "Invoiced", name: o.xAxis[0].data[o.xAxis[0].data.length - 1]}`, "/invoices?from="},
		{"/capacity", "chart_heatmap", `{componentType: "series", value: [0, 0, 0]}`, "/bookings?person="},
	}
	for _, d := range drills {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+d.page), chromedp.WaitVisible(chromedp.CSS("#"+d.chart+" canvas"))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			var chart = echarts.getInstanceByDom(document.getElementById("`+d.chart+`")), o = chart.getOption();
			chart.trigger("click", `+d.click+`);
			return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
		var at string
		for try := 0; try < 50 && !strings.HasPrefix(at, d.want); try++ { // the click navigates asynchronously
			time.Sleep(100 * time.Millisecond)
			if at, err = chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`)); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasPrefix(at, d.want) {
			t.Errorf("a click on %s %s opened %s, want %s…", d.page, d.chart, at, d.want)
		}
	}

	// The weekly report opens from a file, offline, with every chart drawn.
	_, weeklyHTML, _ := get(t, srv.URL+"/reports/weekly?download=1")
	file := filepath.Join(t.TempDir(), "week.html")
	if err := os.WriteFile(file, []byte(weeklyHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	var charts []float64
	err = chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS(`svg`)))
	if err == nil {
		charts, err = chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.prototype.map.call(document.querySelectorAll("svg"), function (s) {
			var r = s.getBoundingClientRect(); return s.querySelectorAll("polyline").length > 0 ? r.width * r.height : 0; })`))
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 2 || charts[0] <= 0 || charts[1] <= 0 {
		t.Errorf("weekly report opened offline: chart areas %v, want two drawn charts", charts)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#panel-projects tbody tr a`))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#panel-projects tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	// Sorting a table by a heading reorders its rows.
	sorted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var th = document.querySelectorAll("#panel-projects th")[3]; th.click(); th.click();
		var v = Array.prototype.map.call(document.querySelectorAll("#panel-projects tbody tr"), function (r) { return parseFloat(r.cells[3].textContent.replace(/,/g, "")); });
		for (var i = 1; i < v.length; i++) if (v[i] > v[i-1]) return false;
		return th.getAttribute("aria-sort") === "descending";
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#panel-projects tbody tr a`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href*="harvestapp.com/time/day/"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if rows == 0 {
		t.Error("projects table is empty")
	}
	if !sorted {
		t.Error("clicking the Hours heading twice did not sort the projects by hours, most first")
	}
	if !strings.Contains(title, "Conflux") {
		t.Errorf("drill-down page title %q", title)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("JavaScript errors:\n%s", strings.Join(jsErrors, "\n"))
	}
	fmt.Fprintf(os.Stderr, "browser test: data points per chart %v, %d project rows\n", drawn, rows)
}
