package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

func newDoctorCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check config, credentials, reachability and warehouse health",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			cfg, err := loadConfig(g)
			if err != nil {
				fmt.Fprintln(out, "✗ config")
				return err
			}
			fmt.Fprintf(out, "✓ config %s (%d sources)\n", cfg.Path, len(cfg.Sources))
			failed := 0
			check := func(name string, err error) {
				if err != nil {
					failed++
					fmt.Fprintf(out, "✗ %s: %v\n", name, err)
					return
				}
				fmt.Fprintf(out, "✓ %s\n", name)
			}
			ctx := cmd.Context()
			wh, err := warehouse.Open(ctx, cfg.Warehouse)
			var locked *warehouse.LockedError
			switch {
			case errors.As(err, &locked):
				wh = nil
				info, serr := runningServer(ctx, cfg)
				if serr != nil {
					check("warehouse "+cfg.Warehouse, fmt.Errorf("%w (%v)", locked, serr))
				} else {
					check(fmt.Sprintf("warehouse %s (held by conflux serve at %s)", cfg.Warehouse, info.URL), nil)
				}
			case err != nil:
				wh = nil
				check("warehouse "+cfg.Warehouse, err)
			default:
				defer wh.Close()
				var version int
				wh.DB().QueryRowContext(ctx, `SELECT max(version) FROM meta.schema_version`).Scan(&version)
				check(fmt.Sprintf("warehouse %s (schema version %d)", cfg.Warehouse, version), nil)
			}
			for _, src := range cfg.Sources {
				name := fmt.Sprintf("source %s (%s): credentials and reachability", src.Name, src.Type)
				if src.Settings["auth"] == "oauth2" && wh == nil {
					check(name, errors.New("skipped: the stored authorization is in the warehouse, which is not open"))
					continue
				}
				c, err := newConnector(ctx, cfg, src, wh, g.logger())
				if err == nil {
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					err = c.Check(cctx)
					cancel()
				}
				check(name, err)
			}
			ms, err := models.Load(models.Builtin(), cfg.Models)
			check(fmt.Sprintf("models (%d, user folder %s)", len(ms), cfg.Models), err)
			if failed > 0 {
				return fmt.Errorf("%d checks failed", failed)
			}
			return nil
		},
	}
}
