package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
)

// Table is a query result as Arrow record batches.
type Table struct {
	Schema  *arrow.Schema
	Records []arrow.RecordBatch
}

// NumRows counts the rows over all batches.
func (t *Table) NumRows() int {
	n := 0
	for _, r := range t.Records {
		n += int(r.NumRows())
	}
	return n
}

// Release frees the batches.
func (t *Table) Release() {
	for _, r := range t.Records {
		r.Release()
	}
	t.Records = nil
}

// QueryArrow runs one statement and returns its result as Arrow batches.
// Args bind to ? or $1, $2, ... in order.
func (w *Warehouse) QueryArrow(ctx context.Context, query string, args ...any) (*Table, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return queryArrow(ctx, conn, query, args...)
}

// QueryError is a user's statement that is refused: not valid SQL, not a
// single read, or one DuckDB could not run. Callers show its text as it is
// and treat it as bad input.
type QueryError struct{ Err error }

func (e *QueryError) Error() string { return e.Err.Error() }
func (e *QueryError) Unwrap() error { return e.Err }

// ErrNotReadOnly is returned for statements a read-only query may not run.
var ErrNotReadOnly = errors.New("only one read-only statement is allowed (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)")

var explainPrefix = regexp.MustCompile(`(?is)^\s*explain(\s+analyze)?\s+`)

// parser is an empty in-memory DuckDB that only parses, so a statement is
// checked the same way whether or not the warehouse is open here.
var parser = sync.OnceValues(func() (*sql.DB, error) { return sql.Open("duckdb", "") })

// CheckReadOnly lets through one reading statement and nothing else,
// deciding with DuckDB's own parser: a typo is a syntax error with its
// position, two statements are two statements, anything but a query (or
// EXPLAIN of one) is refused. Files and the secrets table stay out of reach.
func CheckReadOnly(ctx context.Context, query string) error {
	q := strings.TrimSuffix(strings.TrimSpace(query), ";")
	if q == "" {
		return &QueryError{errors.New("the statement is empty")}
	}
	db, err := parser()
	if err != nil {
		return err
	}
	var parsed string
	if err := db.QueryRowContext(ctx, `SELECT json_serialize_sql(?::VARCHAR)::VARCHAR`, explainPrefix.ReplaceAllString(q, "")).Scan(&parsed); err != nil {
		return err
	}
	var p struct {
		Error      bool              `json:"error"`
		Type       string            `json:"error_type"`
		Message    string            `json:"error_message"`
		Position   string            `json:"position"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		return err
	}
	switch {
	case p.Error && p.Type == "parser":
		at := ""
		if n, err := strconv.Atoi(p.Position); err == nil {
			at = fmt.Sprintf(" (at character %d)", n+1)
		}
		return &QueryError{fmt.Errorf("SQL syntax error: %s%s", p.Message, at)}
	case p.Error:
		return &QueryError{ErrNotReadOnly}
	case len(p.Statements) != 1:
		return &QueryError{fmt.Errorf("one statement at a time: this holds %d", len(p.Statements))}
	}
	var tree any
	json.Unmarshal(p.Statements[0], &tree)
	ctes := map[string]bool{}
	collectCTEs(tree, ctes)
	return checkTree(tree, ctes)
}

// ReadableSchemas are the schemas a user's query may read. meta (users,
// sessions, tokens, encrypted credentials, the audit log) is never one.
var ReadableSchemas = []string{"raw", "staging", "core", "marts", "workflow", "snapshots", "seeds", "information_schema"}

// allowedTableFunctions are the table functions a query may call: ones
// that make rows, not ones that read files, settings or other databases.
var allowedTableFunctions = []string{"range", "generate_series", "unnest"}

// deniedFunctions read what a query must not: files, the environment,
// settings, or a table named by a string (which no parser can check).
var deniedFunctions = regexp.MustCompile(`^(query|query_table|getenv|current_setting|glob|sniff_csv|read_.*|.*_scan|parquet_.*|duckdb_.*|which_secret|sql_auto_complete|json_execute_serialized_sql)$`)

func collectCTEs(n any, ctes map[string]bool) {
	switch v := n.(type) {
	case map[string]any:
		if m, ok := v["cte_map"].(map[string]any); ok {
			if entries, ok := m["map"].([]any); ok {
				for _, e := range entries {
					if em, ok := e.(map[string]any); ok {
						if k, ok := em["key"].(string); ok {
							ctes[strings.ToLower(k)] = true
						}
					}
				}
			}
		}
		for _, c := range v {
			collectCTEs(c, ctes)
		}
	case []any:
		for _, c := range v {
			collectCTEs(c, ctes)
		}
	}
}

// checkTree walks a parsed statement and refuses any table outside the
// readable schemas (a bare name must be a CTE: a string as a table is a
// file), any other catalog, any table function but the allowed ones, and
// any function that reads files, the environment or settings.
func checkTree(n any, ctes map[string]bool) error {
	switch v := n.(type) {
	case map[string]any:
		str := func(k string) string { s, _ := v[k].(string); return strings.ToLower(s) }
		switch v["type"] {
		case "BASE_TABLE":
			schema, table := str("schema_name"), str("table_name")
			switch {
			case str("catalog_name") != "":
				return &QueryError{fmt.Errorf("%s.%s.%s: read the warehouse's own schemas (%s)", str("catalog_name"), schema, table, strings.Join(ReadableSchemas, ", "))}
			case schema == "" && !ctes[table]:
				return &QueryError{fmt.Errorf("%q: name a table with its schema, e.g. marts.%s (files are out of reach of a query)", table, table)}
			case schema != "" && !slices.Contains(ReadableSchemas, schema):
				return &QueryError{fmt.Errorf("%s.%s: the %s schema is not readable by a query (readable: %s)", schema, table, schema, strings.Join(ReadableSchemas, ", "))}
			}
		case "TABLE_FUNCTION":
			if f, ok := v["function"].(map[string]any); ok {
				if name, _ := f["function_name"].(string); !slices.Contains(allowedTableFunctions, strings.ToLower(name)) {
					return &QueryError{fmt.Errorf("%s(): a query may read tables, not table functions (allowed: %s)", name, strings.Join(allowedTableFunctions, ", "))}
				}
			}
		}
		if v["class"] == "FUNCTION" && deniedFunctions.MatchString(str("function_name")) {
			return &QueryError{fmt.Errorf("%s(): files, settings and the environment are out of reach of a query", str("function_name"))}
		}
		for _, c := range v {
			if err := checkTree(c, ctes); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range v {
			if err := checkTree(c, ctes); err != nil {
				return err
			}
		}
	}
	return nil
}

// QueryReadOnly runs a user's statement inside a transaction that is always
// rolled back, after CheckReadOnly: nothing it does can persist. DuckDB's
// errors come back as a *QueryError.
func (w *Warehouse) QueryReadOnly(ctx context.Context, query string) (*Table, error) {
	if err := CheckReadOnly(ctx, query); err != nil {
		return nil, err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION READ ONLY"); err != nil {
		if _, err2 := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err2 != nil {
			return nil, err
		}
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	limited, cancel := context.WithTimeout(ctx, QueryTimeout)
	defer cancel()
	t, err := queryArrowLimit(limited, conn, MaxQueryRows, strings.TrimSuffix(strings.TrimSpace(query), ";"))
	switch {
	case errors.Is(err, errTooMany):
		return nil, &QueryError{fmt.Errorf("the result has more than %d rows: add a LIMIT, or aggregate", MaxQueryRows)}
	case err != nil && ctx.Err() == nil && limited.Err() != nil:
		return nil, &QueryError{fmt.Errorf("the query ran over %s and was stopped: narrow it", QueryTimeout)}
	case err != nil && ctx.Err() == nil:
		return nil, &QueryError{err}
	}
	return t, err
}

// The bounds of a user's query.
const (
	MaxQueryRows = 100_000
	QueryTimeout = time.Minute
)

// Lock closes the database to everything a user's query could reach
// beyond its tables, for as long as the process runs: no file outside
// dirs, no extensions, no ATTACH, and no setting may change again. `conflux
// serve` locks the warehouse it holds before it takes a request.
func (w *Warehouse) Lock(ctx context.Context, dirs []string) error {
	quoted := make([]string, len(dirs))
	for i, d := range dirs {
		quoted[i] = "'" + strings.ReplaceAll(d, "'", "''") + "'"
	}
	for _, q := range []string{
		"SET allowed_directories = [" + strings.Join(quoted, ", ") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	} {
		if _, err := w.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("lock the warehouse: %w", err)
		}
	}
	return nil
}

type rawConn interface {
	Raw(func(any) error) error
}

// errTooMany stops a read at a row limit.
var errTooMany = errors.New("too many rows")

func queryArrow(ctx context.Context, conn rawConn, query string, args ...any) (*Table, error) {
	return queryArrowLimit(ctx, conn, 0, query, args...)
}

// queryArrowLimit is queryArrow that fails with errTooMany past limit rows
// (0: no limit).
func queryArrowLimit(ctx context.Context, conn rawConn, limit int, query string, args ...any) (*Table, error) {
	t := &Table{}
	err := conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rr.Release()
		t.Schema = rr.Schema()
		for rr.Next() {
			rec, err := copyBatch(rr.RecordBatch())
			if err != nil {
				return err
			}
			t.Records = append(t.Records, rec)
			if limit > 0 && t.NumRows() > limit {
				return errTooMany
			}
		}
		return rr.Err()
	})
	if err != nil {
		t.Release()
		return nil, err
	}
	return t, nil
}

// copyBatch moves a batch into Go memory. The driver's batches live in
// memory its release callback frees; a Table outlives the reader and the
// connection it came from, so it holds copies.
func copyBatch(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		copied, err := array.Concatenate([]arrow.Array{c}, memory.DefaultAllocator)
		if err != nil {
			for _, done := range cols[:i] {
				done.Release()
			}
			return nil, fmt.Errorf("copy result column %s: %w", rec.ColumnName(i), err)
		}
		cols[i] = copied
	}
	out := array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}
