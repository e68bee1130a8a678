package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newGapsCmd(g *globals) *cobra.Command {
	var (
		format    string
		minAmount float64
	)
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "List the money and hours that fall between the tools (marts.gaps)",
		Long: `Gaps prints the gaps ledger built by 'conflux build': one line per finding,
grouped by check with the money and hours at stake, then the totals per check
and the checks that do not apply to the configured sources. Amounts are
estimates of exposure in the reporting currency. --format json or csv prints
the findings alone, for other tools. The exit code is 0 whatever it finds.`,
		Example: `  conflux gaps
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
			where := fmt.Sprintf("status = 'open' AND coalesce(amount_at_stake, 0) >= %.2f", minAmount)
			findings := `SELECT check_id, severity, owner_role AS owner, entity,
    coalesce(source || ':' || source_id, canonical_key) AS record,
    amount_at_stake, currency, hours_at_stake, age_days, detail, source_url
FROM marts.gaps WHERE ` + where + `
ORDER BY check_id, amount_at_stake DESC NULLS LAST, record`
			if err := runQuery(cmd, g, findings, format); err != nil {
				return err
			}
			if format != "table" {
				return nil
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "\nTotals by check:")
			totals := `SELECT coalesce(check_id, 'all') AS check_id, count(*) AS findings, sum(amount_at_stake) AS amount_at_stake, any_value(currency) AS currency,
    sum(hours_at_stake) AS hours_at_stake
FROM marts.gaps WHERE ` + where + `
GROUP BY ROLLUP (check_id) ORDER BY check_id NULLS LAST`
			if err := runQuery(cmd, g, totals, format); err != nil {
				return err
			}
			fmt.Fprintln(out, "\nNot applicable here:")
			return runQuery(cmd, g, `SELECT check_id, detail FROM marts.gaps WHERE status = 'not_applicable' ORDER BY check_id`, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, csv or json")
	cmd.Flags().Float64Var(&minAmount, "min-amount", 0, "leave out findings with less money at stake")
	return cmd
}
