package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/closing"
)

func closeErr(err error) error {
	if closing.Refused(err) {
		return usageError{err}
	}
	return err
}

func newCloseCmd(g *globals) *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "close YYYY-MM",
		Short: "Close a month: freeze its figures as they are shown now",
		Long: `Close freezes a month that has ended (by org.as_of): its project, client,
team, agency and retainer months, and the time entries and invoices behind
them, into snapshots.* stamped with the time, the config's and the models'
hashes. Every dashboard and export then shows the month from the snapshot,
and each later build lists what changed since in marts.restatements
('conflux restatements'). A closed month is closed again only after
'conflux reopen'.`,
		Example: `  conflux close 2026-10
  conflux restatements --month 2026-10`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			month, err := closing.ParseMonth(args[0])
			if err != nil {
				return usageError{err}
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			wh, err := openWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer wh.Close()
			c, err := closing.Do(cmd.Context(), wh.DB(), month, by, time.Now())
			if err != nil {
				return closeErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "closed %s (version %d) at %s by %s: its figures now show as closed\n",
				month.Format("2006-01"), c.Version, c.ClosedAt.Format("2006-01-02 15:04 UTC"), by)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", currentUser(), "who closes it, for the record")
	return cmd
}

func newReopenCmd(g *globals) *cobra.Command {
	var by, reason string
	cmd := &cobra.Command{
		Use:   "reopen YYYY-MM --reason TEXT",
		Short: "Reopen a closed month (its snapshot is kept)",
		Long: `Reopen lets a closed month show its live figures again, with who reopened it
and why kept beside the close; the snapshot stays, and closing the month
again makes a new version.`,
		Example: `  conflux reopen 2026-10 --reason "late Acme invoice to re-issue"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			month, err := closing.ParseMonth(args[0])
			if err != nil {
				return usageError{err}
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			wh, err := openWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer wh.Close()
			if err := closing.Reopen(cmd.Context(), wh.DB(), month, by, reason, time.Now()); err != nil {
				return closeErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reopened %s: its figures are live again; the snapshot is kept\n", month.Format("2006-01"))
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", currentUser(), "who reopens it, for the record")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	return cmd
}

func newRestatementsCmd(g *globals) *cobra.Command {
	var month, format string
	cmd := &cobra.Command{
		Use:   "restatements [--month YYYY-MM]",
		Short: "What changed in closed months since they were closed, and why",
		Long: `Restatements prints marts.restatements as the last build made it: for each
closed month, every time entry added, edited or deleted and every invoice
added, edited, voided or credited since the close, with its hours, value
and link; and per project what the entries do not explain (revenue earned
by progress or retainers re-estimated, or a config, mapping or model
change). changed_at is when the tool says the record changed (its
updated_at, or its deletion). A project's revenue changes add up to its
change in marts.project_month.`,
		Example: `  conflux restatements
  conflux restatements --month 2026-10 --format csv > october.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			where := ""
			if month != "" {
				m, err := closing.ParseMonth(month)
				if err != nil {
					return usageError{fmt.Errorf("--month %w", err)}
				}
				where = fmt.Sprintf("WHERE r.month = DATE '%s'", m.Format(time.DateOnly))
			}
			return runQuery(cmd, g, `SELECT strftime(r.month, '%Y-%m') AS month, r.cause, coalesce(p.name, r.project_key) AS project,
    coalesce(c.name, r.client_key) AS client, r.record_key AS record, r.hours_change, r.revenue_change, r.cost_change,
    r.invoiced_change, r.detail, strftime(r.changed_at, '%Y-%m-%d %H:%M UTC') AS changed_at, r.source_url
FROM marts.restatements r LEFT JOIN core.projects p USING (project_key) LEFT JOIN core.clients c ON c.client_key = r.client_key `+where+`
ORDER BY r.month DESC, abs(r.revenue_change) + abs(r.invoiced_change) DESC, record`, format)
		},
	}
	cmd.Flags().StringVar(&month, "month", "", "one closed month (default: every closed month)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, csv or json")
	return cmd
}

// currentUser names whoever runs the CLI, for the close's record.
func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}
