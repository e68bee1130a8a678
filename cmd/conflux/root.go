package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

type globals struct {
	configPath string
	verbose    bool
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "conflux",
		Short: "One view of delivery, capacity and money across an agency's tools",
		Long: `Conflux syncs an agency's time, project, CRM and accounting tools into one
DuckDB file, builds utilization, margin and gap facts with SQL models, and
serves dashboards that tie out to the source systems.

Start with 'conflux demo' to see it on a synthetic agency, or 'conflux init'
to write a conflux.yaml for your own tools.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", "conflux.yaml", "path to the config file")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log every HTTP request and model")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(
		newInitCmd(g), newConnectCmd(g), newSyncCmd(g), newBuildCmd(g), newServeCmd(g), newQueryCmd(g), newReportCmd(g), newGapsCmd(g), newMappingsCmd(g),
		newDemoCmd(g), newDoctorCmd(g), newBenchCmd(g), newDocsCmd(g), newUsersCmd(g), newTokensCmd(g), newAuditCmd(g),
		newAlertsCmd(g), newSendCmd(g), newCloseCmd(g), newReopenCmd(g), newRestatementsCmd(g), newTemplatesCmd(g), newInputsCmd(g),
	)
	usage(root)
	return root
}

func (g *globals) logger() *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// usage makes every misuse of c and its subcommands a flagError, so it exits
// 2: wrong arguments, and an unknown subcommand of a command that only
// groups others (which cobra would answer with help and exit 0).
func usage(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", a[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(a[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return flagError{fmt.Errorf("%s; `%s --help` lists them", msg, cmd.CommandPath())}
		}
		c.RunE = func(cmd *cobra.Command, a []string) error { return cmd.Help() }
	} else if c.Args != nil {
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return flagError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usage(sub)
	}
}
