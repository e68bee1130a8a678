package models

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/conflux-dev/conflux/internal/holidays"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// The fixtures of metrics §10a that the foundation tests do not cover:
// each builds a small Harvest agency, runs every model, and reads the
// expected values off the marts.

func usSeeds(asOf string) Seeds {
	var s Seeds
	for _, d := range holidays.Between("US", 2024, 2027) {
		s.Holidays = append(s.Holidays, Holiday{Calendar: d.Calendar, Date: d.Date, Name: d.Name, Fraction: 1})
	}
	s.Currency = "USD"
	s.AsOf, _ = time.Parse(time.DateOnly, asOf)
	return s
}

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f", what, got, want)
	}
}

func user(id int, name, email, role string) m {
	return m{"id": id, "first_name": name, "last_name": "X", "email": email, "weekly_capacity": 144000, "is_active": true,
		"created_at": "2025-01-01T00:00:00Z", "roles": []string{role}}
}

// anaAtAcme is a warehouse with one designer, Ana (harvest:1), and one
// client, Acme (harvest:10, billed in dollars); each test adds its project.
func anaAtAcme(t *testing.T) *warehouse.Warehouse {
	w := openWarehouse(t)
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Designer"))
	put(t, w, "clients", m{"id": 10, "name": "Acme", "currency": "USD"})
	return w
}

func unpriced(e m) m { e["billable_rate"] = nil; return e }

func withInvoice(e m, invoice int) m {
	e["invoice"] = m{"id": invoice}
	e["is_billed"] = true
	return e
}

// F3 (metrics §3.6): Acme Web priced by Acme's rate card, invoiced $4,000.
func TestF3RatesAndRealization(t *testing.T) {
	w := openWarehouse(t)
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Senior Designer"), user(2, "Ben", "ben@x.test", "Developer"))
	put(t, w, "clients", m{"id": 10, "name": "Acme", "currency": "USD"})
	put(t, w, "projects", m{"id": 100, "name": "Acme Web", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries",
		withInvoice(unpriced(entry(1, 1, 100, 1, "Design", "2025-05-27", 12, true)), 900),
		withInvoice(unpriced(entry(2, 1, 100, 1, "Design", "2025-05-28", 8, true)), 900),
		withInvoice(unpriced(entry(3, 2, 100, 1, "Design", "2025-05-27", 14, true)), 900),
		entry(4, 2, 100, 2, "Meetings", "2025-05-28", 3, false))
	put(t, w, "invoices", m{"id": 900, "client": m{"id": 10}, "number": "1001", "issue_date": "2025-06-02", "state": "open",
		"currency": "USD", "amount": 4000.0, "due_amount": 1000.0, "line_items": []m{{"id": 1, "project": m{"id": 100}, "kind": "Service", "quantity": 34, "unit_price": 117.647, "amount": 4000.0}}})
	s := usSeeds("2025-06-30")
	s.Finance.RateCards = []RateCard{
		{Card: "list", Role: "Senior Designer", Rate: 150}, {Card: "list", Role: "Developer", Rate: 120},
		{Card: "Acme", Role: "Senior Designer", Rate: 140}, {Card: "Acme", Role: "Developer", Rate: 110},
	}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	var std, list, rateReal, billReal, writeDown, eff float64
	query(t, w, `SELECT standard_value, list_value, rate_realization, billing_realization, write_down_at_billing, effective_bill_rate
		FROM marts.project_realization WHERE project_key = 'harvest:100'`, &std, &list, &rateReal, &billReal, &writeDown, &eff)
	within(t, "standard value", std, 4340, 0.005)
	within(t, "list value", list, 4680, 0.005)
	within(t, "rate realization", rateReal, 0.9274, 0.00005)
	within(t, "billing realization", billReal, 0.9217, 0.00005)
	within(t, "write-down", writeDown, 340, 0.005)
	within(t, "effective bill rate", eff, 108.11, 0.005)
	// 3,000 of the 4,000 billed is paid: collection realization 75%.
	var collection, invoicedMargin float64
	query(t, w, `SELECT collection_realization FROM marts.project_realization WHERE project_key = 'harvest:100'`, &collection)
	within(t, "collection realization", collection, 0.75, 0.00005)
	// Productive's invoiced margin: 4,000 invoiced less 37 h × 50 of cost.
	query(t, w, `SELECT invoiced_margin FROM marts.project_financials WHERE project_key = 'harvest:100'`, &invoicedMargin)
	within(t, "invoiced margin", invoicedMargin, 4000-37*50, 0.005)
	var source string
	query(t, w, `SELECT bill_rate_source FROM marts.entry_values WHERE entry_key = 'harvest:1'`, &source)
	if source != "client_card" {
		t.Errorf("Ana's hours priced by %s, want the client card", source)
	}
}

// F4 (metrics §3.6): Ana, $96,000 + 25% burden and a $40,000 overhead share,
// on the US calendar of 2025 (261 weekdays − 11 weekday holidays = 2,000 h),
// with 15 days of leave.
func TestF4CostRates(t *testing.T) {
	w := openWarehouse(t)
	bo := user(2, "Bo", "bo@x.test", "Senior Designer")
	bo["created_at"] = "2025-11-24T00:00:00Z" // joins for the last 38 days of the year
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Senior Designer"), bo)
	put(t, w, "clients", m{"id": 11, "name": "Us", "currency": "USD"})
	put(t, w, "projects", m{"id": 101, "name": "Admin", "client": m{"id": 11, "currency": "USD"}, "is_billable": false, "budget_by": "none", "is_active": true})
	var leave []map[string]any
	for d := time.Date(2025, 8, 4, 0, 0, 0, 0, time.UTC); len(leave) < 15; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			leave = append(leave, entry(100+len(leave), 1, 101, 4, "Time Off", d.Format(time.DateOnly), 8, false))
		}
	}
	// Worked hours Harvest gives no cost rate: Bo's cost comes from his
	// salary; Cy has none, and C20 says so.
	put(t, w, "users", user(3, "Cy", "cy@x.test", "Designer"))
	bo1, cy1 := entry(200, 2, 101, 5, "Admin", "2025-12-01", 2, false), entry(201, 3, 101, 5, "Admin", "2025-12-01", 3, false)
	bo1["cost_rate"], cy1["cost_rate"] = nil, nil
	put(t, w, "time_entries", append(leave, bo1, cy1)...)
	s := usSeeds("2025-12-31")
	s.Finance.Costs = []Cost{{Person: "ana@x.test", Salary: 96000, Burden: 0.25, OverheadShare: 40000}, {Person: "bo@x.test", Salary: 96000, Burden: 0.25}}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	var capacity, avail, direct, onAvail, loaded, breakeven float64
	query(t, w, `SELECT capacity_h, available_h, cost_rate_direct, cost_rate_direct_available, cost_rate_loaded_available, breakeven_bill_rate
		FROM marts.cost_rates WHERE person_key = 'harvest:1' AND year = 2025`, &capacity, &avail, &direct, &onAvail, &loaded, &breakeven)
	if capacity != 2000 || avail != 1880 {
		t.Errorf("2025 capacity %v available %v, want 2000 and 1880", capacity, avail)
	}
	within(t, "cost rate (capacity basis)", direct, 60, 0.005)
	within(t, "cost rate (available basis)", onAvail, 63.83, 0.005)
	within(t, "loaded on available", loaded, 85.11, 0.005)
	within(t, "breakeven bill rate", breakeven, 113.48, 0.005)
	// Bo, paid the same from 24 November: 38/365 of the year's 120,000 over
	// his 26 working days there (Thanksgiving and Christmas off) = 208 h —
	// an hour costs what Ana's does, not 120,000 ÷ 208.
	var boRate, boCapacity float64
	query(t, w, `SELECT cost_rate_direct, capacity_h FROM marts.cost_rates WHERE person_key = 'harvest:2' AND year = 2025`, &boRate, &boCapacity)
	if boCapacity != 208 {
		t.Errorf("Bo's 2025 capacity %v, want 208", boCapacity)
	}
	within(t, "a joiner's cost rate", boRate, 120000.0*38/365/208, 0.005)
	var c20 string
	query(t, w, `SELECT string_agg(person_key || ' ' || hours_at_stake, ', ') FROM marts.gaps WHERE check_id = 'C20'`, &c20)
	if c20 != "harvest:3 3.00" {
		t.Errorf("C20 (worked time with no cost): %q, want Cy's 3 hours only", c20)
	}
	// The period-exact variant: 10,000 a month over May 2025's 22 weekdays
	// less Memorial Day = 21 days × 8 h = 168 h.
	var monthly float64
	query(t, w, `SELECT cost_rate_direct_monthly FROM marts.cost_rate_month WHERE person_key = 'harvest:1' AND month = '2025-05-01'`, &monthly)
	within(t, "May's period-exact cost rate", monthly, 59.52, 0.005)
}

// userOverrides writes user models over the built-in ones, for facts no
// Harvest fixture can carry (bookings, deals).
func userOverrides(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// F6 (metrics §4.8): a $10,000 / 50 h retainer with up to 10 h rolling over;
// 42 h delivered in March, 60 h in April.
func TestF6Retainer(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 106, "code": "RET", "name": "Retainer", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries",
		entry(1, 1, 106, 1, "Design", "2025-03-05", 42, true),
		entry(2, 1, 106, 1, "Design", "2025-04-08", 60, true))
	s := usSeeds("2025-04-30")
	s.Finance.Terms = []ProjectTerms{{Code: "RET", RetainerFee: 10000, RetainerHours: 50, RolloverCapH: 10, PercentComplete: -1}}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	for _, tc := range []struct {
		month                         string
		revenue, deferred, over, burn float64
	}{
		{"2025-03-01", 8400, 1600, 0, 42.0 / 50},
		{"2025-04-01", 11600, 0, 2, 60.0 / 58},
	} {
		var revenue, deferred, over, burn, pl float64
		query(t, w, `SELECT r.revenue, r.deferred_revenue, r.overservice_h, r.burn_pct, p.revenue
			FROM marts.retainer_month r JOIN marts.project_month p USING (project_key, month)
			WHERE project_key = 'harvest:106' AND month = '`+tc.month+`'`, &revenue, &deferred, &over, &burn, &pl)
		within(t, tc.month+" revenue", revenue, tc.revenue, 0.005)
		within(t, tc.month+" deferred", deferred, tc.deferred, 0.005)
		within(t, tc.month+" overservice h", over, tc.over, 0.00005)
		within(t, tc.month+" burn", burn, tc.burn, 0.0005)
		within(t, tc.month+" P&L revenue", pl, tc.revenue, 0.005)
	}
	var burn float64
	query(t, w, `SELECT round(burn_pct, 3) FROM marts.retainer_month WHERE project_key = 'harvest:106' AND month = '2025-04-01'`, &burn)
	if burn != 1.034 {
		t.Errorf("April burn %v, want 103.4%%", burn)
	}
}

// §4.4 types (i) and (iv): a stand-ready fee earns the fee each month
// whatever is delivered; an hours bank with an overage rate bills the hours
// beyond it instead of overservicing them.
func TestRetainerTypes(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects",
		m{"id": 111, "code": "ACC", "name": "On call", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true},
		m{"id": 112, "code": "OVR", "name": "Bank", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries",
		entry(1, 1, 111, 1, "Support", "2025-03-04", 2, true), entry(2, 1, 111, 1, "Support", "2025-05-06", 9, true),
		entry(3, 1, 112, 1, "Build", "2025-03-05", 60, true))
	s := usSeeds("2025-05-31")
	s.Finance.Terms = []ProjectTerms{
		{Code: "ACC", RetainerFee: 3000, PercentComplete: -1},
		{Code: "OVR", RetainerFee: 10000, RetainerHours: 50, OverageRate: 180, PercentComplete: -1},
	}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	var months int
	var total float64
	query(t, w, `SELECT count(*), sum(revenue) FROM marts.retainer_month WHERE project_key = 'harvest:111'`, &months, &total)
	if months != 3 || total != 9000 {
		t.Errorf("stand-ready: %d months earning %v, want 3 × 3,000 (April too, with no time)", months, total)
	}
	var revenue, billed, over float64
	query(t, w, `SELECT revenue, billed_overage_h, overservice_h FROM marts.retainer_month WHERE project_key = 'harvest:112'`, &revenue, &billed, &over)
	if revenue != 11800 || billed != 10 || over != 0 {
		t.Errorf("overage: revenue %v billed %v h overservice %v h, want 10,000 + 10 × 180 = 11,800, 10, 0", revenue, billed, over)
	}
}

// F7 (metrics §5.6): $50,000 earned of which $8,800 rebilled pass-through
// that cost $8,000; 300 worked hours at $60; $1,000 of project software;
// $20 overhead per hour.
func TestF7ProjectMargin(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 107, "name": "Campaign", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	billable := entry(1, 1, 107, 1, "Design", "2025-03-04", 206, true)
	billable["billable_rate"], billable["cost_rate"] = 200.0, 60.0
	meetings := entry(2, 1, 107, 2, "Meetings", "2025-03-05", 94, false)
	meetings["cost_rate"] = 60.0
	put(t, w, "time_entries", billable, meetings)
	put(t, w, "expenses",
		m{"id": 1, "spent_date": "2025-03-10", "project": m{"id": 107}, "user": m{"id": 1}, "expense_category": m{"name": "Stock media"}, "total_cost": 8000.0, "billable": true},
		m{"id": 2, "spent_date": "2025-03-11", "project": m{"id": 107}, "user": m{"id": 1}, "expense_category": m{"name": "Software"}, "total_cost": 1000.0, "billable": false})
	s := usSeeds("2025-03-31")
	s.Finance.ExpenseMarkup, s.Finance.OverheadPerHour, s.Finance.FacilityPerHour = 0.10, 20, 5
	put(t, w, "projects", m{"id": 101, "name": "Admin", "client": m{"id": 10, "currency": "USD"}, "is_billable": false, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries", entry(3, 1, 101, 3, "Admin", "2025-03-06", 10, false))
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	var internal float64
	query(t, w, `SELECT overhead FROM marts.project_month WHERE project_key = 'harvest:101'`, &internal)
	within(t, "internal hours carry the facility rate alone", internal, 50, 0.005)
	var revenue, agi, contribution, onAGI, onRevenue, loaded float64
	query(t, w, `SELECT revenue, agi, contribution, contribution_pct_agi, contribution_pct_revenue, fully_loaded_pct_agi
		FROM marts.project_month WHERE project_key = 'harvest:107'`, &revenue, &agi, &contribution, &onAGI, &onRevenue, &loaded)
	within(t, "revenue", revenue, 50000, 0.005)
	within(t, "AGI", agi, 42000, 0.005)
	within(t, "contribution", contribution, 23000, 0.005)
	within(t, "contribution % of AGI", onAGI, 0.5476, 0.00005)
	within(t, "contribution % of revenue", onRevenue, 0.46, 0.00005)
	within(t, "fully loaded %", loaded, 0.4048, 0.00005)
}

// F8 (metrics §5.6): the agency month — AGI $400k of $450k revenue, delivery
// payroll $180k of which projects absorbed $135k, $20k of freelancers,
// $120k operating overhead.
func TestF8AgencyMargin(t *testing.T) {
	w := openWarehouse(t)
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Designer"), user(2, "Ben", "ben@x.test", "Developer"))
	put(t, w, "clients", m{"id": 10, "name": "Acme", "currency": "USD"})
	put(t, w, "projects", m{"id": 108, "name": "Platform", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	// Each costs 864,000 × 1.25 = 1,080,000 a year = 90,000 a month, and
	// 1,080,000 ÷ 2,000 h = $540 an hour: 250 h charge 135,000.
	a := entry(1, 1, 108, 1, "Build", "2025-03-04", 150, true)
	b := entry(2, 2, 108, 1, "Build", "2025-03-05", 100, true)
	a["billable_rate"], b["billable_rate"] = 1600.0, 1600.0
	put(t, w, "time_entries", a, b)
	put(t, w, "expenses",
		m{"id": 1, "spent_date": "2025-03-10", "project": m{"id": 108}, "expense_category": m{"name": "Media"}, "total_cost": 50000.0, "billable": true},
		m{"id": 2, "spent_date": "2025-03-11", "project": m{"id": 108}, "expense_category": m{"name": "Freelancers"}, "total_cost": 20000.0, "billable": false})
	s := usSeeds("2025-03-31")
	s.Finance.MonthlyOverhead = 120000
	s.Finance.Costs = []Cost{{Role: "Designer", Salary: 864000, Burden: 0.25}, {Role: "Developer", Salary: 864000, Burden: 0.25}}
	s.Finance.Targets = map[string]float64{"Designer": 0.8}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	// Targets by role (§2.6): designers at 80% of available, the rest at the default 75%.
	var anaTarget, benTarget float64
	query(t, w, `SELECT sum(target_billable_h) FILTER (WHERE person_key = 'harvest:1'), sum(target_billable_h) FILTER (WHERE person_key = 'harvest:2')
		FROM marts.person_week WHERE week_start = '2025-03-03'`, &anaTarget, &benTarget)
	if anaTarget != 32 || benTarget != 30 {
		t.Errorf("targets: designer %v developer %v, want 32 and 30", anaTarget, benTarget)
	}
	var revenue, agi, payroll, charged, unabsorbed, margin, marginPct, contribution, opAGI, opRevenue float64
	query(t, w, `SELECT revenue, agi, delivery_payroll, dl_charged, unabsorbed, delivery_margin, delivery_margin_pct, contribution,
			operating_margin_agi, operating_margin_revenue
		FROM marts.agency_month WHERE month = '2025-03-01'`,
		&revenue, &agi, &payroll, &charged, &unabsorbed, &margin, &marginPct, &contribution, &opAGI, &opRevenue)
	within(t, "revenue", revenue, 450000, 0.005)
	within(t, "AGI", agi, 400000, 0.005)
	within(t, "delivery payroll", payroll, 180000, 0.005)
	within(t, "DL charged", charged, 135000, 0.005)
	within(t, "unabsorbed", unabsorbed, 45000, 0.005)
	within(t, "delivery margin %", marginPct, 0.5, 0.00005)
	within(t, "operating margin on AGI", opAGI, 0.2, 0.00005)
	within(t, "operating margin on revenue", opRevenue, 0.1778, 0.00005)
	// The bridge: Σ project contribution − unabsorbed delivery cost = delivery margin.
	within(t, "bridge", contribution-unabsorbed, 200000, 0.005)
	within(t, "delivery margin", margin, 200000, 0.005)
	// By team: the designers' 150 of the 250 hours take 60% of the month's
	// revenue (270,000), AGI (240,000) and freelancers (12,000); their own
	// labour is 150 h × $540 = 81,000.
	var teamRevenue, teamAGI, teamDL, teamContribution float64
	query(t, w, `SELECT revenue, agi, dl, contribution FROM marts.team_month WHERE team = 'Designer' AND month = '2025-03-01'`,
		&teamRevenue, &teamAGI, &teamDL, &teamContribution)
	within(t, "designers' revenue", teamRevenue, 270000, 0.005)
	within(t, "designers' AGI", teamAGI, 240000, 0.005)
	within(t, "designers' labour", teamDL, 81000, 0.005)
	within(t, "designers' contribution", teamContribution, 147000, 0.005)
}

// F9 (metrics §6.7): a $56,000 fee budget at $140 an hour; 300 h used,
// 55 h a week over the last four, 150 h booked ahead, the PM says 60% done.
func TestF9BudgetForecast(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 109, "code": "F9", "name": "Capped", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
		"budget_by": "project_cost", "cost_budget": 56000.0, "is_active": true})
	var es []map[string]any
	for i, d := range []string{"2025-01-14", "2025-02-04", "2025-02-11", "2025-02-18", "2025-02-25"} {
		h := 55.0
		if i == 0 {
			h = 80
		}
		e := entry(i+1, 1, 109, 1, "Build", d, h, true)
		e["billable_rate"] = 140.0
		es = append(es, e)
	}
	put(t, w, "time_entries", es...)
	s := usSeeds("2025-03-03")
	s.Finance.Terms = []ProjectTerms{{Code: "F9", PercentComplete: 0.6}}
	dir := userOverrides(t, map[string]string{"core/bookings.sql": `SELECT 'harvest:1' AS person_key, NULL::VARCHAR AS role, 'harvest:109' AS project_key,
		DATE '2025-03-10' AS date, 150::DECIMAL(12,4) AS hours, false AS tentative, 'plan' AS source`})
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s, UserDir: dir})
	var used, gap, runway, eac, vac, cpi, eacCPI, overrunH, overrunValue float64
	var status string
	var understated bool
	query(t, w, `SELECT budget_used_pct, burn_gap_pts, runway_weeks, eac, vac, cpi, eac_cpi, overrun_h, overrun_value, status, bookings_understated
		FROM marts.project_forecast WHERE project_key = 'harvest:109'`, &used, &gap, &runway, &eac, &vac, &cpi, &eacCPI, &overrunH, &overrunValue, &status, &understated)
	within(t, "used", used, 0.75, 0.00005)
	within(t, "gap pts", gap, 15, 0.0005)
	within(t, "runway weeks", runway, 1.82, 0.005)
	within(t, "EAC", eac, 63000, 0.005)
	within(t, "VAC", vac, -7000, 0.005)
	within(t, "CPI", cpi, 0.8, 0.00005)
	within(t, "EAC (CPI)", eacCPI, 70000, 0.005)
	within(t, "overrun h", overrunH, 50, 0.00005)
	within(t, "overrun value", overrunValue, 7000, 0.005)
	if status != "red" || !understated {
		t.Errorf("status %s, bookings understated %v; want red and true", status, understated)
	}
}

// F10 (metrics §7.5): designers in 2025-W28 — 104 h available, 90 h
// confirmed and 12 h tentative, deals A and B starting that week.
func TestF10CapacityPlan(t *testing.T) {
	w := openWarehouse(t)
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Designer"), user(2, "Dee", "dee@x.test", "Designer"), user(3, "Eve", "eve@x.test", "Designer"))
	put(t, w, "clients", m{"id": 11, "name": "Us", "currency": "USD"})
	put(t, w, "projects", m{"id": 101, "name": "Admin", "client": m{"id": 11, "currency": "USD"}, "is_billable": false, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries",
		entry(1, 3, 101, 4, "Time Off", "2025-07-10", 8, false),
		entry(2, 3, 101, 4, "Time Off", "2025-07-11", 8, false))
	bookings := `SELECT * FROM (VALUES
		('harvest:1', DATE '2025-07-08', 10, false), ('harvest:1', DATE '2025-07-10', 6, false),
		('harvest:2', DATE '2025-07-07', 10, false), ('harvest:2', DATE '2025-07-08', 10, false), ('harvest:2', DATE '2025-07-09', 10, false),
		('harvest:2', DATE '2025-07-10', 10, false), ('harvest:2', DATE '2025-07-11', 10, false), ('harvest:2', DATE '2025-07-11', 12, true),
		('harvest:3', DATE '2025-07-07', 8, false), ('harvest:3', DATE '2025-07-08', 8, false), ('harvest:3', DATE '2025-07-09', 8, false)
	) AS b(person_key, date, hours, tentative)`
	deals := `SELECT * FROM (VALUES
		('hubspot:A', 'hubspot', 'A', NULL, 'Deal A', 40000.0, 'USD', 'proposal', 0.60, DATE '2025-06-23', false, false, NULL, NULL),
		('hubspot:B', 'hubspot', 'B', NULL, 'Deal B', 24000.0, 'USD', 'proposal', 0.25, DATE '2025-06-23', false, false, NULL, NULL)
	) AS d(deal_key, source, source_id, client_key, name, amount, currency, stage, probability, close_date, is_won, is_closed, owner, project_code)`
	dir := userOverrides(t, map[string]string{
		"core/bookings.sql": `SELECT person_key, NULL::VARCHAR AS role, 'harvest:101' AS project_key, date, hours::DECIMAL(12,4) AS hours, tentative, 'plan' AS source FROM (` + bookings + `)`,
		"core/deals.sql":    `SELECT deal_key, source, source_id, client_key::VARCHAR AS client_key, name, amount::DECIMAL(18,2) AS amount, currency, amount::DECIMAL(18,2) AS amount_reporting, stage, probability::DECIMAL(5,4) AS probability, close_date, is_won, is_closed, owner::VARCHAR AS owner, project_code::VARCHAR AS project_code, NULL::VARCHAR AS source_url FROM (` + deals + `)`,
	})
	s := usSeeds("2025-06-20")
	s.Pipeline.Deals = []DealEstimate{
		{Deal: "Deal A", Hours: 280, Weeks: 8, Roles: map[string]float64{"Designer": 0.25}},
		{Deal: "Deal B", Hours: 160, Weeks: 4, Roles: map[string]float64{"Designer": 0.5}},
	}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s, UserDir: dir})
	var avail, confirmed, tentative, weighted, forecast, forecastPct, exposure, gap float64
	query(t, w, `SELECT available_h, confirmed_h, tentative_h, weighted_demand_h, forecast_h, forecast_pct, exposure_h, capacity_gap_h
		FROM marts.role_week_plan WHERE role = 'Designer' AND week_start = '2025-07-07'`,
		&avail, &confirmed, &tentative, &weighted, &forecast, &forecastPct, &exposure, &gap)
	want := []float64{104, 90, 12, 10.25, 112.25, 1.079, 130.75, -8.25}
	for i, got := range []float64{avail, confirmed, tentative, weighted, forecast, forecastPct, exposure, gap} {
		if math.Abs(got-want[i]) > 0.0005 {
			t.Errorf("designers W28: got %v, want %v", []float64{avail, confirmed, tentative, weighted, forecast, forecastPct, exposure, gap}, want)
			break
		}
	}
	// Ana: 10 h booked on Tuesday and 6 h on Thursday against 8 h a day.
	var booked, available, over, under float64
	query(t, w, `SELECT sum(booked_h), sum(available_h), sum(overbooked_h), sum(underbooked_h) FROM marts.schedule_day
		WHERE person_key = 'harvest:1' AND date IN ('2025-07-08', '2025-07-10')`, &booked, &available, &over, &under)
	if booked != available || over != 2 || under != 2 {
		t.Errorf("Ana Tue+Thu: booked %v available %v overbooked %v underbooked %v; want 16 16 2 2", booked, available, over, under)
	}
	var overbooked, overCapacity bool
	query(t, w, `SELECT is_overbooked, is_over_capacity FROM marts.schedule_week WHERE person_key = 'harvest:1' AND week_start = '2025-07-07'`, &overbooked, &overCapacity)
	if !overbooked || overCapacity {
		t.Errorf("Ana W28: is_overbooked %v is_over_capacity %v; want true, false", overbooked, overCapacity)
	}
}

// F13 (metrics §9.5): DECIMAL rounding and the allocator.
func TestF13Money(t *testing.T) {
	w, opts := fixtureAgency(t)
	build(t, w, opts)
	var rounded string
	query(t, w, `SELECT money(2.675)::VARCHAR`, &rounded)
	if rounded != "2.68" {
		t.Errorf("money(2.675) = %s, want 2.68", rounded)
	}
	for _, tc := range []struct {
		q    string
		want string
	}{
		{`SELECT string_agg(amount::VARCHAR, '/' ORDER BY share) FROM allocate(10000, [1, 1, 1])`, "3334/3333/3333"},
		{`SELECT string_agg(amount::VARCHAR, '/' ORDER BY share) FROM allocate(5, [30, 70])`, "2/3"},
		{`SELECT sum(amount)::VARCHAR FROM allocate(123457, [1, 2, 3, 4, 5, 6, 7])`, "123457"},
	} {
		var got string
		query(t, w, tc.q, &got)
		if got != tc.want {
			t.Errorf("%s = %s, want %s", tc.q, got, tc.want)
		}
	}
}

// §9.4: time in a client's currency is translated at the latest fx_rates
// row on or before the entry date; without one the amount is flagged.
func TestFXRatesTranslateTime(t *testing.T) {
	w := openWarehouse(t)
	put(t, w, "users", user(1, "Ana", "ana@x.test", "Designer"))
	put(t, w, "clients", m{"id": 10, "name": "Acme", "currency": "USD"}, m{"id": 12, "name": "Yen", "currency": "JPY"})
	put(t, w, "projects",
		m{"id": 100, "name": "Web", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true},
		m{"id": 120, "name": "Tokyo", "client": m{"id": 12, "currency": "JPY"}, "is_billable": true, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries", entry(1, 1, 100, 1, "Design", "2025-03-04", 10, true), entry(2, 1, 120, 1, "Design", "2025-03-04", 1, true))
	s := gbSeeds(t)
	s.Currency = "GBP"
	day := func(d string) time.Time { v, _ := time.Parse(time.DateOnly, d); return v }
	s.FXRates = []FXRate{{From: "USD", To: "GBP", Date: day("2025-03-01"), Rate: 0.8}, {From: "USD", To: "GBP", Date: day("2025-03-10"), Rate: 0.7}}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	var usd, gbp float64
	var missing bool
	query(t, w, `SELECT billable_value, billable_value_reporting, fx_missing FROM marts.entry_values WHERE entry_key = 'harvest:1'`, &usd, &gbp, &missing)
	if usd != 1000 || gbp != 800 || missing {
		t.Errorf("USD entry: %v USD = %v GBP (missing %v), want 1000 = 800", usd, gbp, missing)
	}
	query(t, w, `SELECT fx_missing FROM marts.entry_values WHERE entry_key = 'harvest:2'`, &missing)
	if !missing {
		t.Error("a JPY entry with no rate is not flagged fx_missing")
	}
}

// §4.2 capped T&M: revenue stops at the not-to-exceed amount; the billable
// value beyond it is capped excess, a write-down at source (§4.6).
func TestCappedTimeAndMaterials(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 110, "code": "CAP", "name": "Capped", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	put(t, w, "time_entries", entry(1, 1, 110, 1, "Build", "2025-03-04", 30, true), entry(2, 1, 110, 1, "Build", "2025-04-08", 20, true))
	s := usSeeds("2025-04-30")
	s.Finance.Terms = []ProjectTerms{{Code: "CAP", Cap: 4000, PercentComplete: -1}}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	for month, want := range map[string][2]float64{"2025-03-01": {3000, 0}, "2025-04-01": {1000, 1000}} {
		var revenue, excess float64
		query(t, w, `SELECT revenue, capped_excess FROM marts.project_month WHERE project_key = 'harvest:110' AND month = '`+month+`'`, &revenue, &excess)
		if revenue != want[0] || excess != want[1] {
			t.Errorf("%s: revenue %v excess %v, want %v", month, revenue, excess, want)
		}
	}
	var total float64
	query(t, w, `SELECT revenue FROM marts.project_financials WHERE project_key = 'harvest:110'`, &total)
	if total != 4000 {
		t.Errorf("to date %v, want the cap 4000", total)
	}
}

// §4.5: a fixed fee recognised at milestone acceptance — nothing before it,
// the milestone's amount in the month it is accepted, whatever the hours.
func TestMilestonesRecognisedAtAcceptance(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 113, "code": "MS", "name": "Launch", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
		"is_fixed_fee": true, "fee": 60000.0, "budget_by": "project", "budget": 400.0, "is_active": true})
	put(t, w, "time_entries", entry(1, 1, 113, 1, "Design", "2025-02-10", 80, true), entry(2, 1, 113, 1, "Design", "2025-03-10", 80, true),
		entry(3, 1, 113, 1, "Build", "2025-04-10", 80, true))
	s := usSeeds("2025-04-30")
	accepted, _ := time.Parse(time.DateOnly, "2025-03-20")
	s.Finance.Terms = []ProjectTerms{{Code: "MS", PercentComplete: -1, Milestones: []Milestone{
		{Name: "Design signed off", Accepted: accepted, Amount: 20000}, {Name: "Go live", Amount: 40000}}}}
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s})
	for month, want := range map[string]float64{"2025-02-01": 0, "2025-03-01": 20000, "2025-04-01": 0} {
		var revenue float64
		query(t, w, `SELECT revenue FROM marts.project_month WHERE project_key = 'harvest:113' AND month = '`+month+`'`, &revenue)
		if revenue != want {
			t.Errorf("%s: revenue %v, want %v", month, revenue, want)
		}
	}
}

// §4.3 and §6.4: a fixed fee whose hours overrun the budget earns by the
// estimate at completion, not the budget. $60,000 for 400 h; 520 h logged
// (260 in May, 260 in June) and 280 h still booked from July: EAC 800 h, so
// 65% complete and $39,000 earned ($19,500 a month) — where hours ÷ budget
// capped at 100% would have called the whole fee earned. A closed project
// with nothing booked is complete: its whole fee is earned even under budget.
func TestFixedFeeOverrunEarnsByEstimateAtCompletion(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects",
		m{"id": 115, "code": "OVR", "name": "Overrun", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
			"is_fixed_fee": true, "fee": 60000.0, "budget_by": "project", "budget": 400.0, "is_active": true},
		m{"id": 116, "code": "DONE", "name": "Delivered", "client": m{"id": 10, "currency": "USD"}, "is_billable": true,
			"is_fixed_fee": true, "fee": 30000.0, "budget_by": "project", "budget": 400.0, "is_active": false})
	put(t, w, "time_entries", entry(1, 1, 115, 1, "Design", "2025-05-12", 260, true), entry(2, 1, 115, 1, "Build", "2025-06-10", 260, true),
		entry(3, 1, 116, 1, "Design", "2025-04-14", 300, true))
	dir := userOverrides(t, map[string]string{"core/bookings.sql": `SELECT 'harvest:1' AS person_key, NULL::VARCHAR AS role, 'harvest:115' AS project_key,
		(DATE '2025-07-07' + INTERVAL (i) DAY)::DATE AS date, 10::DECIMAL(12,4) AS hours, false AS tentative, 'plan' AS source FROM range(28) t(i)`})
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: usSeeds("2025-06-30"), UserDir: dir})
	var pc, eac float64
	query(t, w, `SELECT percent_complete, eac_h FROM marts.project_forecast WHERE project_key = 'harvest:115'`, &pc, &eac)
	within(t, "percent complete", pc, 0.65, 0.000005)
	within(t, "EAC hours", eac, 800, 0.00005)
	for month, want := range map[string]float64{"2025-05-01": 19500, "2025-06-01": 19500} {
		var revenue float64
		query(t, w, `SELECT revenue FROM marts.project_month WHERE project_key = 'harvest:115' AND month = '`+month+`'`, &revenue)
		within(t, month+" revenue", revenue, want, 0.005)
	}
	var earned, done float64
	query(t, w, `SELECT revenue FROM marts.project_financials WHERE project_key = 'harvest:115'`, &earned)
	query(t, w, `SELECT revenue FROM marts.project_financials WHERE project_key = 'harvest:116'`, &done)
	within(t, "overrun project earned", earned, 39000, 0.005)
	within(t, "closed project earned", done, 30000, 0.005)
}

// §9.9: rejected time counts nowhere; with finance.approved_only the money
// views keep approved or locked time only, while utilization keeps the rest.
func TestApprovalModes(t *testing.T) {
	w := anaAtAcme(t)
	put(t, w, "projects", m{"id": 114, "name": "Web", "client": m{"id": 10, "currency": "USD"}, "is_billable": true, "budget_by": "none", "is_active": true})
	approved := entry(1, 1, 114, 1, "Build", "2025-03-04", 5, true)
	approved["is_closed"] = true
	open := entry(2, 1, 114, 1, "Build", "2025-03-05", 3, true)
	put(t, w, "time_entries", approved, open)
	s := usSeeds("2025-03-31")
	opts := Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: s}
	build(t, w, opts)
	var revenue, worked float64
	query(t, w, `SELECT revenue FROM marts.project_month WHERE project_key = 'harvest:114'`, &revenue)
	if revenue != 800 {
		t.Errorf("operational mode: revenue %v, want 8 h × 100", revenue)
	}
	opts.Seeds.Finance.ApprovedOnly = true
	build(t, w, opts)
	query(t, w, `SELECT revenue FROM marts.project_month WHERE project_key = 'harvest:114'`, &revenue)
	query(t, w, `SELECT sum(worked_h) FROM marts.person_week`, &worked)
	if revenue != 500 || worked != 8 {
		t.Errorf("approved only: revenue %v (want 500), utilization still sees %v h (want 8)", revenue, worked)
	}
}

// Cash (the Finance page's Cash section) on Harvest as the ledger, at 30
// June 2025: £360,000 invoiced in the 90 days before it, £120,000 of it
// still owed, so days sales outstanding = 120,000 ÷ 360,000 × 90 = 30.0
// days. A (15 Apr, due 15 May) was paid on 20 May, 35 days after issue and
// 5 late; C (10 Jun) on 25 Jun, 15 days after issue and 15 early: weighed
// by amount, 25 days to pay, 5 days early. B (due 14 Jun) is 16 days overdue.
func TestCashReceivablesAndDSO(t *testing.T) {
	w := anaAtAcme(t)
	inv := func(id int, issued, due, paid string) m {
		i := m{"id": id, "client": m{"id": 10}, "number": fmt.Sprint(id), "issue_date": issued, "due_date": due, "state": "open",
			"currency": "USD", "amount": 120000.0, "tax_amount": 0.0, "due_amount": 120000.0,
			"line_items": []m{{"id": id, "kind": "Service", "quantity": 1, "unit_price": 120000.0, "amount": 120000.0}}}
		if paid != "" {
			i["state"], i["due_amount"], i["paid_date"] = "paid", 0.0, paid
		}
		return i
	}
	put(t, w, "invoices", inv(1, "2025-04-15", "2025-05-15", "2025-05-20"), inv(2, "2025-05-15", "2025-06-14", ""), inv(3, "2025-06-10", "2025-07-10", "2025-06-25"))
	build(t, w, Options{Sources: map[string]string{"harvest": "harvest"}, Seeds: usSeeds("2025-06-30")})
	var owed, dso, toPay, late float64
	var overdue int
	var bucket string
	query(t, w, `SELECT sum(outstanding_reporting), max(days_overdue), any_value(aging_bucket) FROM marts.receivables`, &owed, &overdue, &bucket)
	query(t, w, `SELECT dso FROM marts.cash_month WHERE month = '2025-06-01'`, &dso)
	query(t, w, `SELECT days_to_pay, days_late FROM marts.client_payment_terms WHERE client_key = 'harvest:10'`, &toPay, &late)
	within(t, "owed", owed, 120000, 0.005)
	within(t, "DSO", dso, 30, 0.05)
	within(t, "days to pay", toPay, 25, 0.005)
	within(t, "days late", late, -5, 0.005)
	if overdue != 16 || bucket != "1–30" {
		t.Errorf("B: %d days overdue in %q, want 16 in 1–30", overdue, bucket)
	}
	var collected float64
	query(t, w, `SELECT collected FROM marts.cash_month WHERE month = '2025-05-01'`, &collected)
	within(t, "collected in May", collected, 120000, 0.005)
}
