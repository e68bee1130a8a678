package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// gapStatuses are the views of the gaps ledger --status takes.
var gapStatuses = []string{"open", "acknowledged", "snoozed", "ignored", "resolved", "all"}

func newGapsCmd(g *globals) *cobra.Command {
	var (
		format, owner, status string
		minAmount             float64
	)
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "List the money and hours that fall between the tools (the gaps ledger)",
		Long: `Gaps prints the gaps ledger built by 'conflux build' with what people decided
about each finding on the Ops page: by default the open ones (open or
acknowledged, not snoozed), most money at stake first, one narrow line each
— the check, the money and hours at stake, the owner, the status and the
record — then the totals per check and the checks that do not apply to the
configured sources. A total counts a record several checks find once (its
largest finding). Amounts are estimates of exposure in the reporting
currency. --format json or csv prints every column of the findings alone,
for other tools. The exit code is 0 whatever it finds.`,
		Example: `  conflux gaps
  conflux gaps --owner "Kim Murphy" --status all
  conflux gaps --min-amount 1000 --format csv > gaps.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json":
			default:
				return usageError{fmt.Errorf("--format %q: use table, csv or json", format)}
			}
			if minAmount < 0 {
				return usageError{fmt.Errorf("--min-amount %v: give an amount of zero or more", minAmount)}
			}
			if !slices.Contains(gapStatuses, status) {
				return usageError{fmt.Errorf("--status %q: use %s", status, strings.Join(gapStatuses, ", "))}
			}
			where := fmt.Sprintf("coalesce(s.amount_at_stake, 0) >= %.2f AND %s", minAmount, statusClause(status))
			if owner != "" {
				where += " AND coalesce(s.owner_override, s.owner) = '" + strings.ReplaceAll(owner, "'", "''") + "'"
			}
			from := `FROM (SELECT *, CASE WHEN status IN ('open', 'acknowledged') AND snoozed_until > current_date THEN 'snoozed' ELSE status END AS shown
    FROM workflow.gap_state) s LEFT JOIN marts.gap_checks c USING (check_id) LEFT JOIN marts.gaps g USING (finding_key) WHERE ` + where
			columns := `s.check_id, s.amount_at_stake, s.hours_at_stake, coalesce(s.owner_override, s.owner) AS owner, s.shown AS status, s.record_key AS record`
			if format != "table" {
				columns = `s.finding_key, s.check_id, coalesce(c.name, s.check_id) AS check_name, g.severity, g.entity, coalesce(s.owner_override, s.owner) AS owner,
    s.shown AS status, s.reason, s.snoozed_until, s.record_key AS record, s.amount_at_stake, s.counted_amount, s.hours_at_stake,
    s.detail, s.source_url, s.first_seen, s.last_seen, s.resolved_at`
			}
			findings := `SELECT ` + columns + `
` + from + `
ORDER BY s.counted_amount DESC NULLS LAST, s.amount_at_stake DESC NULLS LAST, s.check_id, record`
			if err := runQuery(cmd, g, findings, format); err != nil {
				return err
			}
			if format != "table" {
				return nil
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "\nTotals by check (a record several checks find counts once):")
			totals := `SELECT coalesce(s.check_id, 'all') AS check_id, CASE WHEN grouping(s.check_id) = 1 THEN 'every check' ELSE any_value(c.name) END AS name, count(*) AS findings,
    sum(s.counted_amount) AS amount_at_stake, sum(s.hours_at_stake) AS hours_at_stake
` + from + `
GROUP BY ROLLUP (s.check_id) ORDER BY s.check_id NULLS LAST`
			if err := runQuery(cmd, g, totals, format); err != nil {
				return err
			}
			fmt.Fprintln(out, "\nNot applicable here:")
			return runQuery(cmd, g, `SELECT check_id, detail FROM marts.gaps WHERE status = 'not_applicable' ORDER BY check_id`, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, csv or json")
	cmd.Flags().Float64Var(&minAmount, "min-amount", 0, "leave out findings with less money at stake")
	cmd.Flags().StringVar(&owner, "owner", "", "only the findings this person (or role) owns")
	cmd.Flags().StringVar(&status, "status", "open", "which findings: "+strings.Join(gapStatuses, ", "))
	return cmd
}

// statusClause selects a view of the ledger: open means open or
// acknowledged and not snoozed.
func statusClause(status string) string {
	switch status {
	case "all":
		return "true"
	case "open":
		return "s.shown IN ('open', 'acknowledged')"
	}
	return "s.shown = '" + status + "'"
}
