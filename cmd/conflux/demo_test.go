package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// `make demo` end to end, minus the server: the default stack (Harvest,
// HubSpot, Xero with a grant its fake OAuth server issued) syncs through the
// real connectors and builds, and the ledger's invoiced revenue per client
// and month ties out to the generator's truth to the cent.
func TestDemoDefaultStackTiesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs three fakes")
	}
	dir := t.TempDir()
	code, out, err := run(t, "demo", "--dir", dir, "--people", "8", "--no-serve")
	if code != 0 {
		t.Fatalf("demo: %d %v\n%s", code, err, out)
	}
	if !strings.Contains(out, "harvest,hubspot,xero") {
		t.Errorf("the default stack is not Harvest, HubSpot and Xero:\n%s", out)
	}
	a := demo.Generate(demo.Options{People: 8})
	planted := a.PlantGaps(true) // as the demo does, with Xero as the ledger
	_, byMonth := a.LedgerInvoicedCents()
	var truth int64
	for _, v := range byMonth {
		truth += v
	}
	wh, err := warehouse.Open(context.Background(), filepath.Join(dir, "conflux.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	var got, deals int64
	var months int
	if err := wh.DB().QueryRow(`SELECT sum(round(invoiced_amount * 100))::BIGINT, count(*) FILTER (WHERE invoiced_amount <> 0) FROM marts.client_month`).Scan(&got, &months); err != nil {
		t.Fatal(err)
	}
	wh.DB().QueryRow(`SELECT count(*) FROM core.deals WHERE source = 'hubspot'`).Scan(&deals)
	// Every view has something to show: money lost, money owed late.
	var losingProjects, losingClients, overdue int
	wh.DB().QueryRow(`SELECT count(*) FROM marts.project_financials WHERE billing_model <> 'non_billable' AND margin < 0`).Scan(&losingProjects)
	wh.DB().QueryRow(`SELECT count(*) FROM (SELECT client_key FROM marts.client_month GROUP BY 1 HAVING sum(revenue) > 0 AND sum(margin) < 0)`).Scan(&losingClients)
	wh.DB().QueryRow(`SELECT count(*) FROM marts.receivables WHERE days_overdue > 30`).Scan(&overdue)
	if losingProjects == 0 || losingClients == 0 || overdue == 0 {
		t.Errorf("the demo has %d projects and %d clients losing money and %d invoices over 30 days overdue: it needs each", losingProjects, losingClients, overdue)
	}
	// The demo's credit note raised after October was closed is not in the
	// generator's truth (see the restatements below).
	var late int64
	wh.DB().QueryRow(`SELECT coalesce(sum(round(net_amount_reporting * 100)), 0)::BIGINT FROM core.invoices WHERE number = 'CN-LATE'`).Scan(&late)
	if got-late != truth || months != len(byMonth) || deals == 0 || late == 0 {
		t.Errorf("invoiced %d cents over %d client-months, truth %d over %d; %d deals", got, months, truth, len(byMonth), deals)
	}
	// The plan comes through Harvest Forecast: every confirmed booking's
	// weekday hours, on the Harvest person and project it names.
	var plannedMinutes, placeholderMinutes int64
	plannedBy := map[string]int64{}
	for _, b := range a.Bookings {
		if b.PersonID == 0 {
			placeholderMinutes += int64(b.MinutesPerDay) * 5
			continue
		}
		if !b.Tentative {
			plannedMinutes += int64(b.MinutesPerDay) * 5
			plannedBy[fmt.Sprintf("harvest:%d|harvest:%d", b.PersonID, b.ProjectID)] += int64(b.MinutesPerDay) * 5
		}
	}
	var booked float64
	var pairs, unmatched int
	wh.DB().QueryRow(`SELECT sum(hours), count(DISTINCT person_key || '|' || project_key), count(*) FILTER (WHERE project_key IS NULL)
		FROM core.bookings WHERE source = 'forecast' AND NOT tentative AND person_key IS NOT NULL`).Scan(&booked, &pairs, &unmatched)
	if int64(booked*60) != plannedMinutes || pairs != len(plannedBy) || unmatched != 0 || plannedMinutes == 0 {
		t.Errorf("Forecast bookings: %v h on %d person-projects (%d unmatched), truth %v h on %d", booked, pairs, unmatched, float64(plannedMinutes)/60, len(plannedBy))
	}
	// Placeholders are role demand: on no one's calendar, in their role's plan.
	var roleDemand, roleConfirmed float64
	wh.DB().QueryRow(`SELECT sum(hours) FROM core.bookings WHERE person_key IS NULL AND role IN ('Developer', 'Designer')`).Scan(&roleDemand)
	wh.DB().QueryRow(`SELECT sum(confirmed_h) FROM marts.role_week_plan`).Scan(&roleConfirmed)
	var personConfirmed float64
	wh.DB().QueryRow(`SELECT sum(confirmed_h) FROM marts.schedule_day`).Scan(&personConfirmed)
	if int64(roleDemand*60) != placeholderMinutes || placeholderMinutes == 0 || roleConfirmed != personConfirmed+roleDemand {
		t.Errorf("placeholders: %v h, truth %v h; role plan confirmed %v = people %v + placeholders?", roleDemand, float64(placeholderMinutes)/60, roleConfirmed, personConfirmed)
	}
	wh.Close()
	cfg := filepath.Join(dir, "conflux.yaml")
	code, out, err = run(t, "--config", cfg, "gaps", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "finding_key,check_id,check_name,severity,entity,owner,status") {
		t.Errorf("gaps --format csv: %d %v\n%s", code, err, out)
	}
	if code, out, err = run(t, "--config", cfg, "gaps"); code != 0 || !strings.Contains(out, "Totals by check") {
		t.Errorf("gaps: %d %v\n%s", code, err, out)
	}
	if code, _, err = run(t, "--config", cfg, "gaps", "--min-amount", "-1"); code != exitUsage || !strings.Contains(err.Error(), "--min-amount") {
		t.Errorf("gaps --min-amount -1: %d %v", code, err)
	}

	// The demo's alert rules fire on its planted problems, and each
	// recipient got one digest from the outbox's mail server and receiver.
	code, out, err = run(t, "--config", cfg, "query", `SELECT rule, title FROM workflow.alerts WHERE rule IN ('stale_deals', 'gaps_over_1000') ORDER BY ALL`, "--format", "csv")
	if code != 0 || !strings.Contains(out, "stale_deals,Stale deal: Planted stale deal") || !strings.Contains(out, "Won deal without a project") {
		t.Errorf("the demo's alerts: %d %v\n%s", code, err, out)
	}
	code, out, err = run(t, "--config", cfg, "query", `SELECT count(*) FILTER (WHERE ok) || '/' || count(*) || ' ' || count(DISTINCT target) FROM workflow.alert_deliveries`, "--format", "csv")
	if code != 0 || !strings.Contains(out, "6/6 5") {
		t.Errorf("the demo's deliveries (sent/all, recipients): want 6/6 to 5 — finance, ops and leadership mail, Slack and Teams, then finance's restated October: %d %v\n%s", code, err, out)
	}
	// October was closed before a timesheet and a credit note dated in it
	// arrived: both are restatements, and October as shown did not move.
	code, out, err = run(t, "--config", cfg, "restatements", "--format", "csv")
	if code != 0 || !strings.Contains(out, ",time added,") || !strings.Contains(out, ",credit note added,") {
		t.Errorf("the demo's restatements: %d %v\n%s", code, err, out)
	}
	code, out, err = run(t, "--config", cfg, "query", "--format", "csv", `SELECT (SELECT sum(revenue) FROM marts.project_month_reported WHERE month = '2026-10-01') = (SELECT sum(revenue) FROM snapshots.project_month WHERE close_month = '2026-10-01'),
		(SELECT sum(revenue) FROM marts.project_month WHERE month = '2026-10-01') - (SELECT sum(revenue) FROM snapshots.project_month WHERE close_month = '2026-10-01') - (SELECT sum(revenue_change) FROM marts.restatements WHERE month = '2026-10-01') BETWEEN -0.05 AND 0.05`)
	if code != 0 || !strings.Contains(out, "true,true") {
		t.Errorf("October as shown must be October as closed, and the live change its restatements: %d %v\n%s", code, err, out)
	}
	// A year of forecast history, scored: bookings understated by 12%.
	code, out, err = run(t, "--config", cfg, "query", "--format", "csv", `SELECT round(bias_pct) FROM marts.forecast_accuracy WHERE measure = 'capacity plan' AND horizon_n = 4 AND segment = 'all'`)
	if code != 0 || !strings.Contains(out, "\n-12\n") {
		t.Errorf("the demo's forecast accuracy: %d %v\n%s", code, err, out)
	}
	// Built again, nothing changed: nothing is sent (the outbox is gone, so
	// a send would fail and show).
	if code, out, err = run(t, "--config", cfg, "build"); code != 0 || !strings.Contains(out, "(0 new, 0 resolved); 0 messages sent\n") {
		t.Errorf("a build with nothing changed: %d %v\n%s", code, err, out)
	}
	code, out, err = run(t, "--config", cfg, "send", "weekly", "--to", "leadership@northwind.example", "--dry-run")
	if code != 0 || !strings.Contains(out, "would send to leadership@northwind.example") || !strings.Contains(out, "attached: kpis-") || !strings.Contains(out, "kpi,") {
		t.Errorf("send weekly --dry-run: %d %v\n%s", code, err, out)
	}

	// The payroll in inputs/costs.xlsx costs the employees' whole years and
	// Harvest's stamps the rest, and the labour cost of every project is the
	// generator's to the cent (the entry added after October's close aside);
	// the list rate card gives list value.
	timeOff := map[int64]bool{}
	for _, p := range a.Projects {
		timeOff[p.ID] = p.TimeOff
	}
	var costCents int64
	for _, e := range a.Entries {
		if !timeOff[e.ProjectID] {
			costCents += int64(e.Quarters) * int64(e.CostRate) * 25
		}
	}
	code, out, err = run(t, "--config", cfg, "query", "--format", "csv", `SELECT sum(round(cost_amount * 100))::BIGINT,
		count(*) FILTER (WHERE cost_rate_source = 'config') > count(*) / 2, count(*) FILTER (WHERE cost_rate_source = 'entry') > 0,
		sum(list_value) > 0
		FROM marts.entry_values WHERE source_id <> '990000001'`)
	if want := fmt.Sprintf("%d,true,true,true", costCents); code != 0 || !strings.Contains(out, want) {
		t.Errorf("labour cost in cents, from salaries mostly, from stamps too, list value: want %s: %d %v\n%s", want, code, err, out)
	}

	// Every planted gap, and nothing else, with its amount and hours, and a
	// link to Harvest for projects and entries.
	code, out, err = run(t, "--config", cfg, "gaps", "--format", "json")
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var findings []map[string]any
	if code != 0 || dec.Decode(&findings) != nil {
		t.Fatalf("gaps --format json: %d %v\n%s", code, err, out)
	}
	var found, want []string
	for _, f := range findings {
		num := func(k string) string {
			if v, ok := f[k].(json.Number); ok {
				return v.String()
			}
			return "-"
		}
		found = append(found, fmt.Sprintf("%s %s %s %s", f["check_id"], f["entity"], num("amount_at_stake"), num("hours_at_stake")))
		if e := f["entity"]; (e == "project" || e == "time_entry") && !strings.HasPrefix(fmt.Sprint(f["source_url"]), "https://northwind.harvestapp.com/") {
			t.Errorf("%s %s has no link to Harvest: %v", f["check_id"], f["record"], f["source_url"])
		}
		if f["entity"] == "deal" && !strings.HasPrefix(fmt.Sprint(f["source_url"]), "https://app.hubspot.com/contacts/4242424/record/0-3/") {
			t.Errorf("%s %s has no link to the deal in HubSpot: %v", f["check_id"], f["record"], f["source_url"])
		}

	}
	for _, p := range planted {
		want = append(want, p.String())
	}
	sort.Strings(found)
	sort.Strings(want)
	if strings.Join(found, "\n") != strings.Join(want, "\n") {
		t.Errorf("the demo's gaps:\n%s\nplanted:\n%s", strings.Join(found, "\n"), strings.Join(want, "\n"))
	}

	// The planted misspelt client waits in the review queue as C08 until a
	// person accepts the match; then mappings.yaml holds it, the next build
	// uses it, and the gap is gone.
	code, out, err = run(t, "--config", cfg, "mappings", "suggest", "--format", "json")
	var queue []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &queue) != nil || len(queue) == 0 {
		t.Fatalf("mappings suggest: %d %v\n%s", code, err, out)
	}
	id, left, right := queue[0]["id"].(string), queue[0]["left_key"].(string), queue[0]["right_key"].(string)
	if _, out, _ = run(t, "--config", cfg, "gaps", "--format", "csv"); !strings.Contains(out, "accept "+id) {
		t.Errorf("no C08 finding names suggestion %s:\n%s", id, out)
	}
	if code, out, err = run(t, "--config", cfg, "mappings", "accept", id); code != 0 {
		t.Fatalf("mappings accept: %d %v\n%s", code, err, out)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "mappings.yaml"))
	if !strings.Contains(string(body), left) || !strings.Contains(string(body), right) {
		t.Fatalf("mappings.yaml lacks the accepted pair:\n%s", body)
	}
	if code, out, err = run(t, "--config", cfg, "build"); code != 0 {
		t.Fatalf("build: %d %v\n%s", code, err, out)
	}
	// C08 cleared, so ops is to be told it resolved; the demo's mail server
	// and receiver have stopped: the build stays green and says so.
	if !strings.Contains(out, "1 resolved); 0 messages sent, 2 failed") || !strings.Contains(out, "✗ email:ops@northwind.example: smtp 127.0.0.1:") {
		t.Errorf("a build whose alerts cannot be delivered:\n%s", out)
	}
	if _, out, _ = run(t, "--config", cfg, "gaps", "--format", "csv"); strings.Contains(out, "C08,") {
		t.Errorf("C08 is still open after the match was accepted:\n%s", out)
	}
	_, out, _ = run(t, "--config", cfg, "query", "--format", "csv", fmt.Sprintf("SELECT method FROM core.xref WHERE record_key = '%s'", left))
	if !strings.Contains(out, "override") {
		t.Errorf("the accepted record's xref method: %s", out)
	}
	if code, _, err = run(t, "--config", cfg, "mappings", "accept", "zz"); code != exitUsage {
		t.Errorf("a bad suggestion ID: %d %v", code, err)
	}

	// A rule naming a column no mart has fails doctor and stops serve from
	// starting, with the rule's key and the fix.
	body, _ = os.ReadFile(cfg)
	bad := filepath.Join(dir, "bad.yaml")
	typo := "    - {name: typo, kind: sql, query: \"SELECT project_key AS key, titel AS title FROM marts.project_forecast\", to: [ops@northwind.example], channels: [email]}\nschedule:\n"
	os.WriteFile(bad, []byte(strings.Replace(string(body), "schedule:\n", typo, 1)), 0o644)
	code, out, err = run(t, "--config", bad, "doctor")
	if code != 1 || !strings.Contains(out, "✗ alert rules (7): ") || !strings.Contains(out, "alerts.rules[6] (typo)") || !strings.Contains(out, "titel") {
		t.Errorf("doctor with a bad rule: %d %v\n%s", code, err, out)
	}
	if code, _, err = run(t, "--config", bad, "serve", "--listen", "127.0.0.1:0"); code != exitUsage || !strings.Contains(fmt.Sprint(err), "alerts.rules[6] (typo)") {
		t.Errorf("serve with a bad rule: %d %v", code, err)
	}
}
