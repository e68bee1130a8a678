package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/models"
)

// errSkipped marks a check doctor could not run here; it is reported, not
// counted as a failure.
type errSkipped struct{ why string }

func (e errSkipped) Error() string { return "skipped: " + e.why }

func newDoctorCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check config, credentials, reachability and warehouse health",
		Long: `Doctor checks the config, the warehouse, each source's credentials and
reachability (one cheap call each, no retries), and the models. It changes
nothing: a missing warehouse is reported, not created. A check it cannot run
here (an OAuth source whose stored authorization is in a warehouse another
process holds) is reported as skipped and does not fail the run. Exit 1 when
a check fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			cfg, err := loadConfig(g)
			if err != nil {
				fmt.Fprintln(out, "✗ config")
				return err
			}
			fmt.Fprintf(out, "✓ config %s (%d sources)\n", cfg.Path, len(cfg.Sources))
			failed, total := 0, 1
			check := func(name string, err error) {
				total++
				var skip errSkipped
				switch {
				case errors.As(err, &skip):
					fmt.Fprintf(out, "– %s: %v\n", name, err)
				case err != nil:
					failed++
					fmt.Fprintf(out, "✗ %s: %v\n", name, err)
				default:
					fmt.Fprintf(out, "✓ %s\n", name)
				}
			}
			ctx := cmd.Context()
			var wh *warehouse.Warehouse
			var server *serverInfo
			if _, err := os.Stat(cfg.Warehouse); errors.Is(err, fs.ErrNotExist) {
				check("warehouse "+cfg.Warehouse, errSkipped{"not created yet (`conflux sync` creates it)"})
			} else {
				opened, err := warehouse.Open(ctx, cfg.Warehouse)
				var locked *warehouse.LockedError
				switch {
				case errors.As(err, &locked):
					info, serr := runningServer(ctx, cfg)
					if serr != nil {
						check("warehouse "+cfg.Warehouse, fmt.Errorf("%w (%v)", locked, serr))
					} else {
						server = info
						check(fmt.Sprintf("warehouse %s (held by conflux serve at %s)", cfg.Warehouse, info.URL), nil)
					}
				case err != nil:
					check("warehouse "+cfg.Warehouse, err)
				default:
					wh = opened
					defer wh.Close()
					var version int
					wh.DB().QueryRowContext(ctx, `SELECT max(version) FROM meta.schema_version`).Scan(&version)
					check(fmt.Sprintf("warehouse %s (schema version %d)", cfg.Warehouse, version), nil)
				}
			}
			// Retries and their log lines are for syncs; a check asks once.
			log := slog.New(slog.DiscardHandler)
			if g.verbose {
				log = g.logger()
			}
			for _, src := range cfg.Sources {
				name := fmt.Sprintf("source %s (%s): credentials and reachability", src.Name, src.Type)
				if src.Type == "files" {
					name = fmt.Sprintf("source %s (files): every file in %s reads and checks", src.Name, src.Settings["path"])
				}
				if src.Settings["auth"] == "oauth2" && wh == nil {
					why := "its stored authorization is in the warehouse, which is not open"
					if server != nil {
						why = "its stored authorization is in the warehouse the server holds; " + lastSync(ctx, server, src.Name)
					}
					check(name, errSkipped{why})
					continue
				}
				c, err := newConnector(ctx, cfg, src, wh, log)
				if err == nil {
					cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					err = c.Check(cctx)
					cancel()
				}
				check(name, err)
			}
			if len(cfg.Alerts.Rules) > 0 {
				name := fmt.Sprintf("alert rules (%d)", len(cfg.Alerts.Rules))
				if wh == nil {
					check(name, errSkipped{"their queries are checked against the warehouse, which is not open here"})
				} else {
					check(name, checkAlertRules(ctx, cfg, wh))
				}
			}
			ms, err := models.Load(models.Builtin(), cfg.Models)
			check(fmt.Sprintf("models (%d, user folder %s)", len(ms), cfg.Models), err)
			if failed > 0 {
				return fmt.Errorf("%d of %d checks failed", failed, total)
			}
			return nil
		},
	}
}

// lastSync says how the server's last sync of source went, from its status.
func lastSync(ctx context.Context, server *serverInfo, source string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server.URL+"/api/status", nil)
	if err != nil {
		return "its last sync is unknown"
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "its last sync is unknown"
	}
	defer resp.Body.Close()
	var status struct {
		Sources []struct{ Source, LastSuccess, LastStatus string }
	}
	if json.NewDecoder(resp.Body).Decode(&status) != nil {
		return "its last sync is unknown"
	}
	for _, s := range status.Sources {
		if s.Source == source {
			return fmt.Sprintf("the server's last sync of it: %s (last success %s)", s.LastStatus, s.LastSuccess)
		}
	}
	return "the server has not synced it yet"
}
