package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/conflux-dev/conflux/dashboards"
	"github.com/conflux-dev/conflux/internal/warehouse"
	"github.com/conflux-dev/conflux/reports"
)

func newQueryCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run read-only SQL against the warehouse",
		Long: `Query runs one read-only statement (SELECT, WITH, FROM, DESCRIBE, SHOW,
SUMMARIZE, EXPLAIN) and prints the result. Files, extensions and the
secrets table are out of reach. While 'conflux serve' holds the warehouse,
the query runs in the server.`,
		Example: `  conflux query "select * from marts.person_week order by week_start desc limit 10"
  conflux query "from marts.project_financials" --format csv > projects.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json", "arrow", "xlsx":
			default:
				return usageError{fmt.Errorf("--format %q: use table, csv, json, arrow or xlsx", format)}
			}
			if err := warehouse.CheckReadOnly(cmd.Context(), args[0]); err != nil {
				return usageError{err}
			}
			err := runQuery(cmd, g, args[0], format)
			var qe *warehouse.QueryError
			if errors.As(err, &qe) {
				return usageError{err}
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, csv, json, arrow or xlsx")
	return cmd
}

// runQuery runs one read-only statement and writes its result, in the
// server when 'conflux serve' holds the warehouse.
func runQuery(cmd *cobra.Command, g *globals, sql, format string) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	return readWarehouse(ctx, cfg, func(wh *warehouse.Warehouse) error {
		tbl, err := wh.QueryReadOnly(ctx, sql)
		if err != nil {
			return err
		}
		defer tbl.Release()
		return reports.Write(cmd.OutOrStdout(), tbl, format)
	}, func(info *serverInfo) error {
		resp, err := postJSON(ctx, info, "/api/query", dashboards.QueryRequest{SQL: sql, Format: format})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			body, _ := io.ReadAll(resp.Body)
			var refused struct{ Error string }
			if resp.StatusCode == http.StatusBadRequest && json.Unmarshal(body, &refused) == nil && refused.Error != "" {
				// The statement was refused: the same words as without a server.
				return &warehouse.QueryError{Err: errors.New(refused.Error)}
			}
			return fmt.Errorf("query on %s: HTTP %d: %s", info.URL, resp.StatusCode, body)
		}
		_, err = io.Copy(cmd.OutOrStdout(), resp.Body)
		return err
	})
}
