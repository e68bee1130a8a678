package warehouse

import (
	"context"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"

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

var readOnlyStart = regexp.MustCompile(`(?is)^\s*(select|with|from|values|table|describe|show|summarize|explain|pivot|unpivot)\b`)
var forbidden = regexp.MustCompile(`(?i)\b(copy|attach|detach|install|load|export|import|pragma|set|call|checkpoint)\b|\bmeta\s*\.\s*secrets\b|read_(csv|json|parquet|text|blob)\w*\s*\(|\bglob\s*\(`)

// ErrNotReadOnly is returned for statements a read-only query may not run.
var ErrNotReadOnly = fmt.Errorf("only one read-only statement is allowed (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)")

// CheckReadOnly rejects anything but a single reading statement; it also
// keeps files and the secrets table out of reach.
func CheckReadOnly(query string) error {
	q := strings.TrimSpace(query)
	q = strings.TrimSuffix(q, ";")
	if strings.Contains(stripStrings(q), ";") || !readOnlyStart.MatchString(q) || forbidden.MatchString(stripStrings(q)) {
		return ErrNotReadOnly
	}
	return nil
}

var stringLit = regexp.MustCompile(`'(?:[^']|'')*'`)

func stripStrings(q string) string { return stringLit.ReplaceAllString(q, "''") }

// QueryReadOnly runs a user's statement inside a transaction that is always
// rolled back, after CheckReadOnly: nothing it does can persist.
func (w *Warehouse) QueryReadOnly(ctx context.Context, query string) (*Table, error) {
	if err := CheckReadOnly(query); err != nil {
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
	return queryArrow(ctx, conn, strings.TrimSuffix(strings.TrimSpace(query), ";"))
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
