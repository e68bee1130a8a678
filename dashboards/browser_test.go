package dashboards

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
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

func TestBrowserOverviewDrawsChartsWithoutErrors(t *testing.T) {
	browser := chromium(t)
	if _, err := fs.Stat(assetFS, "assets/echarts.min.js"); err != nil {
		t.Fatal("echarts.min.js is not embedded: run `make assets` (make test does)")
	}
	srv, _, _ := demoServer(t)

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
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#chart_utilization canvas`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart_burn canvas`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	points, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`["utilization", "hours", "revenue", "margin", "burn"].map(function (id) {
		var el = document.getElementById("chart_" + id);
		var chart = el && echarts.getInstanceByDom(el);
		if (!chart || !el.querySelector("canvas")) return -1;
		return chart.getOption().series.reduce(function (n, s) {
			return n + s.data.filter(function (v) { return v !== "-" && v !== null && !(v && v.value === "-"); }).length;
		}, 0);
	})`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#panel-projects tbody tr").length`))
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
	// The Ops page loads too (its data-health tables are never empty).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ops"), chromedp.WaitVisible(chromedp.CSS(`#panel-tests tbody tr`))); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"utilization", "hours", "revenue", "margin", "burn"} {
		if points[i] <= 0 {
			t.Errorf("chart %s drew %d data points", id, points[i])
		}
	}
	if rows == 0 {
		t.Error("projects table is empty")
	}
	if !strings.Contains(title, "Conflux") {
		t.Errorf("drill-down page title %q", title)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("JavaScript errors:\n%s", strings.Join(jsErrors, "\n"))
	}
	fmt.Fprintf(os.Stderr, "browser test: charts drew %v points, %d project rows\n", points, rows)
}
