package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
	"github.com/conflux-dev/conflux/reports/weekly"
)

func newReportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render a report to a file",
		Args:  cobra.NoArgs,
	}
	var week, out string
	weeklyCmd := &cobra.Command{
		Use:   "weekly",
		Short: "Write the leadership weekly as one self-contained HTML file",
		Long: `Weekly renders the Leadership weekly — the week's KPIs against the week
before and the 4-week average, the utilization trend, capacity against
bookings and pipeline for the next 12 weeks, the projects most at risk and
the open gaps — as one HTML file with inline styles and bar charts drawn
with table cells (what Gmail and Outlook render): it opens
offline and can be mailed as it is. --week picks the ISO week (default: the
last week with time logged). While 'conflux serve' holds the warehouse, the
server renders it.`,
		Example: `  conflux report weekly --out week.html
  conflux report weekly --week 2026-W47 --out 2026-W47.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var monday time.Time
			if week != "" {
				var err error
				if monday, err = weekly.ParseISOWeek(week); err != nil {
					return usageError{fmt.Errorf("--week %w", err)}
				}
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var body []byte
			err = readWarehouse(ctx, cfg, func(wh *warehouse.Warehouse) error {
				cat, err := reports.Load()
				if err != nil {
					return err
				}
				body, err = weekly.Render(ctx, weekly.Local(cat, wh), weekly.Options{Org: cfg.Org.Name, Week: monday, Currency: cfg.Org.Currency, Now: time.Now()})
				return err
			}, func(info *serverInfo) error {
				u := info.URL + "/reports/weekly"
				if week != "" {
					u += "?week=" + url.QueryEscape(week)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if err != nil {
					return err
				}
				req.Header.Set("Accept", "text/plain") // errors as one line, as without a server
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				if body, err = io.ReadAll(resp.Body); err != nil {
					return err
				}
				if resp.StatusCode != http.StatusOK {
					return errors.New(strings.TrimSpace(string(body)))
				}
				return nil
			})
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := cmd.OutOrStdout().Write(body)
				return err
			}
			if err := os.WriteFile(out, body, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d KB): open it in a browser or attach it to a mail\n", out, (len(body)+1023)/1024)
			return nil
		},
	}
	weeklyCmd.Flags().StringVar(&week, "week", "", "ISO week to report, e.g. 2026-W47 (default: the last week with time logged)")
	weeklyCmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default: standard output)")
	cmd.AddCommand(weeklyCmd)
	return cmd
}
