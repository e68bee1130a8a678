package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/demo/demotest"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

func demoWarehouse(t testing.TB) *warehouse.Warehouse {
	wh, _ := demotest.Built(t, demo.Options{People: 6, Clients: 3, Projects: 5, Years: 1, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	return wh
}

func TestReportsRunAndExportsMatch(t *testing.T) {
	wh := demoWarehouse(t)
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var project string
	wh.DB().QueryRow(`SELECT project_key FROM marts.project_financials WHERE billing_model <> 'non_billable' ORDER BY hours DESC LIMIT 1`).Scan(&project)
	for _, name := range cat.Names() {
		var params map[string]string
		if r, _ := cat.Get(name); slices.ContainsFunc(r.Params, func(p Param) bool { return p.Name == "project" }) {
			params = map[string]string{"project": project} // a project's own reports
		}
		tbl, err := cat.Run(ctx, wh, name, params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Every report reads as of a day (nothing closed here: the same rows).
		asOf := map[string]string{AsOf: "2025-06-01"}
		for k, v := range params {
			asOf[k] = v
		}
		if then, err := cat.Run(ctx, wh, name, asOf); err != nil {
			t.Errorf("%s as of a day: %v", name, err)
		} else {
			if then.NumRows() != tbl.NumRows() {
				t.Errorf("%s as of a day with nothing closed: %d rows; live %d", name, then.NumRows(), tbl.NumRows())
			}
			then.Release()
		}
		// A clean generated agency has no gaps, no unbilled backlog and no
		// budget near its end, and a Harvest-only one no plan or pipeline and no
		// time another tool holds too:
		// those reports may be empty.
		mayBeEmpty := map[string]bool{"gaps": true, "gaps_by_check": true, "identity_review": true, "gaps_weekly": true,
			"budgets_at_risk": true, "unbilled_aging": true, "projects_at_risk": true, "bookings": true, "open_deals": true,
			"gap_history": true, "open_invoices": true, "revenue_forecast": true, "cash_forecast": true, "bench_people": true,
			"uncounted_time": true, "project_uncounted": true, "alert_channels": true, "closed_months": true, "restatements": true, "forecast_accuracy": true}
		if tbl.NumRows() == 0 && !mayBeEmpty[name] {
			t.Errorf("%s: no rows", name)
		}
		var js, cs bytes.Buffer
		if err := WriteJSON(&js, tbl); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(js.Bytes(), &rows); err != nil {
			t.Fatalf("%s: JSON does not parse: %v\n%s", name, err, js.String()[:min(500, js.Len())])
		}
		WriteCSV(&cs, tbl)
		if lines := strings.Count(cs.String(), "\n"); lines != len(rows)+1 {
			t.Errorf("%s: CSV has %d lines for %d JSON rows", name, lines, len(rows))
		}
		tbl.Release()
	}

	// Exact decimals: the JSON total equals SQL's sum to the cent.
	tbl, err := cat.Run(ctx, wh, "project_financials", nil)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	WriteJSON(&js, tbl)
	dec := json.NewDecoder(&js)
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	var want string
	wh.DB().QueryRow(`SELECT sum(revenue::DECIMAL(18,2))::VARCHAR FROM marts.project_financials WHERE billing_model <> 'non_billable'`).Scan(&want)
	total := new(big.Rat)
	for _, r := range rows {
		v, ok := new(big.Rat).SetString(string(r["revenue"].(json.Number)))
		if !ok {
			t.Fatalf("revenue %v is not a number", r["revenue"])
		}
		total.Add(total, v)
	}
	if got := total.FloatString(2); got != want {
		t.Errorf("Σ revenue in JSON %s, SQL %s", got, want)
	}

	project = rows[0]["project_key"].(string)
	entries, err := cat.Run(ctx, wh, "project_entries", map[string]string{"project": project})
	if err != nil {
		t.Fatal(err)
	}
	if entries.NumRows() == 0 {
		t.Error("a project's drill-down has no entries")
	}
	var table bytes.Buffer
	WriteTable(&table, entries)
	if !strings.Contains(table.String(), "harvestapp.com/time/day/") {
		t.Error("entries do not link back to Harvest")
	}
}

func TestParameterErrors(t *testing.T) {
	wh := demoWarehouse(t)
	cat, _ := Load()
	_, err := cat.Run(context.Background(), wh, "utilization_weekly", map[string]string{"from": "last week"})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Param != "from" {
		t.Errorf("bad date: %v", err)
	}
	if _, err := cat.Run(context.Background(), wh, "utilization_weekly", map[string]string{"form": "2025-01-01"}); err == nil {
		t.Error("an unknown parameter was ignored")
	}
	if _, err := cat.Run(context.Background(), wh, "nope", nil); err == nil || !strings.Contains(err.Error(), "utilization_weekly") {
		t.Errorf("unknown report: %v", err)
	}
}

func TestReadOnlyQueries(t *testing.T) {
	for _, q := range []string{"SELECT 1", "with x as (select 1) select * from x", "FROM marts.person_week", "select ';' as s"} {
		if err := warehouse.CheckReadOnly(context.Background(), q); err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
	for _, q := range []string{"DELETE FROM raw.harvest__users", "SELECT 1; DROP TABLE x", "COPY x TO 'f.csv'",
		"SELECT * FROM meta.secrets", "SELECT * FROM read_csv('/etc/passwd')", "ATTACH 'x.db'", "INSTALL httpfs"} {
		if err := warehouse.CheckReadOnly(context.Background(), q); err == nil {
			t.Errorf("%q allowed", q)
		}
	}
}

func TestGrouped(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		d    int
		want string
	}{{1234.5, 2, "1,234.50"}, {-1234567, 0, "-1,234,567"}, {999, 0, "999"}, {-0.001, 2, "0.00"}, {0, 0, "0"}} {
		if got := Grouped(tc.v, tc.d); got != tc.want {
			t.Errorf("Grouped(%v, %d) = %q, want %q", tc.v, tc.d, got, tc.want)
		}
	}
}
