package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

func newSyncCmd(g *globals) *cobra.Command {
	var streams []string
	cmd := &cobra.Command{
		Use:   "sync [SOURCE...]",
		Short: "Pull every stream of the configured sources, incrementally",
		Long: `Sync reads each stream of each source (all of them, or those named) from its
stored cursor and commits every page together with its next cursor, so a sync
stopped at any moment resumes where it was and loses or duplicates nothing.

A progress bar per stream is shown on a terminal, plain lines otherwise.
When 'conflux serve' holds the warehouse, the sync is handed to it.`,
		Example: "  conflux sync\n  conflux sync harvest --stream time_entries",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			srcs, err := selectSources(cfg, args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return withWarehouse(ctx, cfg, func(wh *warehouse.Warehouse) error {
				return runSync(ctx, cfg, wh, srcs, streams, newProgress(os.Stderr), g.logger())
			}, func(info *serverInfo) error {
				return refreshOnServer(ctx, info, dashboards.RefreshRequest{Sources: args, Streams: streams, Sync: true}, cmd.OutOrStdout())
			})
		},
	}
	cmd.Flags().StringSliceVar(&streams, "stream", nil, "sync only these streams (repeat or comma-separate)")
	return cmd
}

func newBuildCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Run the SQL models in dependency order, then the data tests",
		Long: `Build materializes the staging views and the core and marts tables from the
built-in SQL models and your own (the models: folder beside conflux.yaml,
where a file with a built-in model's name replaces it). Models whose SQL and
inputs did not change are skipped. A failed data test fails the build.
With -v it lists the models built, slowest first, with their time and rows.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return withWarehouse(ctx, cfg, func(wh *warehouse.Warehouse) error {
				return runBuild(ctx, wh, cfg, buildOptions{force: force, timings: g.verbose}, cmd.OutOrStdout(), g.logger())
			}, func(info *serverInfo) error {
				return refreshOnServer(ctx, info, dashboards.RefreshRequest{Build: true, Force: force, Timings: g.verbose}, cmd.OutOrStdout())
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "rebuild every model even if nothing changed")
	return cmd
}
