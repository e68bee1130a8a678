package warehouse

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// A result larger than one DuckDB chunk comes back in several batches; each
// must stay readable after the reader has moved on.
func TestQueryArrowKeepsEveryBatch(t *testing.T) {
	w := open(t)
	tbl, err := w.QueryArrow(context.Background(), `SELECT i, 'a-string-longer-than-twelve-bytes-' || i AS s, (i / 100)::DECIMAL(18,2) AS d FROM range(10000) r(i) ORDER BY i`)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	// Churn DuckDB's memory so that anything still pointing into it shows.
	for range 3 {
		churn, err := w.QueryArrow(context.Background(), `SELECT repeat('x', 40) || i AS s FROM range(50000) r(i)`)
		if err != nil {
			t.Fatal(err)
		}
		churn.Release()
	}
	if len(tbl.Records) < 2 || tbl.NumRows() != 10000 {
		t.Fatalf("%d batches, %d rows", len(tbl.Records), tbl.NumRows())
	}
	n := 0
	for _, rec := range tbl.Records {
		strs := rec.Column(1).(*array.String)
		for i := 0; i < strs.Len(); i++ {
			if want := fmt.Sprintf("a-string-longer-than-twelve-bytes-%d", n); strs.Value(i) != want {
				t.Fatalf("row %d: %q, want %q", n, strs.Value(i), want)
			}
			n++
		}
	}
}

func TestQueryReadOnlyNeverWrites(t *testing.T) {
	w := open(t)
	ctx := context.Background()
	if _, err := w.QueryReadOnly(ctx, "DROP SCHEMA meta CASCADE"); err == nil {
		t.Fatal("DROP accepted")
	}
	tbl, err := w.QueryReadOnly(ctx, "SELECT count(*) AS n FROM meta.sync_runs")
	if err != nil {
		t.Fatal(err)
	}
	tbl.Release()
}
