package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/mappings"
)

func newMappingsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mappings",
		Short: "Review how records of different tools are matched as one client",
		Long: `Conflux matches the same client across tools by mappings.yaml's decisions,
then by normalized names. Look-alike names it will not merge on its own wait
in the review queue (marts.identity_review, check C08 in 'conflux gaps').
'suggest' lists the queue; 'accept ID' and 'reject ID' write the decision to
mappings.yaml (keeping its comments); the next 'conflux build' uses it.`,
	}
	var format string
	suggest := &cobra.Command{
		Use:   "suggest",
		Short: "List the look-alike records waiting for a decision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, g, `SELECT id, left_name, left_source, right_name, right_source, similarity, revenue_at_stake, left_key, right_key
FROM marts.identity_review ORDER BY similarity DESC, id`, format)
		},
	}
	suggest.Flags().StringVarP(&format, "format", "f", "table", "output format: table, csv or json")
	decide := func(same bool) *cobra.Command {
		verb, says := "accept", "are the same client"
		if !same {
			verb, says = "reject", "are different clients"
		}
		return &cobra.Command{
			Use:   verb + " ID",
			Short: fmt.Sprintf("Record that a suggested pair %s (ID from 'conflux mappings suggest')", says),
			Args: func(cmd *cobra.Command, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%s takes one suggestion ID (8 hex digits, listed by `conflux mappings suggest`), got %d arguments", cmd.CommandPath(), len(args))
				}
				return nil
			},
			RunE: func(cmd *cobra.Command, args []string) error {
				id := args[0]
				if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(id) {
					return usageError{fmt.Errorf("%q is not a suggestion ID: IDs are 8 hex digits, listed by `conflux mappings suggest`", id)}
				}
				var buf bytes.Buffer
				out := cmd.OutOrStdout()
				cmd.SetOut(&buf)
				err := runQuery(cmd, g, fmt.Sprintf(`SELECT entity, left_key, left_name, right_key, right_name FROM marts.identity_review WHERE id = '%s'`, id), "json")
				cmd.SetOut(out)
				if err != nil {
					return err
				}
				var rows []struct {
					Entity, LeftKey, LeftName, RightKey, RightName string
				}
				var raw []map[string]string
				if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
					return fmt.Errorf("read the review queue: %w", err)
				}
				for _, r := range raw {
					rows = append(rows, struct{ Entity, LeftKey, LeftName, RightKey, RightName string }{r["entity"], r["left_key"], r["left_name"], r["right_key"], r["right_name"]})
				}
				if len(rows) == 0 {
					return usageError{fmt.Errorf("no suggestion %s in the review queue (it may be decided already): run `conflux mappings suggest`", id)}
				}
				cfg, err := loadConfig(g)
				if err != nil {
					return err
				}
				r := rows[0]
				if err := mappings.Decide(cfg.Mappings, r.Entity, r.LeftKey, r.RightKey, same); err != nil {
					return err
				}
				fmt.Fprintf(out, "Recorded in %s: %q (%s) and %q (%s) %s. Run `conflux build` to use it.\n",
					cfg.Mappings, r.LeftName, r.LeftKey, r.RightName, r.RightKey, says)
				return nil
			},
		}
	}
	cmd.AddCommand(suggest, decide(true), decide(false))
	return cmd
}
