package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Warehouse is an open DuckDB file.
type Warehouse struct {
	db        *sql.DB
	connector *duckdb.Connector
	path      string
	views     viewCache
	// mergeRuns are the sync runs whose pages are merged (see CommitPage).
	mergeMu   sync.Mutex
	mergeRuns map[int64]bool
}

// LockedError means another process holds the file; DuckDB allows one.
type LockedError struct {
	Path string
	PID  int // 0 when DuckDB did not say
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("another process (pid %d)", e.PID)
	}
	return fmt.Sprintf("warehouse %s is held by %s; DuckDB allows one process at a time: stop it, or let a running `conflux serve` do the work", e.Path, who)
}

var lockPID = regexp.MustCompile(`PID (\d+)`)

// Open opens (or creates) the file at path and migrates it. An empty path
// opens an in-memory database, for tests.
func Open(ctx context.Context, path string) (*Warehouse, error) {
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	w := &Warehouse{db: sql.OpenDB(c), connector: c, path: path}
	// DuckDB checkpoints once its write-ahead log reaches this size. Each
	// checkpoint rewrites the last, partly filled row group of a growing
	// table, so the default (16 MB, about ten pages of time entries)
	// spent half of a first sync on checkpoints; 128 MB spends a fifth as
	// much, for a longer log to replay after a crash.
	if _, err := w.db.ExecContext(ctx, `SET checkpoint_threshold = '128MB'`); err != nil {
		w.Close()
		return nil, fmt.Errorf("open warehouse %s: %w", path, err)
	}
	if err := w.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	// Only one process holds the file, so a run still marked running was
	// cut short (killed, or the machine stopped); its pages are committed.
	if _, err := w.db.ExecContext(ctx, `UPDATE meta.sync_runs SET status = 'interrupted', finished_at = now(),
		error = 'the process stopped before the run finished; the next sync resumed from its last committed page'
		WHERE status = 'running'`); err != nil {
		w.Close()
		return nil, fmt.Errorf("open warehouse %s: %w", path, err)
	}
	return w, nil
}

// OpenReadOnly opens an existing file without writing to it. DuckDB still
// refuses while another process holds the file for writing.
func OpenReadOnly(ctx context.Context, path string) (*Warehouse, error) {
	c, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		return nil, openError(path, err)
	}
	return &Warehouse{db: sql.OpenDB(c), connector: c, path: path}, nil
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		le := &LockedError{Path: path}
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			le.PID, _ = strconv.Atoi(m[1])
		}
		return le
	}
	return fmt.Errorf("open warehouse %s: %w", path, err)
}

// Close releases the file.
func (w *Warehouse) Close() error {
	err := w.db.Close()
	return errors.Join(err, w.connector.Close())
}

// DB is the pool, for the packages that run SQL (models, reports).
func (w *Warehouse) DB() *sql.DB { return w.db }

// Path is the file name, "" for in-memory.
func (w *Warehouse) Path() string { return w.path }

func (w *Warehouse) migrate(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS meta;
		CREATE TABLE IF NOT EXISTS meta.schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := w.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM meta.schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if n <= current {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta.schema_version VALUES (?, now())`, n); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// RawTable is the quoted name of a source stream's raw table.
func RawTable(source, stream string) (string, error) {
	if !identRE.MatchString(source) || !identRE.MatchString(stream) {
		return "", fmt.Errorf("source %q / stream %q: names must be lower case letters, digits and _", source, stream)
	}
	return fmt.Sprintf(`raw."%s__%s"`, source, stream), nil
}

// EnsureRawTable creates raw.<source>__<stream> if it is missing.
//
// Ids and payloads are stored FSST-compressed, named rather than chosen:
// choosing, DuckDB tries every method on each row group it writes, and
// trying dictionary compression on a row group of payloads (122,880 of
// them, about 70 MB of JSON for time entries) holds a copy of them.
// Named, a sync of 756k entries peaked at 489–528 MB against 630–663 MB,
// at the same speed; FSST is what DuckDB chose for both when it tried
// them. (DuckDB cannot change a column's compression afterwards: tables
// made before keep choosing.)
func (w *Warehouse) EnsureRawTable(ctx context.Context, source, stream string) error {
	table, err := RawTable(source, stream)
	if err != nil {
		return err
	}
	_, err = w.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
		id VARCHAR USING COMPRESSION fsst PRIMARY KEY,
		payload JSON USING COMPRESSION fsst NOT NULL,
		updated_at TIMESTAMPTZ,
		deleted_at TIMESTAMPTZ,
		synced_at TIMESTAMPTZ NOT NULL,
		sync_run BIGINT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	return nil
}

// withConn runs fn on one connection, exposing the driver connection for
// the Appender.
func withDriverConn(conn *sql.Conn, fn func(driver.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return fn(c)
	})
}
