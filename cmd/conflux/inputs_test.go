package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// smallHarvest serves a small demo agency's Harvest for one test.
func smallHarvest(t *testing.T) *demo.Fakes {
	t.Helper()
	f, err := demo.StartFakes(demo.Generate(demo.Options{People: 6, Clients: 3, Projects: 5, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// mustRun runs conflux and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, err := run(t, args...)
	if code != 0 {
		t.Fatalf("%v: %d %v\n%s", args, code, err, out)
	}
	return out
}

// Finance's inputs moved from conflux.yaml into files give the same marts
// to the cent: costs per person and per role, rate cards, a retainer's
// terms, a fixed fee's milestones, targets and FX rates are written by
// `conflux inputs export`, read back by a files source, and every cost
// rate, project month, team month and the agency's months agree.
func TestFinanceInputsFromFilesGiveTheSameMartsAsTheYAML(t *testing.T) {
	f := smallHarvest(t)
	rows := func(cfg, q string) []map[string]any {
		t.Helper()
		var out []map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, "--config", cfg, "query", "--format", "json", q)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	yamlDir := t.TempDir()
	base := harvestConfig(f.HarvestURL, demo.HarvestToken)
	cfgA := writeConfig(t, yamlDir, base)
	mustRun(t, "--config", cfgA, "sync")
	mustRun(t, "--config", cfgA, "build")
	people := rows(cfgA, `SELECT lower(email) AS email, role FROM core.people WHERE email IS NOT NULL ORDER BY email`)
	projects := rows(cfgA, `SELECT code, billing_model FROM core.projects WHERE code IS NOT NULL AND billing_model <> 'non_billable' ORDER BY code`)
	if len(people) < 3 || len(projects) < 2 {
		t.Fatalf("the agency has %d people and %d projects with codes", len(people), len(projects))
	}
	var fin strings.Builder
	fin.WriteString("finance:\n  overhead_per_hour: 9\n  targets: {" + fmt.Sprint(people[0]["role"]) + ": 0.7}\n  fx_rates: fx.csv\n  costs:\n")
	for i, p := range people[:2] {
		fmt.Fprintf(&fin, "    - {person: %s, team: Studio, salary: %d, burden: 0.21, overhead_share: 9000.5, from: 2024-01-01}\n", p["email"], 52000+i*7000)
		fmt.Fprintf(&fin, "    - {person: %s, salary: %d.75, burden: 0.22, from: 2025-03-01}\n", p["email"], 58000+i*7000)
	}
	fmt.Fprintf(&fin, "    - {role: %s, salary: 61000, burden: 0.2}\n", people[2]["role"])
	fmt.Fprintf(&fin, "  rate_cards:\n    - {role: %s, rate: 135.5}\n    - {role: %s, rate: 150, from: 2025-04-01}\n", people[0]["role"], people[0]["role"])
	fmt.Fprintf(&fin, "  projects:\n    - {code: %s, retainer: {monthly_fee: 6500, hours: 50, rollover_cap_h: 10, overage_rate: 120}}\n", projects[0]["code"])
	fmt.Fprintf(&fin, "    - {code: %s, billing_model: fixed_fee, milestones: [{name: Discovery, amount: 12000, accepted: 2025-02-14}, {name: Launch, amount: 18000.25}]}\n", projects[1]["code"])
	os.WriteFile(filepath.Join(yamlDir, "fx.csv"), []byte("from,to,date,rate\nUSD,GBP,2025-01-02,0.79\nEUR,GBP,2025-01-02,0.845\n"), 0o644)
	cfgA = writeConfig(t, yamlDir, base+fin.String())
	mustRun(t, "--config", cfgA, "build")

	// The same inputs as files: exported, then read by a files source into
	// a new warehouse.
	filesDir := t.TempDir()
	inputs := filepath.Join(filesDir, "inputs")
	out := mustRun(t, "--config", cfgA, "inputs", "export", inputs)
	for _, want := range []string{"costs.csv (5 rows)", "rate_cards.csv (2 rows)", "project_terms.csv (2 rows)", "milestones.csv (2 rows)", "targets.csv (1 rows)", "fx_rates.csv (2 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("inputs export wrote no %s:\n%s", want, out)
		}
	}
	cfgB := writeConfig(t, filesDir, base+"finance:\n  overhead_per_hour: 9\n"+`  inputs:
    type: files
    path: inputs
`)
	// harvestConfig ends with server:, so the source goes under sources:.
	body, _ := os.ReadFile(cfgB)
	fixed := strings.Replace(string(body), "finance:\n  overhead_per_hour: 9\n  inputs:\n    type: files\n    path: inputs\n", "finance:\n  overhead_per_hour: 9\n", 1)
	fixed = strings.Replace(fixed, "sources:\n", "sources:\n  inputs:\n    type: files\n    path: inputs\n", 1)
	cfgB = writeConfig(t, filesDir, fixed)
	mustRun(t, "--config", cfgB, "sync")
	mustRun(t, "--config", cfgB, "build")

	for _, q := range []string{
		`SELECT person_key, year, matched_by, salary, burden, overhead_share, cost_rate_direct FROM marts.cost_rates ORDER BY ALL`,
		`SELECT project_key, month, revenue, dl, contribution, overhead, fully_loaded FROM marts.project_month ORDER BY ALL`,
		`SELECT * FROM marts.team_month ORDER BY ALL`,
		`SELECT * FROM marts.agency_month ORDER BY ALL`,
		`SELECT * FROM marts.retainer_month ORDER BY ALL`,
		`SELECT * FROM seeds.fx_rates ORDER BY ALL`,
		`SELECT * FROM seeds.role_targets ORDER BY ALL`,
	} {
		fromYAML := mustRun(t, "--config", cfgA, "query", "--format", "csv", q)
		fromFiles := mustRun(t, "--config", cfgB, "query", "--format", "csv", q)
		if !sameTable(fromYAML, fromFiles) {
			t.Errorf("%s differs:\nYAML:\n%.1500s\nfiles:\n%.1500s", q, fromYAML, fromFiles)
		}
		if strings.Count(fromYAML, "\n") < 2 {
			t.Errorf("%s has no rows:\n%s", q, fromYAML)
		}
	}
	// The cost rates came from the salaries, not the tool's; two people are
	// on the Studio team their costs name.
	if r := rows(cfgB, `SELECT count(*) AS n FROM core.people WHERE team = 'Studio'`); fmt.Sprint(r[0]["n"]) != "2" {
		t.Errorf("the costs file's team: %v people in Studio, want 2", r[0]["n"])
	}
	if r := rows(cfgB, `SELECT count(*) AS n FROM marts.cost_rates WHERE matched_by = 'person'`); fmt.Sprint(r[0]["n"]) == "0" {
		t.Error("no person's cost came from the costs file")
	}
}

// sameTable compares two CSV outputs cell by cell: the DECIMAL money
// columns exactly, a DOUBLE ratio to 1e-9 (its last digits depend on the
// order DuckDB's threads summed in).
func sameTable(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		ca, cb := strings.Split(la[i], ","), strings.Split(lb[i], ",")
		if len(ca) != len(cb) {
			return false
		}
		for j := range ca {
			if ca[j] == cb[j] {
				continue
			}
			x, e1 := strconv.ParseFloat(ca[j], 64)
			y, e2 := strconv.ParseFloat(cb[j], 64)
			if e1 != nil || e2 != nil || strings.Count(ca[j], ".") == 0 || len(ca[j])-strings.Index(ca[j], ".") <= 7 || math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
				return false
			}
		}
	}
	return true
}

// One team's time kept in a spreadsheet instead of Harvest (the team's
// entries deleted from Harvest and written as a time_entries file, emails
// and project codes, no keys) gives the same hours, revenue and cost per
// project, person and team as when Harvest held it.
func TestOneTeamsTimeFromAFileGivesTheSameMarts(t *testing.T) {
	f := smallHarvest(t)
	apiDir := t.TempDir()
	base := harvestConfig(f.HarvestURL, demo.HarvestToken)
	cfgA := writeConfig(t, apiDir, base)
	mustRun(t, "--config", cfgA, "sync")
	mustRun(t, "--config", cfgA, "build")

	// The team with the most people: its entries, as a spreadsheet would
	// hold them.
	wh, err := warehouse.Open(context.Background(), filepath.Join(apiDir, "conflux.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := wh.DB().Query(`WITH team AS (SELECT role FROM core.people WHERE role IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)
		SELECT e.id, e.payload->>'spent_date', lower(u.payload->>'email'), p.payload->>'code', (e.payload->>'hours')::VARCHAR,
			CASE WHEN (e.payload->>'billable')::BOOLEAN THEN 'yes' ELSE 'no' END, coalesce(e.payload->>'billable_rate', ''), (e.payload->'task'->>'name'),
			coalesce(e.payload->>'notes', '')
		FROM raw.harvest__time_entries e
		JOIN raw.harvest__users u ON u.id = (e.payload->'user'->>'id')
		JOIN raw.harvest__projects p ON p.id = (e.payload->'project'->>'id')
		JOIN core.people cp ON cp.source_id = u.id AND cp.source = 'harvest'
		WHERE e.deleted_at IS NULL AND cp.role = (SELECT role FROM team) ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	var csvBody strings.Builder
	csvBody.WriteString("Date;Person;Project;Hours;Billable;Task;Notes;Rate\n")
	var ids []int64
	for rs.Next() {
		var id int64
		var day, email, code, hours, billable, rate, task, notes string
		if err := rs.Scan(&id, &day, &email, &code, &hours, &billable, &rate, &task, &notes); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		d, _ := time.Parse(time.DateOnly, day)
		// A European spreadsheet: day-first dates, decimal commas.
		fmt.Fprintf(&csvBody, "%s;%s;%s;%s;%s;%s;%q;%s\n", d.Format("02/01/2006"), email, code, strings.ReplaceAll(hours, ".", ","), billable, task,
			strings.ReplaceAll(notes, `"`, `'`), strings.ReplaceAll(rate, ".", ","))
	}
	rs.Close()
	wh.Close()
	if len(ids) < 50 {
		t.Fatalf("the team has %d entries", len(ids))
	}
	for _, id := range ids {
		f.Harvest.Delete("time_entries", id)
	}
	filesDir := t.TempDir()
	os.Mkdir(filepath.Join(filesDir, "timesheets"), 0o755)
	os.WriteFile(filepath.Join(filesDir, "timesheets", "design-team.csv"), []byte(csvBody.String()), 0o644)
	cfgB := writeConfig(t, filesDir, strings.Replace(base, "sources:\n", "sources:\n  sheets:\n    type: files\n    path: timesheets\n", 1))
	mustRun(t, "--config", cfgB, "sync")
	mustRun(t, "--config", cfgB, "build")

	for _, q := range []string{
		`SELECT project_key, month, worked_h, billable_h, revenue, dl FROM marts.project_month ORDER BY ALL`,
		`SELECT person_key, week_start, worked_h, billable_h FROM marts.person_week ORDER BY ALL`,
		`SELECT team, month, worked_h, billable_h, revenue, dl FROM marts.team_month ORDER BY ALL`,
	} {
		fromAPI := mustRun(t, "--config", cfgA, "query", "--format", "csv", q)
		fromFile := mustRun(t, "--config", cfgB, "query", "--format", "csv", q)
		if !sameTable(fromAPI, fromFile) {
			t.Errorf("%s differs:\nAPI:\n%.1500s\nfile:\n%.1500s", q, fromAPI, fromFile)
		}
	}
	if out := mustRun(t, "--config", cfgB, "query", "--format", "csv", `SELECT count(*) FROM core.time_entries WHERE source = 'sheets'`); !strings.Contains(out, fmt.Sprint(len(ids))) {
		t.Errorf("the file's %d entries are not all in core.time_entries:\n%s", len(ids), out)
	}

	// A scheduling tool's export: two weeks at 6 hours a weekday, on a
	// project by its name, for a person by email.
	var project, email string
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, "--config", cfgB, "query", "--format", "csv",
		`SELECT (SELECT name FROM core.projects WHERE billing_model = 'tm' ORDER BY name LIMIT 1), (SELECT lower(email) FROM core.people WHERE source = 'harvest' ORDER BY email LIMIT 1)`)), "\n")[1:] {
		project, email, _ = strings.Cut(line, ",")
	}
	os.WriteFile(filepath.Join(filesDir, "timesheets", "plan.csv"), []byte("Email,Project,Start date,End date,Hours per day\n"+email+","+project+",2025-06-02,2025-06-13,6\n"), 0o644)
	mustRun(t, "--config", cfgB, "sync")
	mustRun(t, "--config", cfgB, "build")
	if out := mustRun(t, "--config", cfgB, "query", "--format", "csv", `SELECT count(*) AS days, sum(hours) AS hours, count(DISTINCT project_key) AS projects, count(person_key) AS people FROM core.bookings WHERE source = 'sheets'`); !strings.Contains(out, "10,60.0000,1,10") {
		t.Errorf("the plan's bookings: %s", out)
	}
}
