package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

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
var forbidden = regexp.MustCompile(`(?i)\bmeta\s*\.\s*secrets\b|read_(csv|json|parquet|text|blob)\w*\s*\(|\bglob\s*\(`)

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
	case forbidden.MatchString(stringLit.ReplaceAllString(q, "''")):
		return &QueryError{errors.New("files and the secrets table are out of reach of a query")}
	}
	return nil
}

var stringLit = regexp.MustCompile(`'(?:[^']|'')*'`)

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
	t, err := queryArrow(ctx, conn, strings.TrimSuffix(strings.TrimSpace(query), ";"))
	if err != nil && ctx.Err() == nil {
		return nil, &QueryError{err}
	}
	return t, err
}

type rawConn interface {
	Raw(func(any) error) error
}

func queryArrow(ctx context.Context, conn rawConn, query string, args ...any) (*Table, error) {
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
