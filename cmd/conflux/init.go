package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/config"
)

const mappingsTemplate = `# mappings.yaml — identity decisions across tools; they always win over
# automatic matching. Records are named source:id (their key in core.clients).
# 'conflux mappings accept|reject ID' edits this file and keeps its comments.
# Example:
#
# clients:
#   same:
#     - [harvest:5735774, xero:9f1c1b2e-0000-0000-0000-000000000000]
#   different:
#     - [harvest:5735775, hubspot:9002]
{}
`

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented conflux.yaml and an empty mappings.yaml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			files := []struct {
				path string
				body []byte
			}{
				{g.configPath, config.Template},
				{filepath.Join(filepath.Dir(g.configPath), "mappings.yaml"), []byte(mappingsTemplate)},
			}
			for _, f := range files {
				if _, err := os.Stat(f.path); err == nil && !force {
					return usageError{fmt.Errorf("%s already exists (pass --force to overwrite it)", f.path)}
				} else if err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
			for _, f := range files {
				if err := os.WriteFile(f.path, f.body, 0o644); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", f.path)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Next: set HARVEST_ACCOUNT_ID and HARVEST_TOKEN, then run `conflux doctor`, `conflux sync`, `conflux build` and `conflux serve`.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}
