package dashboards

import (
	"net/url"
	"strings"
	"testing"
)

// Closing a month from its page says so on every page whose period covers
// it: totals as closed, and on pages of records that the rows are live.
func TestClosedMonthIsNamedOnEveryPageThatCoversIt(t *testing.T) {
	srv, wh, _ := demoServer(t)
	period := "?from=2025-05-01&to=2025-05-31"
	if _, page, _ := get(t, srv.URL+"/finance"+period); strings.Contains(page, "May 2025 is closed") {
		t.Fatal("May reads as closed before it is closed")
	}
	if code := postPage(t, srv.URL, "/closes", url.Values{"action": {"close"}, "month": {"2025-05"}}); code != 303 {
		t.Fatalf("closing May from the page: %d", code)
	}
	var project string
	if err := wh.DB().QueryRow(`SELECT project_key FROM marts.project_month WHERE month = '2025-05-01' ORDER BY revenue DESC LIMIT 1`).Scan(&project); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/finance" + period:                      "shows its figures as closed",
		"/pnl" + period:                          "shows its figures as closed",
		"/entries" + period:                      "these rows are the records as they are now",
		"/projects/" + url.PathEscape(project):   "these rows are the records as they are now",
		"/finance?from=2025-03-01&to=2025-03-31": "",
	} {
		code, page, _ := get(t, srv.URL+path)
		switch {
		case code != 200:
			t.Errorf("%s: %d", path, code)
		case want == "" && strings.Contains(page, "May 2025 is closed"):
			t.Errorf("%s names May closed though its period is March", path)
		case want != "" && !strings.Contains(page, "May 2025 is closed") || !strings.Contains(page, want):
			t.Errorf("%s does not say May is closed with %q", path, want)
		}
	}
}
