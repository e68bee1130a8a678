package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/docs"
)

func newDocsCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Write the metric-definition page generated from the models",
		Long: `Docs writes every metric's definition — each mart, core table, macro and
report, its formula as its SQL header states it, what it reads, its data tests
and the dashboard panels that show it — as Markdown. The repository keeps the
result in docs/metrics.md (make docs); the server shows it at /definitions.`,
		Example: `  conflux docs --out docs/metrics.md`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sections, err := docs.Build()
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := docs.Markdown(&buf, sections); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default: standard output)")
	return cmd
}
