package dashboards

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
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

// chromiumPath finds a browser, if the machine has one.
func chromiumPath() (string, bool) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// chromium finds Debian's chromium; CI installs it, so there a missing
// browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	if p, ok := chromiumPath(); ok {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (.ci/run installs Debian's chromium)")
	}
	t.Skip("chromium is not installed; apt-get install chromium to run the browser test")
	return ""
}

// clickPoint opens page, clicks with the mouse the centre of the point the
// chart drew for series and point (-1: the last), and returns where the
// browser went.
func clickPoint(t *testing.T, ctx context.Context, page, chart string, series, point int) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#"+chart+" canvas"))); err != nil {
		t.Fatal(err)
	}
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(function () {
		var el = document.getElementById(%q), chart = echarts.getInstanceByDom(el);
		var data = chart.getModel().getSeriesByIndex(%d).getData(), i = %d < 0 ? data.count() - 1 : %d;
		var l = data.getItemLayout(i), r = el.getBoundingClientRect(), x, y;
		if (!l) { // a heatmap keeps no layout: its cell's centre from the axes
			var v = chart.getOption().series[%d].data[i]; v = v.value || v;
			l = chart.convertToPixel({seriesIndex: %d}, [v[0], v[1]]);
		}
		x = Array.isArray(l) ? l[0] : l.x + l.width / 2; y = Array.isArray(l) ? l[1] : l.y + l.height / 2;
		window.scrollTo(0, 0);
		return [r.left + x, r.top + y];
	})()`, chart, series, point, point, series, series)))
	if err != nil {
		t.Fatal(err)
	}
	before := page
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	var at string
	for try := 0; try < 50; try++ { // the click navigates asynchronously
		time.Sleep(100 * time.Millisecond)
		if at, err = chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); err != nil {
			t.Fatal(err)
		}
		if at != before {
			break
		}
	}
	u, _ := url.Parse(at)
	return u.RequestURI()
}

// openPage loads u and fails at once on an error page (whose heading the
// dashboards' would never show up).
func openPage(ctx context.Context, u string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		return err
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main .notice.error") || {}).textContent || ""`))
	if err != nil {
		return err
	}
	if msg != "" {
		return fmt.Errorf("error page: %s", strings.TrimSpace(msg))
	}
	return nil
}

// startBrowser starts headless Chromium with the flags this machine's
// closed network needs, and collects the pages' JavaScript errors.
func startBrowser(t *testing.T, browser string, width, height int) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(cancelTimeout)
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
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), jsErrors...)
	}
}

func TestBrowserEveryDashboardDrawsWithoutErrors(t *testing.T) {
	browser := chromium(t)
	if _, err := fs.Stat(assetFS, "assets/echarts.min.js"); err != nil {
		t.Fatal("echarts.min.js is not embedded: run `make assets` (make test does)")
	}
	wh, a := demotest.BuiltWithGaps(t, smallDemo) // so the Ops charts have findings to draw
	srv, _, _ := serve(t, wh, a)

	ctx, jsErrors := startBrowser(t, browser, 1400, 1800)
	// Every dashboard: each chart panel draws data points on a canvas (or
	// says it has no rows), each table panel has rows or says so.
	drawn := map[string]int{}
	for _, d := range All() {
		if err := openPage(ctx, srv.URL+d.Path); err != nil {
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
	// A mouse click on a drawn point opens the rows behind it: a month of
	// Finance's P&L its project-months, the Invoiced bar the ledger's lines,
	// a heatmap cell that person's bookings that week.
	clicks := []struct {
		page, chart   string
		series, point int // the series and the point clicked; -1: the last point
		want          string
	}{
		{"/finance", "chart_pnl", 0, 0, "/pnl?from="},
		{"/", "chart_revenue", 1, -1, "/invoices?from="},
		{"/capacity", "chart_heatmap", 0, 0, "/bookings?"},
	}
	for _, c := range clicks {
		at := clickPoint(t, ctx, srv.URL+c.page, c.chart, c.series, c.point)
		if !strings.HasPrefix(at, c.want) {
			t.Errorf("a click on %s %s opened %s, want %s…", c.page, c.chart, at, c.want)
		}
		if c.chart == "chart_heatmap" && !strings.Contains(at, "person=") {
			t.Errorf("a heatmap cell opened %s, not a person's bookings", at)
		}
	}

	// The weekly report opens from a file, offline, with its bar charts drawn.
	_, weeklyHTML, _ := get(t, srv.URL+"/reports/weekly?download=1")
	file := filepath.Join(t.TempDir(), "week.html")
	if err := os.WriteFile(file, []byte(weeklyHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	var bars []float64
	err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS(`td[bgcolor]`)))
	if err == nil {
		bars, err = chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.prototype.map.call(document.querySelectorAll("td[bgcolor]"), function (td) {
			var r = td.getBoundingClientRect(); return r.width * r.height; })`))
	}
	if err != nil {
		t.Fatal(err)
	}
	drawnBars := 0
	for _, area := range bars {
		if area > 0 {
			drawnBars++
		}
	}
	if drawnBars < 24 {
		t.Errorf("weekly report opened offline: %d bars drawn, want the two charts' bars", drawnBars)
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
	if errs := jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors:\n%s", strings.Join(errs, "\n"))
	}
	fmt.Fprintf(os.Stderr, "browser test: data points per chart %v, %d project rows\n", drawn, rows)
}
