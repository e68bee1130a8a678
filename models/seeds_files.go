package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// fileSeeds are the finance inputs a files source read (connectors/files),
// and those entered at /settings (meta.inputs): their rows join the
// finance: keys' rows in the same seeds tables, so the models cannot tell
// them apart. state changes whenever the files' rows
// do, so the seed hash (and every model reading the seeds) follows.
func fileSeeds(ctx context.Context, db *sql.DB, sources map[string]string) (stmts []seedStmt, state string, err error) {
	var names []string
	for name, typ := range sources {
		if typ == "files" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var states []string
	for _, src := range names {
		for _, f := range fileSeedSQL {
			table := fmt.Sprintf(`raw."%s__%s"`, src, f.stream)
			var n int
			var last sql.NullString
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?`, src+"__"+f.stream).Scan(&n); err != nil {
				return nil, "", err
			}
			if n == 0 {
				continue
			}
			if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE deleted_at IS NULL) || '/' || coalesce(max(coalesce(deleted_at, synced_at))::VARCHAR, '') FROM `+table).Scan(&last); err != nil {
				return nil, "", err
			}
			states = append(states, src+"."+f.stream+"="+last.String)
			stmts = append(stmts, seedStmt{sql: fmt.Sprintf(`INSERT INTO seeds.%s BY NAME SELECT %s FROM (
				SELECT json_extract_string(payload, '$.*') AS v, json_keys(payload) AS k FROM %s WHERE deleted_at IS NULL
			), LATERAL (SELECT map_from_entries(list_zip(k, v)) AS m)`, f.seed, f.cols, table)})
		}
	}
	// Rows entered at /settings with no files source (meta.inputs).
	var app string
	if err := db.QueryRowContext(ctx, `SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM meta.inputs`).Scan(&app); err != nil {
		return nil, "", err
	}
	states = append(states, "app="+app)
	for _, f := range fileSeedSQL {
		stmts = append(stmts, seedStmt{sql: fmt.Sprintf(`INSERT INTO seeds.%s BY NAME SELECT %s FROM (
			SELECT json_extract_string("values", '$.*') AS v, json_keys("values") AS k FROM meta.inputs WHERE shape = '%s'
		), LATERAL (SELECT map_from_entries(list_zip(k, v)) AS m)`, f.seed, f.cols, f.stream)})
	}
	return stmts, strings.Join(states, ";"), nil
}

// fileSeedSQL maps each finance shape's payload (m['column']) to its seeds
// table, with the defaults the finance: keys have.
var fileSeedSQL = []struct{ stream, seed, cols string }{
	{"costs", "costs", `lower(m['person']) AS person, m['role'] AS role, m['salary']::DECIMAL(18,2) AS salary,
		coalesce(m['burden'], '0')::DECIMAL(9,6) AS burden, coalesce(m['overhead_share'], '0')::DECIMAL(18,2) AS overhead_share,
		coalesce(m['from'], '0001-01-01')::DATE AS valid_from, NOT coalesce(m['non_delivery']::BOOLEAN, false) AS is_delivery, m['team'] AS team`},
	{"rate_cards", "rate_cards", `coalesce(m['card'], 'list') AS card, m['role'] AS role, m['rate']::DECIMAL(18,6) AS rate,
		coalesce(m['from'], '0001-01-01')::DATE AS valid_from`},
	{"project_terms", "project_terms", `lower(m['code']) AS code, m['billing_model'] AS billing_model,
		nullif(m['retainer_fee']::DECIMAL(18,2), 0) AS retainer_fee, nullif(m['retainer_hours']::DECIMAL(12,4), 0) AS retainer_hours,
		coalesce(m['rollover_cap_h'], '0')::DECIMAL(12,4) AS rollover_cap_h, m['percent_complete']::DECIMAL(9,6) AS percent_complete,
		nullif(m['cap']::DECIMAL(18,2), 0) AS cap_amount, nullif(m['overage_rate']::DECIMAL(18,6), 0) AS overage_rate`},
	{"milestones", "milestones", `lower(m['code']) AS code, m['milestone'] AS name, m['amount']::DECIMAL(18,2) AS amount, m['accepted']::DATE AS accepted_on`},
	{"budgets", "budgets", `lower(m['code']) AS code, m['budget_hours']::DECIMAL(12,4) AS budget_hours, m['budget_amount']::DECIMAL(18,2) AS budget_amount,
		coalesce(m['from'], '0001-01-01')::DATE AS valid_from, m['note'] AS note`},
	{"targets", "role_targets", `m['role'] AS role, m['target']::DECIMAL(9,6) AS target`},
	{"fx_rates", "fx_rates", `m['from'] AS from_currency, m['to'] AS to_currency, m['date']::DATE AS date, m['rate']::DECIMAL(18,8) AS rate`},
}

// InputRows are the finance inputs of f and fx as the files source's rows
// (by shape, values by column), for `conflux inputs export`: the same
// inputs, moved from conflux.yaml into files.
func InputRows(f Finance, fx []FXRate) map[string][]map[string]string {
	out := map[string][]map[string]string{}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	opt := func(v float64) string {
		if v == 0 {
			return ""
		}
		return num(v)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	for _, c := range f.Costs {
		out["costs"] = append(out["costs"], map[string]string{"person": strings.ToLower(c.Person), "role": c.Role, "team": c.Team, "salary": num(c.Salary),
			"burden": opt(c.Burden), "overhead_share": opt(c.OverheadShare), "from": date(c.From), "non_delivery": yes(c.NonDelivery)})
	}
	for _, r := range f.RateCards {
		out["rate_cards"] = append(out["rate_cards"], map[string]string{"card": r.Card, "role": r.Role, "rate": num(r.Rate), "from": date(r.From)})
	}
	for _, t := range f.Terms {
		pc := ""
		if t.PercentComplete >= 0 {
			pc = num(t.PercentComplete)
		}
		out["project_terms"] = append(out["project_terms"], map[string]string{"code": t.Code, "billing_model": t.BillingModel,
			"retainer_fee": opt(t.RetainerFee), "retainer_hours": opt(t.RetainerHours), "rollover_cap_h": opt(t.RolloverCapH),
			"overage_rate": opt(t.OverageRate), "percent_complete": pc, "cap": opt(t.Cap)})
		for _, m := range t.Milestones {
			out["milestones"] = append(out["milestones"], map[string]string{"code": t.Code, "milestone": m.Name, "amount": num(m.Amount), "accepted": date(m.Accepted)})
		}
	}
	for _, role := range sortedKeys(f.Targets) {
		out["targets"] = append(out["targets"], map[string]string{"role": role, "target": num(f.Targets[role])})
	}
	for _, r := range fx {
		out["fx_rates"] = append(out["fx_rates"], map[string]string{"from": r.From, "to": r.To, "date": date(r.Date), "rate": num(r.Rate)})
	}
	return out
}
