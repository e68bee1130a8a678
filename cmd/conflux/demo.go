package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"
	"golang.org/x/oauth2"

	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/connectors/xero/xerofake"
	"github.com/conflux-dev/conflux/internal/auth"
	"github.com/conflux-dev/conflux/internal/backtest"
	"github.com/conflux-dev/conflux/internal/closing"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/demo"
	"github.com/conflux-dev/conflux/internal/oauthfake"
	"github.com/conflux-dev/conflux/internal/outbox"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

func newDemoCmd(g *globals) *cobra.Command {
	var (
		dir     string
		listen  string
		people  int
		noServe bool
		plant   bool
		stack   string
		signIn  bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve a synthetic agency through built-in fake vendor APIs",
		Long: `Demo generates a deterministic agency (people, clients, projects of mixed
billing models, two years of time and invoices, deals, and a plan of the next
12 weeks), serves it through built-in fakes of the vendors' APIs on 127.0.0.1
(--stack picks the time tool, the CRM and the ledger; Harvest, HubSpot and
Xero by default; Harvest comes with Harvest Forecast for the plan, Productive
plans itself; harvest+jira logs developers' time in Jira and everyone else's
in Harvest, with some hours in both, counted once), syncs it through the real
connectors into a fresh warehouse under --dir, builds the models and serves
the dashboards. The fakes keep running, so the Refresh button works.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			start := time.Now()
			a := demo.Generate(demo.Options{People: people})
			var planted []demo.Planted
			if plant {
				planted = a.PlantGaps(strings.Contains(stack, "xero") || strings.Contains(stack, "quickbooks"))
			}
			fmt.Fprintf(out, "Generated %s: %d people, %d clients, %d projects, %d time entries, %d invoices, %d credit notes, %d deals (%s to %s)\n",
				a.Name, len(a.People), len(a.Clients)-1, len(a.Projects), len(a.Entries), len(a.Invoices), len(a.CreditNotes), len(a.Deals),
				a.Start.Format(time.DateOnly), a.Options.End.Format(time.DateOnly))
			if len(planted) > 0 {
				var checks []string
				for _, p := range planted {
					checks = append(checks, p.Check)
				}
				fmt.Fprintf(out, "Planted %d gaps between the tools (%s): see `conflux gaps` or the Ops page\n", len(planted), strings.Join(checks, " "))
			}
			if slices.Contains(strings.Split(stack, ","), "harvest+jira") {
				s := a.SplitHarvestJira(5)
				fmt.Fprintf(out, "Time in two tools: %d developers and QA engineers log in Jira, the others in Harvest; %d worklogs copied into Harvest by Harvest for Jira, %d typed in twice by hand (C34)\n",
					len(s.InJira), len(s.Mirrored), len(s.Doubled))
			}
			fakes, err := demo.StartFakes(a)
			if err != nil {
				return err
			}
			defer fakes.Close()
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			cfgPath := filepath.Join(dir, "conflux.yaml")
			body, err := fakes.Config(a, stack, listen)
			if err != nil {
				return usageError{err}
			}
			if signIn {
				body = []byte(strings.Replace(string(body), "server:\n", "server:\n  auth: local\n", 1))
			}
			// Alerts go to a mail server and a webhook receiver in this process,
			// whose messages the Alerts page links to.
			box, err := outbox.Start()
			if err != nil {
				return err
			}
			defer box.Close()
			body = append(body, demoAlerts(box)...)
			// Finance's spreadsheets: a files source the Settings page edits.
			if err := demoInputs(a, filepath.Join(dir, "inputs")); err != nil {
				return err
			}
			body = []byte(strings.Replace(string(body), "sources:\n", "sources:\n  inputs:                          # finance's spreadsheets; Settings edits them\n    type: files\n    path: inputs\n", 1))
			if err := os.WriteFile(cfgPath, body, 0o644); err != nil {
				return err
			}
			cfg, err := config.Load(cfgPath, vendors())
			if err != nil {
				return err
			}
			for _, suffix := range []string{"", ".wal"} {
				os.Remove(cfg.Warehouse + suffix)
			}
			wh, err := warehouse.Open(ctx, cfg.Warehouse)
			if err != nil {
				return err
			}
			defer wh.Close()
			// The demo's OAuth sources start connected, as if someone had run
			// `conflux connect`: their fakes' OAuth servers issue the grant and
			// will rotate it on refresh.
			for name, grant := range map[string]struct {
				server *oauthfake.Server
				extra  map[string]string
			}{
				"xero":       {fakes.XeroOAuth, map[string]string{"tenant_id": demo.XeroTenant}},
				"quickbooks": {fakes.QuickBooksOAuth, map[string]string{"realm_id": demo.QuickBooksRealm}},
			} {
				if src, ok := cfg.Source(name); ok {
					access, refresh, expiresIn := grant.server.Issue()
					tok := &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(time.Duration(expiresIn) * time.Second)}
					if err := saveAuthorization(ctx, cfg, wh, src, authorization{Token: tok, Extra: grant.extra}); err != nil {
						return err
					}
				}
			}
			fmt.Fprintf(out, "Syncing from the %s fake into %s\n", stack, cfg.Warehouse)
			if err := runSync(ctx, cfg, wh, cfg.Sources, nil, newProgress(os.Stderr), g.logger()); err != nil {
				return err
			}
			if err := runBuild(ctx, wh, cfg, buildOptions{}, out, g.logger()); err != nil {
				return err
			}
			if err := demoForecastHistory(ctx, wh, out); err != nil {
				return err
			}
			if err := demoCloses(ctx, cfg, wh, fakes, stack, out, g); err != nil {
				return err
			}
			if signIn {
				if err := demoUsers(ctx, wh, a, out); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "Demo ready in %s.\n", time.Since(start).Round(100*time.Millisecond))
			if noServe {
				return nil
			}
			return serve(ctx, cfg, wh, true, box, out, g.logger())
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "conflux-demo", "folder for the demo's conflux.yaml and warehouse")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to serve on (a free port is taken if it is busy)")
	cmd.Flags().IntVar(&people, "people", 40, "size of the agency")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "stop after sync and build")
	cmd.Flags().BoolVar(&plant, "plant-gaps", true, "plant one gap of each kind the checks find (a misspelt client, a won deal with no project, unbilled time, …)")
	cmd.Flags().BoolVar(&signIn, "auth", false, "serve with sign-in (server.auth: local) and four users — admin@, finance@, ops@ and a lead@ scoped to one client and one team — whose passwords are printed once")
	cmd.Flags().StringVar(&stack, "stack", "harvest,hubspot,xero", "the time tool that serves the agency ("+strings.Join(demo.Stacks, ", ")+"), optionally with hubspot or pipedrive (CRM) and xero or quickbooks (ledger): harvest,hubspot,xero")
	return cmd
}

// DemoDomain is the demo agency's email domain.
const DemoDomain = "northwind.example"

// demoUsers adds the demo's four users with fresh passwords and prints
// them, once.
func demoUsers(ctx context.Context, wh *warehouse.Warehouse, a *demo.Agency, out io.Writer) error {
	store := auth.NewStore(wh.DB())
	client := a.Clients[0].Name
	users := []auth.User{
		{Email: "admin@" + DemoDomain, Role: auth.Admin},
		{Email: "finance@" + DemoDomain, Role: auth.Finance},
		{Email: "ops@" + DemoDomain, Role: auth.Ops},
		{Email: "lead@" + DemoDomain, Role: auth.Lead, Clients: []string{client}, Teams: []string{"Designer"}},
	}
	fmt.Fprintln(out, "Sign in as (passwords shown this once):")
	for _, u := range users {
		pw := demoPassword()
		if _, err := store.AddUser(ctx, u, pw); err != nil {
			return err
		}
		scope := ""
		if u.Role == auth.Lead {
			scope = fmt.Sprintf(" (client %s, team Designer)", client)
		}
		fmt.Fprintf(out, "  %-28s %-10s %s%s\n", u.Email, u.Role, pw, scope)
	}
	return nil
}

// demoPassword is a random password of four words' length.
func demoPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// demoAlerts are the demo's alert rules, each firing on a problem the
// demo plants, delivered to the outbox: mail to the demo's people and
// posts to a Slack and a Teams "channel" of the receiver.
func demoAlerts(box *outbox.Outbox) string {
	host, port, _ := net.SplitHostPort(box.SMTPAddr)
	return fmt.Sprintf(`
# The demo's alerts go to a mail server and a webhook receiver inside the
# demo process (see /outbox/); they stop with it.
alerts:
  smtp: {host: %s, port: %s, tls: none, from: "Conflux <conflux@%s>"}
  channels:
    ops-slack: {type: slack, url: "%s/slack/ops"}
    delivery-teams: {type: teams, url: "%s/teams/delivery"}
  repeat: 7d
  rules:
    - {name: budget_red, kind: budget_burn, band: red, severity: critical, to: [finance@%[3]s], channels: [email], worsen_step: 1000}
    - {name: overbooked, kind: booking, weeks: 4, over_pct: 110, to: [ops@%[3]s], channels: [delivery-teams]}
    - {name: gaps_over_1000, kind: gaps, min_amount: 1000, to: [ops@%[3]s], channels: [email, ops-slack]}
    - {name: stale_deals, kind: stale_deal, days: 7, to: [leadership@%[3]s], channels: [email]}
    - {name: data_health, kind: data_test, severity: critical, to: [admin@%[3]s], channels: [email, ops-slack]}
    - {name: month_restated, kind: restated, to: [finance@%[3]s], channels: [email]}
schedule:
  - {report: weekly, to: [leadership@%[3]s], at: "mon 08:00"}
`, host, port, DemoDomain, box.HookURL, box.HookURL)
}

// demoCloses closes the two months before org.as_of's month, as finance
// would have; on the default stack a timesheet and a credit note then
// arrive late, dated in the last closed month, and the next sync and
// build list them as restatements.
func demoCloses(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, fakes *demo.Fakes, stack string, out io.Writer, g *globals) error {
	var asOf time.Time
	if err := wh.DB().QueryRowContext(ctx, `SELECT as_of FROM seeds.org`).Scan(&asOf); err != nil {
		return err
	}
	last := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closedAt := time.Now()
	for _, m := range []time.Time{last.AddDate(0, -1, 0), last} {
		if _, err := closing.Do(ctx, wh.DB(), m, "finance@"+DemoDomain, closedAt); err != nil {
			return err
		}
	}
	tools := strings.Split(stack, ",")
	if !slices.Contains(tools, "harvest") || !slices.Contains(tools, "xero") {
		fmt.Fprintf(out, "Closed %s and %s\n", last.AddDate(0, -1, 0).Format("2006-01"), last.Format("2006-01"))
		return nil
	}
	// The late timesheet: a copy of a billable entry of the month, 6 h.
	var payload string
	if err := wh.DB().QueryRowContext(ctx, `SELECT payload::VARCHAR FROM raw.harvest__time_entries
		WHERE payload->>'spent_date' LIKE ? AND (payload->>'billable')::BOOLEAN AND (payload->>'billable_rate') IS NOT NULL
		ORDER BY id LIMIT 1`, last.Format("2006-01")+"-%").Scan(&payload); err != nil {
		return fmt.Errorf("demo: no entry to copy late: %w", err)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(payload), &entry); err != nil {
		return err
	}
	entry["id"], entry["hours"], entry["rounded_hours"], entry["is_billed"], entry["invoice"] = 990000001, 6.0, 6.0, false, nil
	entry["spent_date"], entry["notes"] = last.AddDate(0, 1, -2).Format(time.DateOnly), "Logged after the month was closed"
	entry["updated_at"] = time.Now().UTC().Format(time.RFC3339)
	if err := fakes.Harvest.Put("time_entries", []map[string]any{entry}); err != nil {
		return err
	}
	// The credit note: a goodwill credit dated in the month, raised later
	// (a copy of one the agency raised before; a small agency may have none).
	if err := wh.DB().QueryRowContext(ctx, `SELECT payload::VARCHAR FROM raw.xero__credit_notes ORDER BY id LIMIT 1`).Scan(&payload); err == nil {
		var cn map[string]any
		if err := json.Unmarshal([]byte(payload), &cn); err != nil {
			return err
		}
		id := "00000006-0000-4000-8000-0000000f0001"
		date := fmt.Sprintf("/Date(%d+0000)/", last.AddDate(0, 0, 19).UnixMilli())
		cn["CreditNoteID"], cn["CreditNoteNumber"], cn["Date"], cn["Status"], cn["Allocations"] = id, "CN-LATE", date, "AUTHORISED", []any{}
		cn["RemainingCredit"], cn["UpdatedDateUTC"] = cn["Total"], fmt.Sprintf("/Date(%d+0000)/", time.Now().UnixMilli())
		for i, l := range cn["LineItems"].([]any) {
			l.(map[string]any)["LineItemID"] = fmt.Sprintf("00000004-0000-4000-8000-0000000f%04d", i)
		}
		fakes.Xero.Put("CreditNotes", xerofake.Record{ID: id, Updated: time.Now(), Fields: cn})
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	fmt.Fprintf(out, "Closed %s and %s; then a timesheet and a credit note dated in %s arrived late\n",
		last.AddDate(0, -1, 0).Format("2006-01"), last.Format("2006-01"), last.Format("2006-01"))
	srcs, err := selectSources(cfg, []string{"harvest", "xero"})
	if err != nil {
		return err
	}
	if err := runSync(ctx, cfg, wh, srcs, nil, nil, g.logger()); err != nil {
		return err
	}
	if err := runBuild(ctx, wh, cfg, buildOptions{}, out, g.logger()); err != nil {
		return err
	}
	var changes int
	wh.DB().QueryRowContext(ctx, `SELECT count(*) FROM marts.restatements`).Scan(&changes)
	fmt.Fprintf(out, "%d restatements of the closed months: `conflux restatements` or Finance\n", changes)
	return nil
}

// demoForecastHistory gives the demo a year of forecasts, as if Conflux
// had run every week: the bookings its planners made 1, 4 and 12 weeks
// ahead of each week, which understated the hours then worked by 12%
// (give or take 2% a week of horizon), each role's plan 8% under, won
// deals' weighted demand 25% over the hours their projects took, finished
// projects' estimates at completion at 25/50/75% of budget under their
// final figure, and a revenue forecast 5% under each month's. A real
// agency's history builds up from its own builds.
func demoForecastHistory(ctx context.Context, wh *warehouse.Warehouse, out io.Writer) error {
	noise := func(key string) string {
		return `((hash(` + key + `) % 2001) / 1000.0 - 1.0)`
	}
	for _, q := range []string{
		`INSERT INTO snapshots.forecasts
SELECT (w.week_start - 7 * h.h)::DATE, 'person_week', w.person_key, w.week_start,
	round(w.worked_h * 0.88 * (1 + ` + noise(`w.person_key || w.week_start::VARCHAR || h.h::VARCHAR`) + ` * 0.02 * h.h), 2), NULL, NULL, p.role, NULL
FROM marts.person_week w JOIN core.people p USING (person_key) CROSS JOIN seeds.org o CROSS JOIN (SELECT unnest([1, 4, 12]) AS h) h
WHERE w.week_start + 7 <= o.as_of AND w.week_start > o.as_of - 364 AND w.worked_h > 0
ON CONFLICT DO NOTHING`,
		`INSERT INTO snapshots.forecasts
SELECT (m.month - 7 * h.h)::DATE, 'revenue_month', 'agency', m.month,
	round(m.revenue * 0.95 * (1 + ` + noise(`m.month::VARCHAR || h.h::VARCHAR`) + ` * 0.01 * h.h), 2), NULL, NULL, NULL, NULL
FROM (SELECT month, sum(revenue)::DOUBLE AS revenue FROM marts.project_month GROUP BY 1) m CROSS JOIN seeds.org o CROSS JOIN (SELECT unnest([1, 4, 12]) AS h) h
WHERE (m.month + INTERVAL 1 MONTH)::DATE <= o.as_of AND m.month > o.as_of - 366
ON CONFLICT DO NOTHING`,
		// Each role's plan 1, 4 and 12 weeks ahead: 8% under the hours the
		// role then worked.
		`INSERT INTO snapshots.forecasts
SELECT (w.week_start - 7 * h.h)::DATE, 'role_week', w.role, w.week_start,
	round(w.hours * 0.92 * (1 + ` + noise(`w.role || w.week_start::VARCHAR || h.h::VARCHAR`) + ` * 0.02 * h.h), 2), NULL, NULL, NULL, NULL
FROM (SELECT p.role, pw.week_start, sum(pw.worked_h)::DOUBLE AS hours FROM marts.person_week pw JOIN core.people p USING (person_key)
	WHERE p.role IS NOT NULL GROUP BY ALL) w CROSS JOIN seeds.org o CROSS JOIN (SELECT unnest([1, 4, 12]) AS h) h
WHERE w.week_start + 7 <= o.as_of AND w.week_start > o.as_of - 364 AND w.hours > 0
ON CONFLICT DO NOTHING`,
		// Each won deal's weighted demand, the weeks before it was won: 25%
		// over the hours its projects then took (deals shrink on signing).
		`INSERT INTO snapshots.forecasts
SELECT (w.week_start - 7 * h.h)::DATE, 'deal_week', w.deal_key, w.week_start,
	round(w.hours * 1.25 * (1 + ` + noise(`w.deal_key || w.week_start::VARCHAR || h.h::VARCHAR`) + ` * 0.03 * h.h), 2), NULL, NULL, NULL, NULL
FROM (SELECT p.deal_key, date_trunc('week', e.entry_date)::DATE AS week_start, sum(e.hours)::DOUBLE AS hours
	FROM core.time_entries e JOIN core.projects p USING (project_key)
	WHERE p.deal_key IS NOT NULL AND e.counted AND e.time_category <> 'time_off' GROUP BY ALL) w
	CROSS JOIN seeds.org o CROSS JOIN (SELECT unnest([1, 4]) AS h) h
WHERE w.week_start + 7 <= o.as_of AND w.week_start > o.as_of - 364 AND w.hours > 0
ON CONFLICT DO NOTHING`,
		// Each finished project's estimate at completion when it had used a
		// quarter, half and three quarters of its budget (on the day its
		// hours reached that share of the budget): fixed fees understated
		// their final figure by 20%, 12% and 5%, the others by 10%, 5%, 2%.
		`INSERT INTO snapshots.forecasts
WITH fin AS (
	SELECT f.project_key, f.billing_model, f.budget::DOUBLE AS budget, f.consumed::DOUBLE AS final
	FROM marts.project_forecast f JOIN core.projects p USING (project_key)
	WHERE p.status IN ('archived', 'closed', 'completed', 'done') AND f.consumed > 0 AND f.budget > 0
),
days AS (
	SELECT project_key, entry_date, sum(sum(hours)) OVER (PARTITION BY project_key ORDER BY entry_date) / sum(sum(hours)) OVER (PARTITION BY project_key) AS share
	FROM core.time_entries WHERE counted AND time_category <> 'time_off' AND project_key IN (SELECT project_key FROM fin) GROUP BY project_key, entry_date
)
SELECT min(d.entry_date), 'project_eac', fin.project_key, min(d.entry_date),
	round(any_value(fin.final) * CASE WHEN any_value(fin.billing_model) = 'fixed_fee' THEN [0.80, 0.88, 0.95][t.i] ELSE [0.90, 0.95, 0.98][t.i] END, 2),
	any_value(fin.budget), t.pct / 100.0, any_value(fin.billing_model), NULL
FROM fin CROSS JOIN (SELECT unnest([25, 50, 75]) AS pct, unnest([1, 2, 3]) AS i) t
JOIN days d ON d.project_key = fin.project_key AND d.share >= t.pct / 100.0 * fin.budget / fin.final
WHERE t.pct / 100.0 * fin.budget <= fin.final
GROUP BY fin.project_key, t.pct, t.i
ON CONFLICT DO NOTHING`,
	} {
		if _, err := wh.DB().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("demo forecast history: %w", err)
		}
	}
	if err := backtest.Score(ctx, wh.DB()); err != nil {
		return err
	}
	var bias float64
	wh.DB().QueryRowContext(ctx, `SELECT bias_pct FROM marts.forecast_accuracy WHERE measure = 'capacity plan' AND horizon_n = 4 AND segment = 'all'`).Scan(&bias)
	fmt.Fprintf(out, "A year of forecast history: bookings 4 weeks ahead were %+.1f%% off the hours worked (Leadership: How good are our forecasts)\n", bias)
	return nil
}

// demoInputs writes the demo's finance spreadsheets into dir, as finance
// keeps them:
//   - costs.xlsx (sheet Salaries, beside a notes sheet): each employee's
//     salary and 25% burden from each whole year they worked, set so the
//     loaded cost per capacity hour is the rate Harvest stamps (contractors
//     stay costed by Harvest);
//   - rate_cards.csv: the list (rack) rate of each role;
//   - targets.csv: each delivery role's billable target, the 75% the agency
//     has always used;
//   - project_terms.xlsx (sheet Terms): the billing model of its
//     time-and-materials and fixed-fee projects.
//
// They restate what its tools hold, so the demo's figures are its
// generator's to the cent with them; the list card adds list value and
// rate realization, and prices the hour the demo leaves without a rate.
// They are there to be edited at /settings.
func demoInputs(a *demo.Agency, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var roles []string
	for _, p := range a.People {
		if !slices.Contains(roles, p.Role) {
			roles = append(roles, p.Role)
		}
	}
	slices.Sort(roles)
	var targets []map[string]string
	for _, r := range roles {
		targets = append(targets, map[string]string{"role": r, "target": "0.75"})
	}
	if err := files.Write(filepath.Join(dir, "targets.csv"), "targets", targets); err != nil {
		return err
	}
	var cards []map[string]string
	list := demo.ListRates()
	for _, r := range roles {
		cards = append(cards, map[string]string{"card": "list", "role": r, "rate": strconv.Itoa(list[r])})
	}
	if err := files.Write(filepath.Join(dir, "rate_cards.csv"), "rate_cards", cards); err != nil {
		return err
	}
	if err := demoCosts(a, filepath.Join(dir, "costs.xlsx")); err != nil {
		return err
	}
	wb := excelize.NewFile()
	defer wb.Close()
	wb.SetSheetName("Sheet1", "Terms")
	wb.SetSheetRow("Terms", "A1", &[]any{"# Project terms, by the code in Harvest (Settings edits this workbook)"})
	wb.SetSheetRow("Terms", "A2", &[]any{"Code", "Billing model"})
	row := 3
	for _, p := range a.Projects {
		if p.Code == "" || (p.Billing != demo.TM && p.Billing != demo.FixedFee) {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		wb.SetSheetRow("Terms", cell, &[]any{p.Code, p.Billing})
		row++
	}
	return wb.SaveAs(filepath.Join(dir, "project_terms.xlsx"))
}

// demoCosts writes the demo's payroll as a workbook: a notes sheet first,
// then the salaries, one row per person and year.
func demoCosts(a *demo.Agency, path string) error {
	email := map[int64]string{}
	role := map[int64]string{}
	for _, p := range a.People {
		email[p.ID], role[p.ID] = p.Email, p.Role
	}
	wb := excelize.NewFile()
	defer wb.Close()
	wb.SetSheetName("Sheet1", "Read me")
	wb.SetSheetRow("Read me", "A1", &[]any{"Salaries from payroll, one row per person from each annual review. Contractors are costed by the rate Harvest holds."})
	wb.NewSheet("Salaries")
	wb.SetSheetRow("Salaries", "A1", &[]any{"Email", "Role", "Salary", "Burden", "Overhead share", "From"})
	for i, s := range a.Salaries() {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		wb.SetSheetRow("Salaries", cell, &[]any{email[s.PersonID], role[s.PersonID],
			float64(s.Cents) / 100, demo.Burden, 9000, s.From.Format("2006-01-02")})
	}
	return wb.SaveAs(path)
}
