package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFinanceAndPipeline(t *testing.T) {
	body := `
finance:
  overhead_per_hour: 20
  monthly_overhead: 120000
  expense_markup: 0.10
  targets: {Designer: 0.8}
  approved_only: true
  fx_rates: fx.csv
  costs:
    - {person: Ana@X.test, salary: 96000, burden: 0.25, overhead_share: 40000, from: 2025-01-01}
    - {role: Developer, salary: 70000, burden: 0.2, delivery: false}
  rate_cards:
    - {role: Designer, rate: 150}
    - {card: Acme, role: Designer, rate: 140}
  projects:
    - {code: RET, retainer: {monthly_fee: 10000, hours: 50, rollover_cap_h: 10}}
    - {code: F9, percent_complete: 0.6, cap: 56000}
    - {code: MS, milestones: [{name: Design, amount: 20000, accepted: 2025-03-20}, {name: Live, amount: 40000}]}
pipeline:
  blended_rate: 140
  tentative_weight: 0
  role_mix: {Designer: 0.4, Developer: 0.6}
  deals:
    - {deal: Deal A, hours: 280, weeks: 8, roles: {Designer: 0.25}}
`
	cfg, err := Parse("/p/conflux.yaml", []byte(body), vendors, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Finance
	if f.Targets["Designer"] != 0.8 || !f.ApprovedOnly {
		t.Errorf("targets: %v", f.Targets)
	}
	if f.OverheadPerHour != 20 || f.MonthlyOverhead != 120000 || f.ExpenseMarkup != 0.1 || f.FXRates != "/p/fx.csv" {
		t.Errorf("finance scalars: %+v", f)
	}
	if len(f.Costs) != 2 || f.Costs[0].Person != "ana@x.test" || f.Costs[0].From.Year() != 2025 || !f.Costs[1].NonDelivery || f.Costs[0].NonDelivery {
		t.Errorf("costs: %+v", f.Costs)
	}
	if len(f.RateCards) != 2 || f.RateCards[0].Card != "list" || f.RateCards[1].Rate != 140 {
		t.Errorf("rate cards: %+v", f.RateCards)
	}
	if len(f.Projects) != 3 || f.Projects[2].BillingModel != "fixed_fee" || len(f.Projects[2].Milestones) != 2 || f.Projects[2].Milestones[0].Accepted.Day() != 20 || !f.Projects[2].Milestones[1].Accepted.IsZero() || f.Projects[0].BillingModel != "retainer" || f.Projects[0].RolloverCapH != 10 || f.Projects[1].PercentComplete != 0.6 || f.Projects[1].Cap != 56000 || f.Projects[0].PercentComplete != -1 {
		t.Errorf("projects: %+v", f.Projects)
	}
	pl := cfg.Pipeline
	if pl.BlendedRate != 140 || pl.TentativeWeight == nil || *pl.TentativeWeight != 0 || pl.RoleMix["Developer"] != 0.6 || pl.Deals[0].Roles["Designer"] != 0.25 {
		t.Errorf("pipeline: %+v", pl)
	}
}

func TestFinanceErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"finance:\n  costs:\n    - {salary: 1}\n", "c.yaml:3: finance.costs: each cost names exactly one of person (an email) or role"},
		{"finance:\n  costs:\n    - {role: Dev}\n", "finance.costs.salary: required"},
		{"finance:\n  expense_markup: ten\n", `c.yaml:2: finance.expense_markup: "ten" must be a fraction`},
		{"finance:\n  projects:\n    - {code: X, billing_model: hourly}\n", `finance.projects.billing_model: "hourly" is not a billing model`},
		{"finance:\n  projects:\n    - {code: X, retainer: {hours: 10}}\n", "finance.projects.retainer: a retainer needs monthly_fee"},
		{"pipeline:\n  role_mix: {A: 0.7, B: 0.6}\n", "pipeline.role_mix: shares add up to 1.30"},
		{"pipeline:\n  deals:\n    - {hours: 5}\n", "pipeline.deals.deal: required"},
		{"finance:\n  rate_card: []\n", "finance.rate_card: unknown key (known keys: approved_only, costs, expense_markup, facility_per_hour, fx_rates,"},
	} {
		_, err := Parse("c.yaml", []byte(tc.yaml), vendors, env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestReadFXRates(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "fx.csv")
	os.WriteFile(good, []byte("from,to,date,rate\nUSD,GBP,2026-01-05,0.79\neur,gbp,2026-01-05,0.86\n"), 0o644)
	rates, err := ReadFXRates(good)
	if err != nil || len(rates) != 2 || rates[1].From != "EUR" || rates[0].Rate != 0.79 {
		t.Fatalf("%v %+v", err, rates)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("USD,GBP,5 Jan,0.79\n"), 0o644)
	if _, err := ReadFXRates(bad); err == nil || !strings.Contains(err.Error(), "bad.csv:1: finance.fx_rates") {
		t.Errorf("bad row: %v", err)
	}
}
