// Package access decides what each role may open and do, and what each
// reader may see of the data: which rows (a lead's clients and teams) and
// which columns (per-person cost for all but finance and admin; money for
// ops). The data side is a warehouse.Restriction, so every report and
// export is narrowed where the data is read, never in a template.
package access

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

// Viewer is who is reading: a signed-in user, a token's owner, the CLI's
// hand-over, or everyone when sign-in is off (full rights, loopback only).
type Viewer struct {
	Email   string
	Role    string
	Clients []string
	Teams   []string
	// Token is the API token's name when a script reads.
	Token string
}

// Local is the viewer when sign-in is off, and the CLI's hand-over.
var Local = Viewer{Role: auth.Admin}

// FromUser is the viewer a user is.
func FromUser(u auth.User) Viewer {
	return Viewer{Email: u.Email, Role: u.Role, Clients: u.Clients, Teams: u.Teams}
}

// Actor names the viewer in the audit log.
func (v Viewer) Actor() string {
	switch {
	case v.Email == "":
		return "local"
	case v.Token != "":
		return v.Email + " (token " + v.Token + ")"
	}
	return v.Email
}

// Pages each role opens besides the drill pages, project pages and
// findings everyone signed in opens: by dashboard slug.
var pages = map[string][]string{
	auth.Admin:      {"overview", "leadership", "finance", "capacity", "ops", "alerts", "weekly", "definitions", "settings", "audit"},
	auth.Finance:    {"overview", "leadership", "finance", "capacity", "ops", "alerts", "weekly", "definitions", "settings"},
	auth.Leadership: {"overview", "leadership", "finance", "capacity", "ops", "alerts", "weekly", "definitions"},
	auth.Ops:        {"overview", "capacity", "ops", "alerts", "definitions"},
	auth.Lead:       {"overview", "finance", "capacity", "ops", "definitions"},
}

// MayOpen reports whether the viewer may open the page (a dashboard's
// slug; drill pages, project pages and findings are open to every role).
func (v Viewer) MayOpen(slug string, drill bool) bool {
	return drill || slices.Contains(pages[v.Role], slug)
}

// Actions a role may take.
const (
	Refresh  = "refresh"  // sync and build
	Query    = "query"    // run SQL through /api/query
	Mappings = "mappings" // accept or reject an identity suggestion
	Gaps     = "gaps"     // decide on a gaps finding
	Users    = "users"    // users, tokens, the audit log
	Alerts   = "alerts"   // acknowledge or snooze an alert
	Close    = "close"    // close or reopen a month
	Inputs   = "inputs"   // edit finance's inputs at /settings
)

var actions = map[string][]string{
	auth.Admin:      {Refresh, Query, Mappings, Gaps, Users, Alerts, Close, Inputs},
	auth.Finance:    {Query, Gaps, Alerts, Close, Inputs},
	auth.Leadership: {},
	auth.Ops:        {Mappings, Gaps, Alerts},
	auth.Lead:       {Gaps},
}

// May reports whether the viewer may take the action.
func (v Viewer) May(action string) bool { return slices.Contains(actions[v.Role], action) }

// Restriction is what the viewer's reads go through; nil reads everything
// (admin and finance).
func (v Viewer) Restriction() *warehouse.Restriction {
	var maskMoney, maskPersonCost bool
	switch v.Role {
	case auth.Admin, auth.Finance:
		return nil
	case auth.Leadership:
		maskPersonCost = true
	case auth.Ops:
		maskMoney = true
	case auth.Lead:
		maskPersonCost = true
	default:
		maskMoney, maskPersonCost = true, true
	}
	scoped := v.Role == auth.Lead
	key := fmt.Sprintf("%s|%v|%v|%q|%q", v.Role, maskMoney, maskPersonCost, v.Clients, v.Teams)
	sum := sha256.Sum256([]byte(key))
	r := &warehouse.Restriction{Name: v.Role + "_" + hex.EncodeToString(sum[:6])}
	r.Mask = func(table, column string) bool {
		if maskMoney && !gapTables[table] && moneyRE.MatchString(column) {
			return true
		}
		return maskPersonCost && personTables[table] && personCostRE.MatchString(column)
	}
	if scoped {
		r.Rows = v.rows
	}
	return r
}

// personTables hold a cost per person or per entry; elsewhere costs are
// summed over a project, client, team or the agency.
var personTables = map[string]bool{
	"core.people": true, "core.time_entries": true, "marts.entry_values": true, "marts.cost_rates": true,
	"marts.cost_rate_month": true, "marts.person_day": true, "marts.person_week": true, "marts.schedule_day": true,
	"marts.schedule_week": true, "snapshots.entries": true, "snapshots.person_day": true, "snapshots.person_week": true,
}

// gapTables keep their money at stake for ops.
var gapTables = map[string]bool{"marts.gaps": true, "marts.day_findings": true, "workflow.gap_state": true, "workflow.gap_events": true, "marts.gap_checks": true, "snapshots.gaps": true}

var (
	personCostRE = regexp.MustCompile(`cost|salary|burden|loaded|breakeven|overhead_share`)
	moneyRE      = regexp.MustCompile(`revenue|margin|cost|invoiced|value|amount|rate|wip|deferred|fee|agi|contribution|payroll|profit|overhead|pass_through|^dl$|^dnl$|outstanding|^total$|paid|collected|receivables|breakeven|loss|^eac$|^vac$|^net|tax|salary|burden|loaded|credited|realization|^budget$|consumed|_in$|_out$`)
)

// reference tables are read whole by every reader: lookups, not facts.
var reference = map[string]bool{"marts.gap_checks": true, "core.holidays": true, "snapshots.closes": true, "snapshots.current": true}

// rows is a lead's filter: a row is theirs when it belongs to one of their
// clients (by client, or by project of a client) or one of their teams (by
// person, or by team or role). People who worked on their clients'
// projects keep their names, so the entries there read whole.
func (v Viewer) rows(table string, cols []string) string {
	has := func(c string) bool { return slices.Contains(cols, c) }
	clients := fmt.Sprintf(`(SELECT client_key FROM core.clients WHERE name IN (%[1]s) OR client_key IN (%[1]s))`, list(v.Clients))
	projects := `(SELECT project_key FROM core.projects WHERE client_key IN ` + clients + `)`
	people := fmt.Sprintf(`(SELECT person_key FROM core.people WHERE team IN (%s))`, list(v.Teams))
	var or []string
	switch {
	case reference[table]:
		return ""
	case table == "core.people":
		return `person_key IN ` + people + ` OR person_key IN (SELECT person_key FROM core.time_entries WHERE project_key IN ` + projects + `)`
	case has("client_key"):
		or = append(or, `client_key IN `+clients)
	case has("project_key"):
		or = append(or, `project_key IN `+projects)
	}
	switch {
	case has("person_key"):
		or = append(or, `person_key IN `+people)
	case has("team"):
		or = append(or, fmt.Sprintf(`team IN (%s)`, list(v.Teams)))
	case has("role") && !has("client_key") && !has("project_key"):
		or = append(or, fmt.Sprintf(`role IN (%s)`, list(v.Teams)))
	}
	if len(or) == 0 {
		return "false" // agency-wide figures are no one client's or team's
	}
	return strings.Join(or, " OR ")
}

// list quotes values as a SQL list; an empty one matches nothing.
func list(vs []string) string {
	if len(vs) == 0 {
		return "NULL"
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}
