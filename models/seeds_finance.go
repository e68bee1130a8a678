package models

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Finance is finance: in conflux.yaml (metrics §3–5).
type Finance struct {
	OverheadPerHour   float64
	FacilityPerHour   float64
	MonthlyOverhead   float64
	ExpenseMarkup     float64
	TargetUtilization float64            // default 0.75
	Targets           map[string]float64 // by role
	Costs             []Cost
	RateCards         []RateCard
	Terms             []ProjectTerms
	ApprovedOnly      bool // finance views count approved or locked time only
}

// Cost is what a person (Person, an email) or a role costs from From (§3.3a).
type Cost struct {
	Person, Role  string
	Team          string // the person's team, over their role
	Salary        float64
	Burden        float64
	OverheadShare float64
	From          time.Time
	NonDelivery   bool
}

// RateCard is one role's bill rate on a card: "list" or a client's name.
type RateCard struct {
	Card, Role string
	Rate       float64
	From       time.Time
}

// ProjectTerms are a project's commercial terms, by project code.
type ProjectTerms struct {
	Code            string
	BillingModel    string
	RetainerFee     float64
	RetainerHours   float64
	RolloverCapH    float64
	OverageRate     float64 // 0: hours beyond the bank are overservice
	PercentComplete float64 // negative: not reported
	Cap             float64 // capped T&M: the not-to-exceed amount; 0 = none
	Milestones      []Milestone
}

// Milestone is part of a fixed fee earned at acceptance (zero: not yet).
type Milestone struct {
	Name     string
	Accepted time.Time
	Amount   float64
}

// Pipeline is pipeline: in conflux.yaml (§7.4).
type Pipeline struct {
	BlendedRate     float64
	DefaultWeeks    int      // default 8
	TentativeWeight *float64 // default 1.0
	RoleMix         map[string]float64
	Deals           []DealEstimate
}

// DealEstimate is the estimated work of one deal (its key or name).
type DealEstimate struct {
	Deal  string
	Hours float64
	Weeks int
	Roles map[string]float64
}

// FXRate says 1 From is Rate To on Date.
type FXRate struct {
	From, To string
	Date     time.Time
	Rate     float64
}

func (f *Finance) defaults() {
	if f.TargetUtilization == 0 {
		f.TargetUtilization = 0.75
	}
}

func (p *Pipeline) defaults() {
	if p.DefaultWeeks == 0 {
		p.DefaultWeeks = 8
	}
	if p.TentativeWeight == nil {
		one := 1.0
		p.TentativeWeight = &one
	}
}

type seedStmt struct {
	sql  string
	args []any
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func day(t time.Time, open string) string {
	if t.IsZero() {
		return open
	}
	return t.Format(time.DateOnly)
}

// seedTable replaces seeds.<name> with rows; cols are "name TYPE" pairs and
// every value is passed as text and cast, so amounts land in DECIMAL exactly.
func seedTable(name string, cols []string, rows [][]string) seedStmt {
	schema := map[string]string{}
	var sel []string
	objs := make([]map[string]*string, 0, len(rows))
	for _, c := range cols {
		n, typ, _ := strings.Cut(c, " ")
		schema[n] = "VARCHAR"
		sel = append(sel, fmt.Sprintf("r.%s::%s AS %s", n, typ, n))
	}
	for _, row := range rows {
		o := map[string]*string{}
		for i, c := range cols {
			n, _, _ := strings.Cut(c, " ")
			if row[i] != "" {
				v := row[i]
				o[n] = &v
			} else {
				o[n] = nil
			}
		}
		objs = append(objs, o)
	}
	body, _ := json.Marshal(objs)
	sch, _ := json.Marshal([]map[string]string{schema})
	return seedStmt{
		sql: fmt.Sprintf(`CREATE OR REPLACE TABLE seeds.%s AS SELECT %s
			FROM (SELECT unnest(from_json(?::JSON, '%s'), recursive := true)) r`, name, strings.Join(sel, ", "), sch),
		args: []any{string(body)},
	}
}

func financeSeeds(s Seeds) []seedStmt {
	f, pl := s.Finance, s.Pipeline
	out := []seedStmt{seedTable("finance",
		[]string{"overhead_per_hour DECIMAL(18,6)", "facility_per_hour DECIMAL(18,6)", "monthly_overhead DECIMAL(18,2)", "expense_markup DECIMAL(9,6)",
			"target_utilization DECIMAL(9,6)", "blended_rate DECIMAL(18,6)", "default_weeks INTEGER", "tentative_weight DECIMAL(9,6)", "approved_only BOOLEAN"},
		[][]string{{num(f.OverheadPerHour), num(f.FacilityPerHour), num(f.MonthlyOverhead), num(f.ExpenseMarkup), num(f.TargetUtilization),
			nonZero(pl.BlendedRate), strconv.Itoa(pl.DefaultWeeks), num(*pl.TentativeWeight), strconv.FormatBool(f.ApprovedOnly)}})}
	var costs, cards, terms, mix, deals, fx, targets, milestones [][]string
	for _, role := range sortedKeys(f.Targets) {
		targets = append(targets, []string{role, num(f.Targets[role])})
	}
	for _, c := range f.Costs {
		costs = append(costs, []string{strings.ToLower(c.Person), c.Role, num(c.Salary), num(c.Burden), num(c.OverheadShare),
			day(c.From, "0001-01-01"), strconv.FormatBool(!c.NonDelivery), c.Team})
	}
	for _, r := range f.RateCards {
		cards = append(cards, []string{r.Card, r.Role, num(r.Rate), day(r.From, "0001-01-01")})
	}
	for _, t := range f.Terms {
		pc := ""
		if t.PercentComplete >= 0 {
			pc = num(t.PercentComplete)
		}
		for _, ms := range t.Milestones {
			accepted := ""
			if !ms.Accepted.IsZero() {
				accepted = ms.Accepted.Format(time.DateOnly)
			}
			milestones = append(milestones, []string{strings.ToLower(t.Code), ms.Name, num(ms.Amount), accepted})
		}
		terms = append(terms, []string{strings.ToLower(t.Code), t.BillingModel, nonZero(t.RetainerFee), nonZero(t.RetainerHours), num(t.RolloverCapH), pc, nonZero(t.Cap), nonZero(t.OverageRate)})
	}
	for _, role := range sortedKeys(pl.RoleMix) {
		mix = append(mix, []string{role, num(pl.RoleMix[role])})
	}
	for _, d := range pl.Deals {
		weeks := ""
		if d.Weeks > 0 {
			weeks = strconv.Itoa(d.Weeks)
		}
		if len(d.Roles) == 0 {
			deals = append(deals, []string{d.Deal, nonZero(d.Hours), weeks, "", ""})
		}
		for _, role := range sortedKeys(d.Roles) {
			deals = append(deals, []string{d.Deal, nonZero(d.Hours), weeks, role, num(d.Roles[role])})
		}
	}
	for _, r := range s.FXRates {
		fx = append(fx, []string{r.From, r.To, r.Date.Format(time.DateOnly), num(r.Rate)})
	}
	return append(out,
		seedTable("costs", []string{"person VARCHAR", "role VARCHAR", "salary DECIMAL(18,2)", "burden DECIMAL(9,6)",
			"overhead_share DECIMAL(18,2)", "valid_from DATE", "is_delivery BOOLEAN", "team VARCHAR"}, costs),
		seedTable("rate_cards", []string{"card VARCHAR", "role VARCHAR", "rate DECIMAL(18,6)", "valid_from DATE"}, cards),
		seedTable("project_terms", []string{"code VARCHAR", "billing_model VARCHAR", "retainer_fee DECIMAL(18,2)",
			"retainer_hours DECIMAL(12,4)", "rollover_cap_h DECIMAL(12,4)", "percent_complete DECIMAL(9,6)", "cap_amount DECIMAL(18,2)", "overage_rate DECIMAL(18,6)"}, terms),
		seedTable("milestones", []string{"code VARCHAR", "name VARCHAR", "amount DECIMAL(18,2)", "accepted_on DATE"}, milestones),
		seedTable("budgets", []string{"code VARCHAR", "budget_hours DECIMAL(12,4)", "budget_amount DECIMAL(18,2)", "valid_from DATE", "note VARCHAR"}, nil),
		seedTable("role_targets", []string{"role VARCHAR", "target DECIMAL(9,6)"}, targets),
		seedTable("role_mix", []string{"role VARCHAR", "share DECIMAL(9,6)"}, mix),
		seedTable("deal_estimates", []string{"deal VARCHAR", "hours DECIMAL(12,4)", "weeks INTEGER", "role VARCHAR", "share DECIMAL(9,6)"}, deals),
		seedTable("fx_rates", []string{"from_currency VARCHAR", "to_currency VARCHAR", "date DATE", "rate DECIMAL(18,8)"}, fx),
	)
}

func nonZero(f float64) string {
	if f == 0 {
		return ""
	}
	return num(f)
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
