package dashboards

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/reports"
)

// Pages and exports are kept for the data they show: a second view reads
// every panel from the cache, a browser that has the page gets 304 (with no
// new script nonce to break it), and a decision or a refresh makes them all
// current again.
func TestPagesAreKeptUntilTheDataChanges(t *testing.T) {
	wh, a := demotest.BuiltWithGaps(t, smallDemo)
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	hold := make(chan struct{}) // a refresh writes until this is closed
	close(hold)
	s, err := New(Options{Warehouse: wh, Reports: cat, Org: a.Name,
		Refresh: func(context.Context, RefreshRequest) RefreshResult { <-hold; return RefreshResult{} }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	fetch := func(path, etag string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		return resp, string(b)
	}

	first, page := fetch("/ops", "")
	tag := first.Header.Get("ETag")
	if first.StatusCode != 200 || tag == "" || first.Header.Get("Content-Security-Policy") == "" || !strings.Contains(page, "Gaps between the tools") {
		t.Fatalf("/ops: %d, ETag %q", first.StatusCode, tag)
	}
	if first.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/ops is not compressed for a client that accepts gzip (Content-Encoding %q)", first.Header.Get("Content-Encoding"))
	}
	misses := s.cache.misses.Load()
	hits := s.cache.hits.Load()
	again, _ := fetch("/ops", "")
	if again.StatusCode != 200 || s.cache.misses.Load() != misses || s.cache.hits.Load() == hits {
		t.Errorf("a second view ran %d reports again (%d from the cache)", s.cache.misses.Load()-misses, s.cache.hits.Load()-hits)
	}
	same, _ := fetch("/ops", tag)
	if same.StatusCode != http.StatusNotModified || same.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("/ops with its ETag: %d, CSP %q (want 304 and none)", same.StatusCode, same.Header.Get("Content-Security-Policy"))
	}
	if bad, _ := fetch("/api/reports/entries?format=json&from=yesterday", ""); bad.StatusCode == 200 || bad.Header.Get("ETag") != "" {
		t.Errorf("a failed export: %d with ETag %q (an error must not be kept)", bad.StatusCode, bad.Header.Get("ETag"))
	}
	exp, _ := fetch("/api/reports/gaps?format=json&status=open", "")
	if exp.Header.Get("ETag") == "" {
		t.Error("an export carries no ETag")
	} else if again, _ := fetch("/api/reports/gaps?format=json&status=open", exp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("an export with its ETag: %d", again.StatusCode)
	}

	// Acknowledge a finding: the page and the export show it at once.
	i := strings.Index(page, `href="/gaps/`)
	href := page[i+len(`href="`) : i+strings.Index(page[i+6:], `"`)+6]
	if code := postPage(t, srv.URL, href, url.Values{"action": {"acknowledge"}}); code != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", code)
	}
	after, page := fetch("/ops", tag)
	if after.StatusCode != 200 || after.Header.Get("ETag") == tag || !strings.Contains(page, "acknowledged") {
		t.Errorf("after a decision /ops is %d with ETag %q (was %q)", after.StatusCode, after.Header.Get("ETag"), tag)
	}
	if _, js := fetch("/api/reports/gaps?format=json&status=acknowledged", ""); !strings.Contains(js, "acknowledged") {
		t.Error("the export does not list the acknowledged finding")
	}

	// While a refresh writes, readers keep the pages from before it; once it
	// is done (the scheduled one calls Refresh too) they are of the past.
	tag = after.Header.Get("ETag")
	hold = make(chan struct{})
	done := make(chan struct{})
	go func() { s.Refresh(context.Background(), RefreshRequest{Build: true}); close(done) }()
	hits = s.cache.hits.Load()
	if r, _ := fetch("/ops", tag); r.StatusCode != http.StatusNotModified {
		t.Errorf("during a refresh /ops with its ETag: %d", r.StatusCode)
	}
	if r, _ := fetch("/ops", ""); r.StatusCode != 200 || s.cache.hits.Load() == hits {
		t.Errorf("during a refresh /ops: %d, not from the kept page", r.StatusCode)
	}
	close(hold)
	<-done
	// The refresh prepared the dashboards: the first view after it runs nothing.
	misses = s.cache.misses.Load()
	if r, _ := fetch("/ops", tag); r.StatusCode != 200 || s.cache.misses.Load() != misses {
		t.Errorf("after a refresh /ops with the old ETag: %d, %d reports or pages not prepared", r.StatusCode, s.cache.misses.Load()-misses)
	}
	// And the entries every number leads to, as they open unfiltered.
	if r, _ := fetch("/entries", ""); r.StatusCode != 200 || s.cache.misses.Load() != misses {
		t.Errorf("after a refresh /entries: %d, %d reports or pages not prepared", r.StatusCode, s.cache.misses.Load()-misses)
	}
}

// A kept page is written with each stand-in replaced, the page unchanged.
func TestWriteReplacing(t *testing.T) {
	page := []byte("<script nonce=NN>x</script><input value=CC><script nonce=NN></script>CC.")
	kept := string(page)
	var out bytes.Buffer
	writeReplacing(&out, page, []byte("NN"), []byte("n1"), []byte("CC"), []byte("c&amp;2"))
	if want := "<script nonce=n1>x</script><input value=c&amp;2><script nonce=n1></script>c&amp;2."; out.String() != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
	if string(page) != kept {
		t.Error("the kept page changed")
	}
	out.Reset()
	writeReplacing(&out, []byte("plain"), []byte("NN"), []byte("n1"), []byte("CC"), []byte("c2"))
	if out.String() != "plain" {
		t.Errorf("a page with no stand-in: %q", out.String())
	}
}
