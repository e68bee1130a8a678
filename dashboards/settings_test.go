package dashboards

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/inputs"
	"github.com/conflux-dev/conflux/internal/sync"
	"github.com/conflux-dev/conflux/reports"
)

// Settings edits a cost where it lives: in its CSV file, written as the
// file writes numbers (decimal commas in a ;-separated file), checked as a
// sync checks it (a bad value writes nothing), recorded with who and
// when, then synced; a new target goes to a new targets file; a delete
// removes the row.
func TestSettingsEditsTheInputFiles(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	db := wh.DB()
	var email string
	if err := db.QueryRow(`SELECT lower(email) FROM core.people WHERE email IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&email); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "inputs")
	os.Mkdir(dir, 0o755)
	costs := filepath.Join(dir, "costs.csv")
	os.WriteFile(costs, []byte("person;salary;burden\n"+email+";85.000,50;0,2\n"), 0o644)
	people := func(context.Context) (map[string]bool, error) { return map[string]bool{email: true}, nil }
	conn, err := files.New(files.Config{Source: "inputs", Dir: dir, People: people})
	if err != nil {
		t.Fatal(err)
	}
	syncFiles := func() {
		t.Helper()
		if _, err := sync.Run(context.Background(), wh, sync.Source{Name: "inputs", Connector: conn}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	syncFiles()
	cat, err := reports.Load()
	if err != nil {
		t.Fatal(err)
	}
	var refreshed []RefreshRequest
	s, err := New(Options{Warehouse: wh, Reports: cat, Token: testToken, Org: a.Name,
		Inputs: &inputs.Store{DB: db, Sources: map[string]string{"inputs": dir}, People: people},
		Refresh: func(ctx context.Context, req RefreshRequest) RefreshResult {
			refreshed = append(refreshed, req)
			if req.Sync {
				syncFiles()
			}
			return RefreshResult{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	_, page, _ := get(t, srv.URL+"/settings")
	for _, want := range []string{"People&#39;s costs", email, `value="85000.50"`, "inputs/costs.csv row 2", "Rate cards", "FX rates"} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page does not show %q", want)
		}
	}
	var id string
	db.QueryRow(`SELECT 'inputs|' || id FROM raw.inputs__costs WHERE deleted_at IS NULL`).Scan(&id)
	post := func(form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrfOfPage(t, srv.URL))
		code := postPage(t, srv.URL, "/settings", form)
		_, body, _ := get(t, srv.URL+"/settings")
		return code, body
	}

	// A bad value: refused with its column, nothing written.
	before, _ := os.ReadFile(costs)
	bad := url.Values{"shape": {"costs"}, "id": {id}, "action": {"save"}, "person": {email}, "salary": {"85k"}}
	form := url.Values{}
	for k, v := range bad {
		form[k] = v
	}
	form.Set("csrf", csrfOfPage(t, srv.URL))
	req, _ := http.NewRequest("POST", srv.URL+"/settings", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if after, _ := os.ReadFile(costs); resp.StatusCode != 422 || string(after) != string(before) || !strings.Contains(string(body), `column salary: is not a number`) {
		t.Errorf("a bad salary: %d, file changed %v\n%.600s", resp.StatusCode, string(after) != string(before), body)
	}

	// An edit: written back as the file writes numbers, synced, recorded.
	if code, _ := post(url.Values{"shape": {"costs"}, "id": {id}, "action": {"save"}, "person": {email}, "salary": {"90000"}, "burden": {"25%"}}); code != 303 {
		t.Fatalf("saving a cost: %d", code)
	}
	got, _ := os.ReadFile(costs)
	if want := "person;salary;burden\n" + email + ";90000;0,25\n"; string(got) != want {
		t.Errorf("the file after the edit:\n%q\nwant\n%q", got, want)
	}
	var salary, actor string
	db.QueryRow(`SELECT payload->>'salary' FROM raw.inputs__costs WHERE deleted_at IS NULL`).Scan(&salary)
	db.QueryRow(`SELECT actor || ' ' || action || ' ' || place FROM meta.input_edits`).Scan(&actor)
	if salary != "90000" || !strings.HasSuffix(actor, " edit inputs/costs.csv row 2") || len(refreshed) != 1 || !refreshed[0].Sync || !refreshed[0].Build {
		t.Errorf("after the edit: salary %q, edit %q, refreshes %+v", salary, actor, refreshed)
	}

	// A new target: a targets file is made for it.
	if code, _ := post(url.Values{"shape": {"targets"}, "action": {"save"}, "role": {"Designer"}, "target": {"75%"}}); code != 303 {
		t.Fatalf("adding a target: %d", code)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "targets.csv")); !strings.HasSuffix(string(got), "role,target\nDesigner,0.75\n") {
		t.Errorf("targets.csv:\n%s", got)
	}

	// A delete removes the row from the file and, synced, from the source.
	if code, body := post(url.Values{"shape": {"costs"}, "id": {id}, "action": {"delete"}}); code != 303 || strings.Contains(body, `value="90000"`) {
		t.Errorf("deleting the cost: %d", code)
	}
	var left int
	db.QueryRow(`SELECT count(*) FROM raw.inputs__costs WHERE deleted_at IS NULL`).Scan(&left)
	if got, _ := os.ReadFile(costs); string(got) != "person;salary;burden\n" || left != 0 {
		t.Errorf("after the delete: %d rows, file %q", left, got)
	}
}

// With no files source, rows entered at Settings are kept in meta.inputs.
func TestSettingsKeepsRowsInTheWarehouseWithoutAFilesSource(t *testing.T) {
	wh, a := demotest.Built(t, smallDemo)
	cat, _ := reports.Load()
	refreshes := 0
	s, err := New(Options{Warehouse: wh, Reports: cat, Token: testToken, Org: a.Name, Inputs: &inputs.Store{DB: wh.DB()},
		Refresh: func(ctx context.Context, req RefreshRequest) RefreshResult {
			if !req.Sync && req.Build {
				refreshes++
			}
			return RefreshResult{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	if code := postPage(t, srv.URL, "/settings", url.Values{"shape": {"fx_rates"}, "action": {"save"}, "from": {"usd"}, "to": {"GBP"}, "date": {"05/01/2026"}, "rate": {"0.79"}}); code != 303 {
		t.Fatalf("adding a rate: %d", code)
	}
	var values string
	wh.DB().QueryRow(`SELECT "values"::VARCHAR FROM meta.inputs WHERE shape = 'fx_rates'`).Scan(&values)
	_, page, _ := get(t, srv.URL+"/settings")
	if values != `{"date":"2026-01-05","from":"USD","rate":"0.79","to":"GBP"}` || refreshes != 1 || !strings.Contains(page, "entered here") {
		t.Errorf("meta.inputs %s, %d builds, page shows it: %v", values, refreshes, strings.Contains(page, "entered here"))
	}
}
