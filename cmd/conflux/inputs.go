package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/connectors/files"
	"github.com/conflux-dev/conflux/internal/config"
	"github.com/conflux-dev/conflux/internal/inputs"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

func newTemplatesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "Example files for a files source: costs, rate cards, project terms, …",
	}
	write := &cobra.Command{
		Use:   "write DIR",
		Short: "Write a template of each input file into DIR",
		Long: `Templates write DIR writes one CSV per kind of input a files source reads
(costs, rate_cards, project_terms, milestones, targets, time_entries,
bookings, fx_rates): its header, a # row explaining each column, and an
example row, commented out.
Rows starting with # are notes, so the templates can sit in the source's
folder and load nothing until filled in. Existing files are left alone.
Save them as XLSX if you prefer: the header is what names the file's kind.`,
		Example: `  conflux templates write inputs
  # then in conflux.yaml:
  #   sources:
  #     inputs: {type: files, path: inputs/}`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wrote, err := files.WriteTemplates(args[0])
			if err != nil {
				return err
			}
			for _, f := range wrote {
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", f)
			}
			if len(wrote) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "every template is there already; nothing written")
			}
			return nil
		},
	}
	cmd.AddCommand(write)
	return cmd
}

func newInputsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inputs",
		Short: "Finance's inputs (costs, rate cards, terms, targets, FX) as files",
	}
	export := &cobra.Command{
		Use:   "export DIR",
		Short: "Write the finance: inputs of conflux.yaml as files a files source reads",
		Long: `Inputs export writes the costs, rate cards, project terms, milestones,
targets and FX rates of conflux.yaml's finance: keys (and finance.fx_rates)
as the files source's CSV files in DIR, for moving them out of YAML: add
the source (sources: {inputs: {type: files, path: DIR}}), then delete the
keys exported — the files and the keys both count while both are there.
Existing files in DIR are not overwritten.`,
		Example: `  conflux inputs export inputs`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			s, err := seedsWithFX(cfg)
			if err != nil {
				return err
			}
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			rows := models.InputRows(s.Finance, s.FXRates)
			var shapes []string
			for shape := range rows {
				shapes = append(shapes, shape)
			}
			slices.Sort(shapes)
			for _, shape := range shapes {
				path := filepath.Join(dir, files.FileName(shape))
				if _, err := os.Stat(path); err == nil {
					return usageError{fmt.Errorf("%s exists: export into an empty folder, or move it away first", path)}
				}
			}
			for _, shape := range shapes {
				path := filepath.Join(dir, files.FileName(shape))
				if err := files.Write(path, shape, rows[shape]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d rows)\n", path, len(rows[shape]))
			}
			if len(shapes) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "conflux.yaml has no finance inputs to export")
			}
			return nil
		},
	}
	cmd.AddCommand(export)
	return cmd
}

// inputStore is what /settings edits: the files sources' folders, or the
// warehouse's meta.inputs when there are none.
func inputStore(cfg *config.Config, wh *warehouse.Warehouse) *inputs.Store {
	st := &inputs.Store{DB: wh.DB(), Sources: map[string]string{},
		People: func(ctx context.Context) (map[string]bool, error) { return knownPeople(ctx, wh) }}
	for _, src := range cfg.Sources {
		if src.Type == "files" {
			st.Sources[src.Name] = src.Settings["path"]
		}
	}
	return st
}
