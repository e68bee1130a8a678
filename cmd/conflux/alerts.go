package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/alerts"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
	"github.com/conflux-dev/conflux/reports/weekly"
)

// alertEngine is the engine over the config's rules; links in messages
// point at server.public_url, else at the address served.
func alertEngine(cfg *config.Config, db *sql.DB, log *slog.Logger) *alerts.Engine {
	base := cfg.Server.PublicURL
	if base == "" {
		base = "http://" + cfg.Server.Listen
	}
	return &alerts.Engine{DB: db, Config: cfg.Alerts, Org: cfg.Org.Name, BaseURL: base, Log: log}
}

// runAlerts evaluates the rules after a build and says what was sent. A
// rule or a channel that fails is reported, never returned: it must not
// turn a build red.
func runAlerts(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, out io.Writer, log *slog.Logger) {
	if len(cfg.Alerts.Rules) == 0 || ctx.Err() != nil {
		return
	}
	res, err := alertEngine(cfg, wh.DB(), log).Run(ctx)
	if err != nil {
		fmt.Fprintf(out, "alerts: not evaluated: %v\n", err)
		log.Error("alerts not evaluated", "error", err)
		return
	}
	sentOK := len(res.Deliveries) - res.Failed()
	line := fmt.Sprintf("alerts: %d open (%d new, %d resolved); %d messages sent", res.Open, res.Opened, res.Resolved, sentOK)
	if res.Failed() > 0 {
		line += fmt.Sprintf(", %d failed (the Ops page's data health lists them; the next build retries)", res.Failed())
	}
	fmt.Fprintln(out, line)
	for _, r := range cfg.Alerts.Rules {
		if err := res.RuleErrors[r.Name]; err != nil {
			fmt.Fprintf(out, "  ✗ alert rule %s: %v\n", r.Name, err)
		}
	}
	for _, d := range res.Deliveries {
		if d.Err != nil {
			fmt.Fprintf(out, "  ✗ %s: %v\n", d.Target, d.Err)
		}
	}
}

func newAlertsCmd(g *globals) *cobra.Command {
	var open bool
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List the alerts the rules found, or test one rule",
		Long: `Alerts lists what the rules under alerts: in conflux.yaml found at the last
build: open (and snoozed) first, then the resolved ones, with when each was
first and last seen and who acknowledged it. Every build evaluates the rules
and sends what is new, worse, still open after the repeat interval, or
resolved; 'conflux alerts test RULE' shows what one rule finds now and what
would be sent, sending nothing.`,
		Example: `  conflux alerts --open
  conflux alerts test budget_red`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := `SELECT CASE WHEN resolved_at IS NOT NULL THEN 'resolved' WHEN snoozed_until > now() THEN 'snoozed'
					WHEN acknowledged_by IS NOT NULL THEN 'acknowledged' ELSE 'open' END AS status,
				rule, severity, title, coalesce(detail, '') AS detail, strftime(first_seen, '%Y-%m-%d %H:%M') AS first_seen,
				strftime(last_seen, '%Y-%m-%d %H:%M') AS last_seen
			FROM workflow.alerts`
			if open {
				q += ` WHERE resolved_at IS NULL`
			}
			q += ` ORDER BY resolved_at IS NOT NULL, level DESC, amount DESC NULLS LAST, rule, key`
			return runQuery(cmd, g, q, "table")
		},
	}
	cmd.Flags().BoolVar(&open, "open", false, "only the alerts still open")
	test := &cobra.Command{
		Use:   "test RULE",
		Short: "Evaluate one rule now and show what would be sent, sending nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			wh, err := openWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer wh.Close()
			e := alertEngine(cfg, wh.DB(), g.logger())
			found, msgs, err := e.Test(cmd.Context(), args[0])
			if err != nil {
				return usageError{err}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s finds %d alerts now:\n", args[0], len(found))
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			for _, a := range found {
				amount := ""
				if a.Amount != nil {
					amount = reports.Grouped(*a.Amount, 2)
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Key, a.Title, a.Detail, amount)
			}
			tw.Flush()
			if len(msgs) == 0 {
				fmt.Fprintln(out, "Nothing would be sent: every recipient has been told of these already (or nobody holds the rule's roles).")
			}
			for _, m := range msgs {
				fmt.Fprintf(out, "\nwould send to %s: %s\n", m.Target, m.Subject(cfg.Org.Name))
				for _, n := range m.Notices {
					fmt.Fprintf(out, "  %-10s %s\n", n.Kind, n.Title)
				}
			}
			return nil
		},
	}
	cmd.AddCommand(test)
	return cmd
}

// weeklyMail is the leadership weekly as a mail: the email-safe HTML as the
// body and the week's KPIs as a CSV attachment.
func weeklyMail(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, to []string, now time.Time) (alerts.Mail, error) {
	cat, err := reports.Load()
	if err != nil {
		return alerts.Mail{}, err
	}
	body, err := weekly.Render(ctx, weekly.Local(cat, wh), weekly.Options{Org: cfg.Org.Name, Currency: cfg.Org.Currency, Now: now})
	if err != nil {
		return alerts.Mail{}, err
	}
	tbl, err := cat.Run(ctx, wh, "leadership_kpis", nil)
	if err != nil {
		return alerts.Mail{}, err
	}
	defer tbl.Release()
	var kpis bytes.Buffer
	if err := reports.WriteCSV(&kpis, tbl); err != nil {
		return alerts.Mail{}, err
	}
	subject, name := cfg.Org.Name+": the weekly", "kpis.csv"
	if recs, err := csv.NewReader(bytes.NewReader(kpis.Bytes())).ReadAll(); err == nil && len(recs) > 1 {
		if i := slices.Index(recs[0], "week_start"); i >= 0 && len(recs[1][i]) >= 10 {
			if t, err := time.Parse(time.DateOnly, recs[1][i][:10]); err == nil {
				y, wk := t.ISOWeek()
				subject, name = fmt.Sprintf("%s: the weekly, %d-W%02d", cfg.Org.Name, y, wk), fmt.Sprintf("kpis-%d-W%02d.csv", y, wk)
			}
		}
	}
	return alerts.Mail{To: to, Subject: subject, HTML: string(body),
		Text:        "The leadership weekly is in this mail's HTML part; the KPIs are attached as CSV.",
		Attachments: []alerts.Attachment{{Name: name, Type: "text/csv; charset=utf-8", Body: kpis.Bytes()}}, Date: now}, nil
}

func newSendCmd(g *globals) *cobra.Command {
	var to []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Mail a report now (what schedule: sends on its timetable)",
		Args:  cobra.NoArgs,
	}
	weeklyCmd := &cobra.Command{
		Use:   "weekly",
		Short: "Mail the leadership weekly, with the KPIs as CSV",
		Long: `Send weekly mails the leadership weekly (the HTML of 'conflux report weekly'
as the body, the week's KPIs attached as CSV) through alerts.smtp to --to
(addresses, or roles whose users receive it). --dry-run prints the
recipients, the subject and the attachment instead of sending.`,
		Example: `  conflux send weekly --to ceo@northwind.example --dry-run
  conflux send weekly --to leadership`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if len(to) == 0 {
				return flagError{errors.New("--to is required: addresses or roles, e.g. --to ceo@northwind.example")}
			}
			if !dryRun && !cfg.Alerts.SMTP.Configured() {
				return usageError{fmt.Errorf("%s: alerts.smtp: not configured (add host, port and from to send mail; --dry-run shows what would go)", cfg.Path)}
			}
			wh, err := openWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer wh.Close()
			addrs, err := alerts.Recipients(cmd.Context(), wh.DB(), to)
			if err != nil {
				return err
			}
			if len(addrs) == 0 {
				return usageError{fmt.Errorf("--to %s: nobody holds that role", strings.Join(to, ","))}
			}
			m, err := weeklyMail(cmd.Context(), cfg, wh, addrs, time.Now())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if dryRun {
				fmt.Fprintf(out, "would send to %s\nsubject: %s\nbody: the weekly's HTML (%d KB)\n", strings.Join(addrs, ", "), m.Subject, (len(m.HTML)+1023)/1024)
				for _, a := range m.Attachments {
					fmt.Fprintf(out, "attached: %s (%d bytes)\n%s", a.Name, len(a.Body), a.Body)
				}
				return nil
			}
			id, err := alerts.Mailer{SMTP: cfg.Alerts.SMTP}.Send(cmd.Context(), m)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "sent %q to %s (%s)\n", m.Subject, strings.Join(addrs, ", "), id)
			return nil
		},
	}
	weeklyCmd.Flags().StringSliceVar(&to, "to", nil, "addresses or roles to send to")
	weeklyCmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be sent, send nothing")
	cmd.AddCommand(weeklyCmd)
	return cmd
}

// runSchedule sends each schedule: delivery at its time in the org's time
// zone, for as long as ctx lasts (conflux serve).
func runSchedule(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse, log *slog.Logger) {
	if len(cfg.Deliveries) == 0 {
		return
	}
	for {
		now := time.Now()
		next, which := time.Time{}, -1
		for i, d := range cfg.Deliveries {
			if t := d.Next(now.Add(time.Second), cfg.Org.Timezone); which < 0 || t.Before(next) {
				next, which = t, i
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		d := cfg.Deliveries[which]
		addrs, err := alerts.Recipients(ctx, wh.DB(), d.To)
		if err == nil && len(addrs) > 0 {
			var m alerts.Mail
			if m, err = weeklyMail(ctx, cfg, wh, addrs, time.Now()); err == nil {
				_, err = alerts.Mailer{SMTP: cfg.Alerts.SMTP}.Send(ctx, m)
			}
			status := "sent"
			var errText any
			if err != nil {
				status, errText = "failed", err.Error()
			}
			wh.DB().ExecContext(ctx, `INSERT INTO workflow.alert_deliveries (sent_at, target, channel, subject, alerts, attempts, ok, error)
				VALUES (now(), ?, 'email', ?, 0, 1, ?, ?)`, "schedule:"+d.Report, m.Subject+" → "+strings.Join(addrs, ", "), err == nil, errText)
			log.Info("scheduled report", "report", d.Report, "to", strings.Join(addrs, ","), "status", status)
		}
		if err != nil {
			log.Error("scheduled report not sent", "report", d.Report, "error", err)
		}
	}
}

// checkAlertRules asks the warehouse whether every rule's query is valid,
// so a bad rule fails at start-up and in doctor, not at the first build
// in the night. Before the first build there are no marts to check against.
func checkAlertRules(ctx context.Context, cfg *config.Config, wh *warehouse.Warehouse) error {
	if len(cfg.Alerts.Rules) == 0 {
		return nil
	}
	var built int
	if err := wh.DB().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts'`).Scan(&built); err != nil {
		return err
	}
	if built == 0 {
		return nil
	}
	if err := alertEngine(cfg, wh.DB(), slog.New(slog.DiscardHandler)).Check(ctx); err != nil {
		return fmt.Errorf("%s: %w", cfg.Path, err)
	}
	return nil
}
