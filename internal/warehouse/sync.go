package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Row is one raw record to upsert.
type Row struct {
	ID        string
	UpdatedAt time.Time // zero = unknown
	Payload   []byte
}

// Page is what one commit writes: rows, tombstones, the cursor, and the
// progress of a full read used for the key-set diff.
type Page struct {
	Rows     []Row
	Deleted  []string
	Cursor   []byte // JSON; nil keeps the stored cursor
	ScanID   string // set when the page belongs to a full read
	ScanDone bool   // the last page of that read
	// A window scan diffs only the stored rows whose payload field
	// ScanField (an ISO date) is on or after ScanFrom.
	ScanField, ScanFrom string
	// Pages is how many of the vendor's pages this one holds (a sync
	// commits the pages read during its last commit together); 0 is one.
	Pages int
}

// PageResult counts what a commit changed.
type PageResult struct {
	Upserted int64
	Deleted  int64 // tombstones plus rows missing from a finished full read
}

// Cursor returns the stored cursor of a stream, nil when it never synced.
func (w *Warehouse) Cursor(ctx context.Context, source, stream string) ([]byte, error) {
	var c sql.NullString
	err := w.db.QueryRowContext(ctx, `SELECT cursor::VARCHAR FROM meta.sync_state WHERE source = ? AND stream = ?`, source, stream).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) || !c.Valid {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cursor %s.%s: %w", source, stream, err)
	}
	return []byte(c.String), nil
}

// StartRun records a sync run of one stream and returns its id.
func (w *Warehouse) StartRun(ctx context.Context, source, stream string) (int64, error) {
	var id int64
	err := w.db.QueryRowContext(ctx, `INSERT INTO meta.sync_runs (source, stream, started_at, status)
		VALUES (?, ?, now(), 'running') RETURNING id`, source, stream).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("start sync run: %w", err)
	}
	return id, nil
}

// RunsKept is how long meta.sync_runs keeps a stream's runs. Its last run
// and its last good one are kept whatever their age: every page's header
// and the sync alert read them.
const RunsKept = 30 * 24 * time.Hour

// PruneRuns lets go of a source's sync runs older than RunsKept, keeping
// each stream's last run and last good run. Kept for ever, a sync every 15
// minutes of ten sources' streams adds about 1.4M runs a year, which the
// page headers and the sync alert group on every read.
func (w *Warehouse) PruneRuns(ctx context.Context, source string, now time.Time) error {
	_, err := w.db.ExecContext(ctx, `DELETE FROM meta.sync_runs WHERE source = $1 AND started_at < $2 AND status <> 'running' AND id NOT IN (
		SELECT arg_max(id, started_at) FROM meta.sync_runs WHERE source = $1 GROUP BY stream
		UNION ALL
		SELECT arg_max(id, finished_at) FROM meta.sync_runs WHERE source = $1 AND status = 'ok' GROUP BY stream)`, source, now.Add(-RunsKept))
	if err != nil {
		return fmt.Errorf("prune sync runs: %w", err)
	}
	return nil
}

// FinishRun closes a run as ok or failed. It uses its own context so a
// cancelled sync still records why it stopped.
func (w *Warehouse) FinishRun(run int64, runErr error) error {
	w.mergeMu.Lock()
	delete(w.mergeRuns, run)
	w.mergeMu.Unlock()
	status, msg := "ok", sql.NullString{}
	if runErr != nil {
		status, msg = "failed", sql.NullString{String: runErr.Error(), Valid: true}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := w.db.ExecContext(ctx, `UPDATE meta.sync_runs SET finished_at = now(), status = ?, error = ? WHERE id = ?`, status, msg, run)
	return err
}

// CommitPage writes a page and its cursor in one transaction: a crash before
// COMMIT leaves neither, after it leaves both. Rows are staged through the
// Appender and merged with one INSERT … ON CONFLICT, so a record seen again
// (the lookback overlap) replaces itself instead of duplicating. A record
// seen again exactly as it is stored is left alone: its synced_at stays the
// time a sync brought its last change, and a build does not redo it.
//
// A page whose ids are distinct is first inserted without the conflict
// clause, which costs three times less per row; if the table already holds
// one of its ids, that transaction is rolled back and the page merged. A
// stream stops trying once a page of its run held a known id, so an
// incremental run pays for one failed try at most.
func (w *Warehouse) CommitPage(ctx context.Context, source, stream string, run int64, p Page) (PageResult, error) {
	table, err := RawTable(source, stream)
	if err != nil {
		return PageResult{}, err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return PageResult{}, err
	}
	defer conn.Close()
	// The staged rows live in a temp table outside the transaction, so a
	// merge after a failed plain insert reuses them.
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE page_rows (id VARCHAR, payload VARCHAR, updated_at TIMESTAMPTZ, ord BIGINT)`); err != nil {
		return PageResult{}, err
	}
	if err := withDriverConn(conn, func(dc driver.Conn) error { return appendRows(dc, p.Rows) }); err != nil {
		return PageResult{}, fmt.Errorf("commit %s page: stage rows: %w", table, err)
	}
	plain := !w.merging(run) && distinctIDs(p.Rows)
	res, err := commitTx(ctx, conn, table, source, stream, run, p, plain)
	if plain && isConstraintError(err) {
		w.startMerging(run)
		res, err = commitTx(ctx, conn, table, source, stream, run, p, false)
	}
	if err != nil {
		return PageResult{}, fmt.Errorf("commit %s page: %w", table, err)
	}
	return res, nil
}

// commitTx writes the staged page in one transaction, inserting its rows
// plainly or merging them.
func commitTx(ctx context.Context, conn *sql.Conn, table, source, stream string, run int64, p Page, plain bool) (PageResult, error) {
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return PageResult{}, err
	}
	res, err := commitPage(ctx, conn, table, source, stream, run, p, plain)
	if err == nil {
		_, err = conn.ExecContext(ctx, `COMMIT`)
	}
	if err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		return PageResult{}, err
	}
	return res, nil
}

func commitPage(ctx context.Context, conn *sql.Conn, table, source, stream string, run int64, p Page, plain bool) (PageResult, error) {
	var res PageResult
	insert := `INSERT INTO ` + table + ` (id, payload, updated_at, deleted_at, synced_at, sync_run)
		SELECT id, payload::JSON, updated_at, NULL, now(), ? FROM page_rows`
	if !plain {
		// A page may repeat an id (a record edited between two page
		// reads); the later copy wins.
		insert += `
		QUALIFY row_number() OVER (PARTITION BY id ORDER BY ord DESC) = 1
		ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at,
			deleted_at = NULL, synced_at = excluded.synced_at, sync_run = excluded.sync_run
		WHERE payload IS DISTINCT FROM excluded.payload OR deleted_at IS NOT NULL`
	}
	r, err := conn.ExecContext(ctx, insert, run)
	if err != nil {
		if plain && isConstraintError(err) {
			return res, err
		}
		return res, fmt.Errorf("upsert: %w", err)
	}
	res.Upserted, _ = r.RowsAffected()
	if len(p.Deleted) > 0 {
		ids, _ := json.Marshal(p.Deleted)
		r, err := conn.ExecContext(ctx, `UPDATE `+table+` SET deleted_at = now(), sync_run = ?
			WHERE deleted_at IS NULL AND id IN (SELECT unnest(?::VARCHAR[]))`, run, string(ids))
		if err != nil {
			return res, fmt.Errorf("tombstones: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Deleted += n
	}
	if p.ScanID != "" {
		if _, err := conn.ExecContext(ctx, `INSERT INTO meta.scan_seen SELECT ?, ?, ?, id FROM page_rows`, source, stream, p.ScanID); err != nil {
			return res, fmt.Errorf("scan progress: %w", err)
		}
		if p.ScanDone {
			window, args := "", []any{run, source, stream, p.ScanID}
			if p.ScanField != "" {
				window = ` AND json_extract_string(payload, ?) >= ?`
				args = append(args, "$."+p.ScanField, p.ScanFrom)
			}
			r, err := conn.ExecContext(ctx, `UPDATE `+table+` SET deleted_at = now(), sync_run = ?
				WHERE deleted_at IS NULL AND id NOT IN (
					SELECT id FROM meta.scan_seen WHERE source = ? AND stream = ? AND scan_id = ?)`+window,
				args...)
			if err != nil {
				return res, fmt.Errorf("key-set diff: %w", err)
			}
			n, _ := r.RowsAffected()
			res.Deleted += n
			if _, err := conn.ExecContext(ctx, `DELETE FROM meta.scan_seen WHERE source = ? AND stream = ?`, source, stream); err != nil {
				return res, err
			}
		}
	}
	if p.Cursor != nil {
		if _, err := conn.ExecContext(ctx, `INSERT INTO meta.sync_state VALUES (?, ?, ?, now())
			ON CONFLICT (source, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			source, stream, string(p.Cursor)); err != nil {
			return res, fmt.Errorf("save cursor: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `UPDATE meta.sync_runs SET records = records + ?, deleted = deleted + ?, pages = pages + ? WHERE id = ?`,
		res.Upserted, res.Deleted, max(1, p.Pages), run); err != nil {
		return res, err
	}
	return res, nil
}

// distinctIDs reports whether no id repeats in rows.
func distinctIDs(rows []Row) bool {
	seen := make(map[string]struct{}, len(rows))
	for _, r := range rows {
		if _, dup := seen[r.ID]; dup {
			return false
		}
		seen[r.ID] = struct{}{}
	}
	return true
}

// isConstraintError reports whether DuckDB refused a statement for a
// constraint, such as a primary key already held.
func isConstraintError(err error) bool {
	var de *duckdb.Error
	return errors.As(err, &de) && de.Type == duckdb.ErrorTypeConstraint
}

// merging reports whether a page of sync run run held an id its table
// already had: its later pages are merged without trying a plain insert.
func (w *Warehouse) merging(run int64) bool {
	w.mergeMu.Lock()
	defer w.mergeMu.Unlock()
	return w.mergeRuns[run]
}

func (w *Warehouse) startMerging(run int64) {
	w.mergeMu.Lock()
	defer w.mergeMu.Unlock()
	if w.mergeRuns == nil {
		w.mergeRuns = map[int64]bool{}
	}
	w.mergeRuns[run] = true
}

// appendRows stages rows in temp.page_rows through the Appender.
func appendRows(dc driver.Conn, rows []Row) error {
	app, err := duckdb.NewAppender(dc, "temp", "main", "page_rows")
	if err != nil {
		return err
	}
	for i, r := range rows {
		var upd any
		if !r.UpdatedAt.IsZero() {
			upd = r.UpdatedAt.UTC()
		}
		if err := app.AppendRow(r.ID, string(r.Payload), upd, int64(i)); err != nil {
			app.Close()
			return err
		}
	}
	return app.Close()
}
