package warehouse

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	tbl, err := w.QueryReadOnly(ctx, "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'meta'")
	if err != nil {
		t.Fatal(err)
	}
	tbl.Release()
}

// A user's query reaches the warehouse's tables and nothing else: not the
// meta schema (encrypted credentials, users, sessions), not a file — not
// even one in a directory the warehouse itself may read — not the
// environment or the settings, not another database or an extension;
// however it is spelt. The database is locked as `conflux serve` locks it.
func TestUserQueriesReachOnlyTheirTables(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(context.Background(), filepath.Join(dir, "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	ctx := context.Background()
	if err := w.PutSecret(ctx, "xero", []byte("SECRET-CIPHERTEXT")); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "conflux.yaml")
	os.WriteFile(csv, []byte("token: SECRET-IN-FILE\n"), 0o600)
	if err := w.Lock(ctx, []string{dir}); err != nil {
		t.Fatal(err)
	}
	attacks := []string{
		`select * from meta.secrets`,
		`select * from "meta"."secrets"`,
		`select * from META . SECRETS`,
		`select * from memory.meta.secrets`,
		`select * from w.meta.secrets`,
		`select * from (select * from meta.secrets) x`,
		`with s as (select * from meta.secrets) select * from s`,
		`select * from marts.x union all select * from meta.secrets`,
		`describe meta.secrets`,
		`summarize meta.secrets`,
		`select * from query_table('meta.secrets')`,
		`select * from query('select * from meta.secrets')`,
		`select * from '` + csv + `'`,
		`from '` + csv + `'`,
		`select * from read_text('` + csv + `')`,
		`select * from read_blob('` + csv + `')`,
		`select * from read_csv('` + csv + `')`,
		`select * from sniff_csv('` + csv + `')`,
		`select * from glob('` + dir + `/*')`,
		`select getenv('HOME')`,
		`select current_setting('allowed_directories')`,
		`select * from duckdb_settings()`,
		`select * from duckdb_secrets()`,
		`attach '` + filepath.Join(dir, "other.duckdb") + `' as o`,
		`install httpfs`,
		`load httpfs`,
		`set enable_external_access = true`,
		`select 1; select * from meta.secrets`,
		`select 1 /* ; */ ; drop table meta.secrets`,
		`select * from meta/**/.secrets`,
		`select * from /* comment */ meta.secrets -- trailing`,
		`SELECT * FROM "META"."SECRETS"`,
		`explain analyze select * from meta.secrets`,
		`copy (select 1) to '` + filepath.Join(dir, "out.csv") + `'`,
		`create table marts.y as select 1`,
		`pragma database_list`,
		`select * from read_text(['` + csv + `'])`,
		`select * from json_execute_serialized_sql('x')`,
	}
	for _, q := range attacks {
		tbl, err := w.QueryReadOnly(ctx, q)
		if err == nil {
			leaked := ""
			if tbl != nil {
				var b strings.Builder
				for _, r := range tbl.Records {
					b.WriteString(fmt.Sprint(r))
				}
				leaked = b.String()
				tbl.Release()
			}
			t.Errorf("%s: answered: %.200s", q, leaked)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error leaks: %v", q, err)
		}
	}
	// And what a user may do still works.
	for _, q := range []string{`select 1 as x`, `select count(*) from information_schema.tables`, `select * from range(3)`,
		`with a as (select 1 as x) select * from a`, `show tables`} {
		tbl, err := w.QueryReadOnly(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		tbl.Release()
	}
}
