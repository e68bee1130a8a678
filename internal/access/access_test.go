package access

import (
	"strings"
	"testing"

	"github.com/conflux-dev/conflux/internal/auth"
)

// What each role reads: finance and admin everything; leadership and a
// lead no per-person cost but project cost; ops no money but the gaps'
// money at stake.
func TestRestrictionMasksByRole(t *testing.T) {
	for _, role := range []string{auth.Admin, auth.Finance} {
		if (Viewer{Role: role}).Restriction() != nil {
			t.Errorf("%s reads through a restriction", role)
		}
	}
	cases := []struct {
		role, table, column string
		masked              bool
	}{
		{auth.Leadership, "core.time_entries", "cost_rate", true},
		{auth.Leadership, "marts.person_week", "cost_amount", true},
		{auth.Leadership, "marts.project_financials", "cost_amount", false},
		{auth.Leadership, "marts.project_financials", "margin", false},
		{auth.Lead, "core.people", "cost_rate", true},
		{auth.Lead, "marts.client_month", "margin", false},
		{auth.Ops, "marts.project_financials", "revenue", true},
		{auth.Ops, "core.invoices", "amount_due", true},
		{auth.Ops, "marts.person_week", "worked_h", false},
		{auth.Ops, "marts.gaps", "amount_at_stake", false},
		{auth.Ops, "marts.day_findings", "amount_at_stake", false},
	}
	for _, c := range cases {
		r := Viewer{Role: c.role, Clients: []string{"Acme"}}.Restriction()
		if r == nil || r.Mask(c.table, c.column) != c.masked {
			t.Errorf("%s: %s.%s masked = %v, want %v", c.role, c.table, c.column, r != nil && r.Mask(c.table, c.column), c.masked)
		}
	}
}

// A lead's rows: by client (directly or through a project), by person or
// team; agency-wide tables show them nothing, reference tables everything;
// names are quoted, never spliced.
func TestLeadRowsFollowTheirClientsAndTeams(t *testing.T) {
	v := Viewer{Role: auth.Lead, Clients: []string{"O'Brien & Co"}, Teams: []string{"Designer"}}
	r := v.Restriction()
	if r.Rows == nil {
		t.Fatal("a lead's rows are not filtered")
	}
	cases := []struct {
		table string
		cols  []string
		has   []string
	}{
		{"marts.client_month", []string{"client_key", "month"}, []string{"client_key IN", "'O''Brien & Co'"}},
		{"marts.project_month", []string{"project_key", "month"}, []string{"project_key IN"}},
		{"marts.person_week", []string{"person_key", "week_start"}, []string{"person_key IN", "'Designer'"}},
		{"marts.team_month", []string{"team", "month"}, []string{"team IN ('Designer')"}},
		{"marts.agency_month", []string{"month", "revenue"}, []string{"false"}},
	}
	for _, c := range cases {
		got := r.Rows(c.table, c.cols)
		for _, want := range c.has {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", c.table, got, want)
			}
		}
	}
	if got := r.Rows("marts.gap_checks", []string{"check_id"}); got != "" {
		t.Errorf("a reference table is filtered: %q", got)
	}
	other := Viewer{Role: auth.Lead, Clients: []string{"Globex"}}.Restriction()
	if other.Name == r.Name {
		t.Error("two scopes share one restricted schema")
	}
	if none := (Viewer{Role: auth.Lead}).Restriction().Rows("marts.client_month", []string{"client_key"}); !strings.Contains(none, "IN (SELECT client_key FROM core.clients WHERE name IN (NULL)") {
		t.Errorf("a lead with no clients should match none: %q", none)
	}
}

func TestPagesAndActionsPerRole(t *testing.T) {
	if (Viewer{Role: auth.Ops}).MayOpen("finance", false) || !(Viewer{Role: auth.Ops}).MayOpen("entries", true) {
		t.Error("ops opens Finance, or not the drill pages")
	}
	if !(Viewer{Role: auth.Lead}).MayOpen("finance", false) || (Viewer{Role: auth.Lead}).MayOpen("leadership", false) {
		t.Error("a lead's pages are wrong")
	}
	if (Viewer{Role: auth.Finance}).May(Refresh) || !(Viewer{Role: auth.Finance}).May(Query) || (Viewer{Role: auth.Lead}).May(Query) {
		t.Error("actions per role are wrong")
	}
	if !Local.May(Users) {
		t.Error("the local viewer is not an admin")
	}
}
