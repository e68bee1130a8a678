package models

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/conflux-dev/conflux/internal/backtest"
	"github.com/conflux-dev/conflux/internal/closing"
	"github.com/conflux-dev/conflux/internal/gapflow"
	"github.com/conflux-dev/conflux/internal/warehouse"
)

//go:embed staging core marts tests
var builtin embed.FS

//go:embed macros.sql
var macros string

// Macros is the SQL that defines the money macros (money, allocate).
func Macros() string { return macros }

// Builtin is the embedded model tree.
func Builtin() embed.FS { return builtin }

// Options configures one build.
type Options struct {
	// Sources maps each configured source name to its connector type; the
	// source template function unions the raw tables of every source of a type.
	Sources map[string]string
	UserDir string // the project's own models folder
	Force   bool   // rebuild even when nothing changed
	Seeds   Seeds
	Logger  *slog.Logger
}

// Result is what a build did.
type Result struct {
	Models []ModelResult
	Tests  []TestResult
}

// ModelResult is one model's outcome.
type ModelResult struct {
	Name     string
	Status   string // built, skipped, failed, blocked
	Rows     int64
	Duration time.Duration
	Err      error
	// Incremental is set when an incremental model read only the raw rows
	// changed since its last build.
	Incremental bool
}

// TestResult is one data test's outcome.
type TestResult struct {
	Model, Name string
	Failures    int64
	Err         error
}

// Failed lists what went wrong, one line each.
func (r *Result) Failed() []string {
	var out []string
	for _, m := range r.Models {
		if m.Status == "failed" || m.Status == "blocked" {
			out = append(out, fmt.Sprintf("model %s %s: %v", m.Name, m.Status, m.Err))
		}
	}
	for _, t := range r.Tests {
		switch {
		case t.Err != nil:
			out = append(out, fmt.Sprintf("test %s on %s could not run: %v", t.Name, t.Model, t.Err))
		case t.Failures > 0:
			out = append(out, fmt.Sprintf("test %s on %s failed: %d rows", t.Name, t.Model, t.Failures))
		}
	}
	return out
}

// ErrBuildFailed is wrapped by Build's error when a model or test failed.
var ErrBuildFailed = errors.New("build failed")

type node struct {
	model *Model
	sql   string
	deps  []string
	raws  []string // raw tables read through source
	// An incremental model's SQL over only the raw rows changed since its
	// last build, and the source name each raw table is read as.
	delta    string
	rawNames map[string]string
	// A partitioned model's partitioned inputs (read by ref), which its
	// delta reads for the changed periods only.
	pdeps []string
	// Whether a partitioned model reads this one's changed periods.
	followed bool
}

// Build materializes every model in dependency order and runs the tests.
func Build(ctx context.Context, wh *warehouse.Warehouse, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	all, err := Load(builtin, opts.UserDir)
	if err != nil {
		return nil, err
	}
	db := wh.DB()
	seedHash, err := writeSeeds(ctx, db, opts.Seeds, opts.Sources)
	if err != nil {
		return nil, err
	}
	was, err := loadPrior(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, macros); err != nil {
		return nil, fmt.Errorf("create macros: %w", err)
	}
	known := map[string]bool{}
	byName := map[string]*Model{}
	for _, m := range all {
		if !m.Assertion {
			known[m.Name] = true
			byName[m.Name] = m
		}
	}
	nodes := map[string]*node{}
	for _, m := range all {
		n := &node{model: m, rawNames: map[string]string{}}
		sql, deps, err := render(m, known, func(connectorType, stream string) (string, error) {
			rel, raws, err := sourceRelation(was, opts.Sources, connectorType, stream, false)
			for _, r := range raws {
				n.raws = append(n.raws, r.table)
				n.rawNames[r.table] = r.name
			}
			return rel, err
		}, nil)
		if err != nil {
			return nil, err
		}
		n.sql, n.deps = sql, deps
		switch {
		case m.Materialized != "incremental":
		case len(n.raws) > 0:
			n.delta, _, err = render(m, known, func(connectorType, stream string) (string, error) {
				rel, _, err := sourceRelation(was, opts.Sources, connectorType, stream, true)
				return rel, err
			}, func(name string) string { return name })
		case m.Partition != nil:
			// Built from its inputs' changed periods: a partitioned input
			// is read for those periods only.
			n.delta, _, err = render(m, known, func(connectorType, stream string) (string, error) {
				rel, _, err := sourceRelation(was, opts.Sources, connectorType, stream, false)
				return rel, err
			}, func(name string) string {
				p := byName[name].Partition
				if p == nil {
					return name
				}
				if !slices.Contains(n.pdeps, name) {
					n.pdeps = append(n.pdeps, name)
				}
				// A keyed input is read for the keys being built (as it
				// knows them), an unkeyed one for whole periods.
				key, parts := "NULL::VARCHAR", periodsTable
				if m.Partition.Key != "" && p.Key != "" {
					key = p.key()
					if m.Partition.Via != "" {
						parts = inputKeysTable
					}
				}
				return fmt.Sprintf("(SELECT * FROM %s WHERE %s AND %s)", name, p.within(), inMark(p.period(m.Partition.Grain), key, parts))
			})
		}
		if err != nil {
			return nil, err
		}
		nodes[m.Name] = n
	}
	for _, n := range nodes {
		for _, d := range n.pdeps {
			nodes[d].followed = true
		}
	}
	// The days each model changes are known in this build only.
	if _, err := db.ExecContext(ctx, `DELETE FROM meta.model_changes`); err != nil {
		return nil, err
	}
	order, err := topoSort(nodes)
	if err != nil {
		return nil, err
	}

	res := &Result{}
	var runs []modelRun // written with the tests' results once the models are built
	// A model's hash is of everything it read; its version what its
	// dependents read of it (see version).
	versions := map[string]string{}
	built := map[string]string{}  // how each model was built in this build: changed (from its changes only) or whole
	before := map[string]string{} // each model's version at its last build, before this one
	status := map[string]string{}
	rawPrints := map[string]string{}
	for _, name := range order {
		n := nodes[name]
		if n.model.Assertion {
			continue
		}
		mr := ModelResult{Name: name}
		start := time.Now()
		var blockedBy []string
		for _, d := range n.deps {
			if s := status[d]; s == "failed" || s == "blocked" {
				blockedBy = append(blockedBy, d)
			}
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", n.model.Materialized, n.sql, seedHash)
		for _, d := range n.deps {
			if !slices.Contains(n.pdeps, d) {
				fmt.Fprintf(h, "%s=%s\x00", d, versions[d])
			}
		}
		static := hex.EncodeToString(h.Sum(nil)) // all but the raw tables' rows and the partitioned inputs
		for _, d := range n.pdeps {
			fmt.Fprintf(h, "%s=%s\x00", d, versions[d])
		}
		for _, r := range n.raws {
			if _, ok := rawPrints[r]; !ok {
				rawPrints[r] = rawFingerprint(ctx, db, r)
			}
			fmt.Fprintf(h, "%s=%s\x00", r, rawPrints[r])
		}
		hash := hex.EncodeToString(h.Sum(nil))
		last := was.runs[name]
		before[name], versions[name] = last.version, hash
		switch {
		case len(blockedBy) > 0:
			mr.Status, mr.Err = "blocked", fmt.Errorf("input %s did not build", strings.Join(blockedBy, ", "))
		case !opts.Force && last.hash == hash && was.tables[name] != "":
			mr.Status, mr.Rows = "skipped", last.rows
			versions[name] = cmp.Or(last.version, hash)
		default:
			var changed []string // the partitioned inputs whose changed periods are rebuilt
			switch {
			case opts.Force || n.model.Materialized != "incremental":
			case len(n.raws) > 0:
				mr.Incremental = was.tables[name] == "BASE TABLE" && incremental(ctx, db, n, static)
			case len(n.pdeps) > 0:
				changed, mr.Incremental = changedInputs(ctx, db, n, static, versions, before, built)
				mr.Incremental = mr.Incremental && was.tables[name] == "BASE TABLE"
			}
			how, err := materialize(ctx, db, n, was.tables[name], mr.Incremental, static, changed, versions)
			if err != nil {
				mr.Status, mr.Err = "failed", err
			} else {
				mr.Status, mr.Incremental, built[name] = "built", how == fromChanges, "whole"
				if how != whole {
					built[name] = "changed"
				}
			}
		}
		if mr.Status == "built" {
			versions[name] = version(ctx, db, n.model, hash, &mr.Rows)
		}
		mr.Duration = time.Since(start)
		status[name] = mr.Status
		runs = append(runs, modelRun{mr, hash, versions[name]})
		res.Models = append(res.Models, mr)
		if mr.Err != nil {
			log.Error("model failed", "model", name, "status", mr.Status, "error", mr.Err)
		} else {
			log.Debug("model", "model", name, "status", mr.Status, "rows", mr.Rows, "duration", mr.Duration)
		}
		if mr.Status == "built" || mr.Status == "skipped" {
			for _, t := range n.model.Tests {
				if tr, ok := was.tests[name+"\x00"+t.Name]; ok && mr.Status == "skipped" {
					// Skipped as unchanged (every input and test target
					// too): the same rows give the same answer, a failure
					// included.
					res.Tests = append(res.Tests, tr)
					continue
				}
				if q, ok := narrowed(was, n, mr, t); ok {
					t.SQL = q
				}
				res.Tests = append(res.Tests, runTest(ctx, db, name, t))
			}
		}
	}
	for _, name := range order {
		n := nodes[name]
		if !n.model.Assertion {
			continue
		}
		var blocked bool
		for _, d := range n.deps {
			if s := status[d]; s == "failed" || s == "blocked" {
				blocked = true
			}
		}
		if blocked {
			continue
		}
		// An assertion runs every build: its own file may have changed
		// though nothing it reads did.
		res.Tests = append(res.Tests, runTest(ctx, db, name, Test{Name: name, SQL: n.sql}))
	}
	if err := record(context.WithoutCancel(ctx), db, runs, res.Tests); err != nil {
		return res, err
	}
	// The workflow follows the ledger only when it is whole: a gaps model
	// that did not build must not read as every finding resolved.
	if s := status["marts.gaps"]; s == "built" || s == "skipped" {
		if err := gapflow.Track(ctx, db, time.Now().UTC()); err != nil {
			return res, err
		}
	}
	// Closed months show as they were closed, and what moved them since is
	// listed (internal/closing): after every build, with how it made the
	// figures — the seeds (config and mappings) and every model's SQL.
	mh := sha256.New()
	for _, name := range order {
		fmt.Fprintf(mh, "%s\x00%s\x00", name, nodes[name].sql)
	}
	if err := closing.Refresh(ctx, db, closing.Hashes{Config: seedHash[:16], Models: hex.EncodeToString(mh.Sum(nil))[:16]}); err != nil {
		return res, err
	}
	// Keep today's forecasts, and score the ones whose time has come, when
	// what they are scored from changed.
	if err := backtest.Record(ctx, db); err != nil {
		return res, err
	}
	fh := sha256.New()
	fmt.Fprintf(fh, "%s\x00", seedHash)
	for _, in := range backtest.Inputs {
		fmt.Fprintf(fh, "%s=%s\x00", in, versions[in])
	}
	if err := backtest.ScoreIfChanged(ctx, db, hex.EncodeToString(fh.Sum(nil))); err != nil {
		return res, err
	}
	if failed := res.Failed(); len(failed) > 0 {
		return res, fmt.Errorf("%w: %s", ErrBuildFailed, strings.Join(failed, "; "))
	}
	return res, nil
}

func topoSort(nodes map[string]*node) ([]string, error) {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var order, stack []string
	var visit func(string) error
	visit = func(name string) error {
		switch state[name] {
		case done:
			return nil
		case active:
			i := slices.Index(stack, name)
			cycle := append(slices.Clone(stack[i:]), name)
			return fmt.Errorf("models form a cycle: %s (break one reference)", strings.Join(cycle, " -> "))
		}
		state[name] = active
		stack = append(stack, name)
		for _, d := range nodes[name].deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		order = append(order, name)
		return nil
	}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// rawSource is one raw table a model reads, and the source name it is read as.
type rawSource struct{ name, table string }

// sourceRelation is the live rows of every source of a connector type's
// stream. With changedOnly (an incremental model's delta) it is only the
// rows changed since that model's last build: synced at or after the
// watermark meta.model_state keeps, put in when it is built (see
// watermarks; deleted ones are left out by the same filter as always).
func sourceRelation(was *prior, sources map[string]string, connectorType, stream string, changedOnly bool) (string, []rawSource, error) {
	var names []string
	for name, typ := range sources {
		if typ == connectorType {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var parts []string
	var raws []rawSource
	for _, name := range names {
		table, err := warehouse.RawTable(name, stream)
		if err != nil {
			return "", nil, err
		}
		if was.tables["raw."+name+"__"+stream] == "" {
			continue
		}
		raws = append(raws, rawSource{name, table})
		where := "deleted_at IS NULL"
		if changedOnly {
			// A live row changed when it was synced: a plain comparison,
			// which the scan applies before it reads the payloads.
			where += " AND synced_at >= " + watermarkMark(table)
		}
		parts = append(parts, fmt.Sprintf("SELECT '%s' AS source, id, payload, updated_at, synced_at FROM %s WHERE %s", name, table, where))
	}
	if len(parts) == 0 {
		return "(SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS id, NULL::JSON AS payload, NULL::TIMESTAMPTZ AS updated_at, NULL::TIMESTAMPTZ AS synced_at WHERE false)", nil, nil
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ")", raws, nil
}

// rowChanged is when a raw row last changed: synced, or deleted (a
// deletion leaves synced_at as it was).
const rowChanged = "greatest(synced_at, coalesce(deleted_at, synced_at))"

// watermarkMark stands in an incremental model's delta for the time of the
// newest change of table it saw, which watermarks gives when it is built:
// a constant, so the scan of the raw table skips what is older.
func watermarkMark(table string) string { return "@@watermark(" + table + ")@@" }

// watermarks are the times of the newest change of each raw table that
// model saw at its last build, as SQL constants, and its delta with them in
// place. At, not after: a row seen twice is replaced by itself. But when
// the rows changed at that time are still those the build saw (atWatermark),
// only the rows changed after it are read: a sync commits many pages at one
// time, and those records need not be made again.
func watermarks(ctx context.Context, conn *sql.Conn, model string, raws []string, delta string) (map[string]string, string, error) {
	marks := map[string]string{}
	for _, raw := range raws {
		marks[raw] = "'-infinity'::TIMESTAMPTZ"
	}
	rows, err := conn.QueryContext(ctx, `SELECT raw_table, watermark::VARCHAR, at_watermark FROM meta.model_state WHERE model = ? AND watermark IS NOT NULL`, model)
	if err != nil {
		return nil, "", err
	}
	seen := map[string]string{}
	for rows.Next() {
		var raw, at string
		var was sql.NullString
		if err := rows.Scan(&raw, &at, &was); err != nil {
			rows.Close()
			return nil, "", err
		}
		marks[raw] = "'" + at + "'::TIMESTAMPTZ"
		if was.Valid {
			seen[raw] = was.String
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	for raw, was := range seen {
		var now string
		if err := conn.QueryRowContext(ctx, atWatermark(raw, marks[raw])).Scan(&now); err != nil {
			return nil, "", err
		}
		if now == was {
			marks[raw] += " + INTERVAL 1 MICROSECOND" // after it: the finest a TIMESTAMPTZ tells apart
		}
	}
	for raw, at := range marks {
		delta = strings.ReplaceAll(delta, watermarkMark(raw), at)
	}
	return marks, delta, nil
}

// atWatermark is the query of which rows of raw changed at the time at: how
// many, and a hash of their ids.
func atWatermark(raw, at string) string {
	return fmt.Sprintf("SELECT count(*) || ':' || coalesce(bit_xor(hash(id)), 0) FROM %s WHERE %s = %s", raw, rowChanged, at)
}

// incremental reports whether n can be built from the raw rows changed
// since its last build: it was built as it is now, from the same inputs
// but those raw tables, and none of them lost rows since.
func incremental(ctx context.Context, db *sql.DB, n *node, static string) bool {
	if len(n.raws) == 0 {
		return false
	}
	for _, raw := range n.raws {
		var then, now int64
		err := db.QueryRowContext(ctx, `SELECT raw_rows FROM meta.model_state WHERE model = ? AND raw_table = ? AND static_hash = ?`,
			n.model.Name, raw, static).Scan(&then)
		if err != nil {
			return false
		}
		if db.QueryRowContext(ctx, `SELECT count(*) FROM `+raw).Scan(&now) != nil || now < then {
			return false
		}
	}
	return true
}

// rawFingerprint says whether a raw table changed. A small table is hashed
// whole, so a stream read again in full (a company, the users) changes
// nothing downstream when its records did not; a large one is known by its
// rows and its last sync.
func rawFingerprint(ctx context.Context, db *sql.DB, table string) string {
	var n, run int64
	var synced sql.NullString
	db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(sync_run), 0), max(synced_at)::VARCHAR FROM `+table).Scan(&n, &run, &synced)
	if n <= smallRawRows {
		var sum sql.NullString
		db.QueryRowContext(ctx, `SELECT sum(hash(id, payload::VARCHAR, updated_at, deleted_at IS NULL)::HUGEINT)::VARCHAR FROM `+table).Scan(&sum)
		return fmt.Sprintf("%d#%s", n, sum.String)
	}
	return fmt.Sprintf("%d/%d/%s", n, run, synced.String)
}

// smallRawRows is the size up to which a raw table's fingerprint is its
// content.
const smallRawRows = 20_000

// version is what a model's dependents know of it once built: a table of
// up to contentRows rows by its content, so a model rebuilt to the same
// rows (capacity after an edit of hours) changes nothing downstream; a view,
// a larger table or a partitioned one by the hash of its inputs (a
// partitioned model's dependents follow its changed periods). It also
// counts the rows.
func version(ctx context.Context, db *sql.DB, m *Model, hash string, rows *int64) string {
	var sum sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+m.Name).Scan(rows); err != nil {
		return hash
	}
	if m.Materialized == "view" || m.Partition != nil || *rows > contentRows {
		return hash
	}
	if err := db.QueryRowContext(ctx, "SELECT sum(hash(t)::HUGEINT)::VARCHAR FROM "+m.Name+" t").Scan(&sum); err != nil {
		return hash
	}
	return fmt.Sprintf("rows:%d#%s", *rows, sum.String)
}

// contentRows is the size up to which a built table is known by its
// content.
const contentRows = 2_000_000

// prior is what the warehouse held as the build started: the tables and
// views, each model's last build (or skip as unchanged) and each data
// test's last result.
type prior struct {
	tables map[string]string // schema.table → its type
	runs   map[string]priorRun
	tests  map[string]TestResult // model + "\x00" + test
}

type priorRun struct {
	hash, version string
	rows          int64
}

func loadPrior(ctx context.Context, db *sql.DB) (*prior, error) {
	p := &prior{tables: map[string]string{}, runs: map[string]priorRun{}, tests: map[string]TestResult{}}
	rows, err := db.QueryContext(ctx, `SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables
		WHERE table_catalog = current_database()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		p.tables[name] = typ
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT model, arg_max(hash, built_at), arg_max(coalesce(version, ''), built_at), arg_max(coalesce(rows, 0), built_at)
		FROM meta.model_runs WHERE status IN ('built', 'skipped') GROUP BY model`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name string
		var r priorRun
		if err := rows.Scan(&name, &r.hash, &r.version, &r.rows); err != nil {
			rows.Close()
			return nil, err
		}
		p.runs[name] = r
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT model, test, arg_max(failures, run_at), arg_max(status, run_at), arg_max(coalesce(error, ''), run_at)
		FROM meta.test_results GROUP BY model, test`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tr TestResult
		var status, msg string
		if err := rows.Scan(&tr.Model, &tr.Name, &tr.Failures, &status, &msg); err != nil {
			return nil, err
		}
		if status == "error" {
			tr.Err = errors.New(msg)
		}
		p.tests[tr.Model+"\x00"+tr.Name] = tr
	}
	return p, rows.Err()
}

// changedInputs says which partitioned inputs of n changed since its last
// build, and whether n can be built from their changed periods alone: it
// was built as it is now from the same unpartitioned inputs, and every
// partitioned input that moved since was built in this build from its own
// changes, starting from the state n last read.
func changedInputs(ctx context.Context, db *sql.DB, n *node, static string, versions, before, built map[string]string) ([]string, bool) {
	seen := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT input, input_hash FROM meta.model_inputs WHERE model = ? AND static_hash = ?`, n.model.Name, static)
	if err != nil {
		return nil, false
	}
	for rows.Next() {
		var in, h string
		if rows.Scan(&in, &h) == nil {
			seen[in] = h
		}
	}
	rows.Close()
	var changed []string
	for _, d := range n.pdeps {
		last, ok := seen[d]
		switch {
		case !ok:
			return nil, false
		case last == versions[d]:
		case built[d] == "changed" && before[d] == last:
			changed = append(changed, d)
		default:
			return nil, false
		}
	}
	return changed, len(changed) > 0
}

// periodsTable holds, while a partitioned model is built from its inputs'
// changes, the periods (at its grain) those changes fall in.
const periodsTable = "temp.main.conflux_periods"

// inputKeysTable holds, for a model whose inputs know its rows by another
// key (Partition.Via), the partitions to read of its keyed inputs, in
// their keys.
const inputKeysTable = "temp.main.conflux_input_keys"

// wholeShare is the share of a partitioned model's rows beyond which its
// changed periods are built as a whole table instead: deleting and
// inserting most of a table costs more than making it anew.
const wholeShare = 0.5

// How materialize built a model.
type builtHow int

const (
	whole       builtHow = iota
	fromChanges          // from its changed raw rows or changed periods
	// whole, but the periods whose rows differ from before are noted, as
	// if built from its changes (see diffRows)
	wholeDiffed
)

// diffRows is the size up to which a partitioned model whose changes
// reached most of its rows, and which is therefore built whole, compares
// each period's rows with before (when a partitioned model reads it), so
// that what reads it rebuilds only the periods that differ: leave whose
// days were all re-read but few changed still rebuilds few days of
// capacity.
const diffRows = 250_000

// materialize builds n in one transaction, from its changed raw rows or
// changed periods when changedOnly, and says how it did (a partitioned
// model whose changes reach most of it is built whole).
func materialize(ctx context.Context, db *sql.DB, n *node, existing string, changedOnly bool, static string, changedInputs []string, versions map[string]string) (builtHow, error) {
	name := n.model.Name
	conn, err := db.Conn(ctx)
	if err != nil {
		return whole, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return whole, err
	}
	fail := func(err error) (builtHow, error) {
		conn.ExecContext(context.Background(), "ROLLBACK")
		return whole, fmt.Errorf("%s (%s): %w", name, n.model.Path, err)
	}
	p := n.model.Partition
	diff := false
	none := false // its inputs changed no day it reads: nothing to rebuild
	body := strings.TrimRight(strings.TrimSpace(n.delta), ";")
	first, after := "", ""    // the span of the periods built from changes; "" for all
	listing := periodsAndKeys // what periodsTable lists
	if changedOnly && len(n.raws) == 0 {
		// The periods (and keys) the inputs' changed days fall in; when
		// they hold most of the rows, the whole table is cheaper. Keys
		// count only when an input changed some rather than whole days.
		var keyed bool
		if p.Key != "" {
			if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) > 0 FROM meta.model_changes WHERE model IN (%s) AND key IS NOT NULL",
				quoteList(changedInputs))).Scan(&keyed); err != nil {
				return fail(err)
			}
		}
		for _, q := range partitionStmts(n.model, changedInputs, keyed) {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fail(err)
			}
		}
		var periods, whole int64
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE key IS NULL), coalesce(min(period)::VARCHAR, ''),
				coalesce((max(period) + INTERVAL 1 %s)::DATE::VARCHAR, '') FROM %s`,
			p.Grain, periodsTable)).Scan(&periods, &whole, &first, &after); err != nil {
			return fail(err)
		}
		switch whole {
		case periods:
			listing = periodsOnly
		case 0:
			listing = keysOnly
		}
		// The share of its rows in those periods; an empty table has
		// none, and is built from the changes like any other.
		var share float64
		var rows int64
		if err := conn.QueryRowContext(ctx, fillDays(fmt.Sprintf(`SELECT coalesce(count(*) FILTER (WHERE %s AND %s) / nullif(count(*), 0), 0), count(*) FROM %s`,
			p.within(), in(p.period(p.Grain), p.key(), periodsTable, listing), name), first, after)).Scan(&share, &rows); err != nil {
			return fail(err)
		}
		changedOnly = share <= wholeShare || periods == 0
		diff = !changedOnly && rows <= diffRows && n.followed
		none = periods == 0
		if !changedOnly {
			first, after = "", ""
		}
	}
	if len(n.raws) > 0 {
		// Every row a raw-fed model makes from its changed records is
		// one it builds.
		body = inRE.ReplaceAllString(body, "true")
	}
	body = fillIn(fillDays(body, first, after), listing)
	wholeSQL := fillDays(strings.TrimRight(strings.TrimSpace(n.sql), ";"), "", "")
	stmts := []string{}
	switch {
	case existing == "VIEW" && n.model.Materialized != "view":
		stmts = append(stmts, "DROP VIEW "+name)
	case existing == "BASE TABLE" && n.model.Materialized == "view":
		stmts = append(stmts, "DROP TABLE "+name)
	}
	kind := "TABLE"
	if n.model.Materialized == "view" {
		kind = "VIEW"
	}
	if p != nil {
		stmts = append(stmts, fmt.Sprintf("DELETE FROM meta.model_changes WHERE model = '%s'", name))
	}
	switch {
	case changedOnly && len(n.raws) > 0:
		// The rows of every raw record changed since, replaced by what
		// they make now (none for a record deleted). A partitioned model
		// notes the days of the rows that differ: a record synced again as
		// it was changes none.
		marks, delta, err := watermarks(ctx, conn, name, n.raws, body)
		if err != nil {
			return fail(err)
		}
		body = delta
		var ids, changed []string
		for _, raw := range n.raws {
			ids = append(ids, fmt.Sprintf("SELECT '%s' AS source, id FROM %s WHERE %s >= %s", n.rawNames[raw], raw, rowChanged, marks[raw]))
			changed = append(changed, fmt.Sprintf("(source = '%s' AND source_id IN (SELECT id FROM temp.main.conflux_changed WHERE source = '%s'))",
				n.rawNames[raw], n.rawNames[raw]))
		}
		which := strings.Join(changed, " OR ")
		stmts = append(stmts, "CREATE OR REPLACE TEMP TABLE conflux_changed AS "+strings.Join(ids, " UNION ALL "))
		if p == nil {
			stmts = append(stmts, fmt.Sprintf("DELETE FROM %s WHERE %s", name, which),
				fmt.Sprintf("INSERT INTO %s BY NAME\n%s", name, body))
		} else {
			// The same SQL as made the table: the same columns in the
			// same order, so the rows before and after compare as they are.
			// Of the rows before, only their row ids (to delete them), days
			// and hashes are kept: copying them whole cost twice as much.
			stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE conflux_before AS SELECT rowid AS conflux_rowid, %s AS day, %s AS key, hash(t) AS h FROM %s t WHERE %s", dayOf(p), p.key(), name, which),
				"CREATE OR REPLACE TEMP TABLE conflux_after AS\n"+body,
				fmt.Sprintf("DELETE FROM %s WHERE rowid IN (SELECT conflux_rowid FROM temp.main.conflux_before)", name),
				fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM temp.main.conflux_after", name),
				changedDays(name, p, "temp.main.conflux_before", fmt.Sprintf("(SELECT hash(t) AS h, %s AS day, %s AS key FROM temp.main.conflux_after t)", dayOf(p), p.key())),
				"DROP TABLE temp.main.conflux_before", "DROP TABLE temp.main.conflux_after")
		}
		stmts = append(stmts, "DROP TABLE temp.main.conflux_changed")
	case changedOnly && none:
	case changedOnly:
		// The rows of every changed period, made again from their
		// periods of the inputs; the days of those periods changed.
		built := fillDays(fmt.Sprintf("%s AND %s", p.within(), in(p.period(p.Grain), p.key(), periodsTable, listing)), first, after)
		stmts = append(stmts, fmt.Sprintf("DELETE FROM %s WHERE %s", name, built),
			fmt.Sprintf("INSERT INTO %s BY NAME\nSELECT * FROM (\n%s\n) WHERE %s", name, body, built),
			periodDays(name, p.Grain, "SELECT period, key FROM "+periodsTable))
	case diff:
		// Each period's rows counted and hashed before and after; the
		// days of the periods that differ changed.
		byPeriod := fmt.Sprintf("SELECT %s AS period, %s AS key, count(*) AS n, sum(hash(t)::HUGEINT) AS h FROM %s t GROUP BY ALL", p.period(p.Grain), p.key(), name)
		create, err := tableStmts(ctx, conn, n.model, wholeSQL)
		if err != nil {
			return fail(err)
		}
		stmts = append(stmts, "CREATE OR REPLACE TEMP TABLE conflux_before AS "+byPeriod)
		stmts = append(stmts, create...)
		stmts = append(stmts, periodDays(name, p.Grain, fmt.Sprintf(`SELECT coalesce(a.period, b.period) AS period, CASE WHEN a.n IS NULL THEN b.key ELSE a.key END AS key
				FROM temp.main.conflux_before a FULL JOIN (%s) b ON a.period = b.period AND a.key IS NOT DISTINCT FROM b.key
				WHERE a.n IS DISTINCT FROM b.n OR a.h IS DISTINCT FROM b.h`, byPeriod)),
			"DROP TABLE temp.main.conflux_before")
	case kind == "TABLE":
		create, err := tableStmts(ctx, conn, n.model, wholeSQL)
		if err != nil {
			return fail(err)
		}
		stmts = append(stmts, create...)
	default:
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, name, wholeSQL))
	}
	if n.model.Materialized == "incremental" && len(n.raws) > 0 {
		// What this build read, in the same snapshot as the rows it made.
		stmts = append(stmts, fmt.Sprintf("DELETE FROM meta.model_state WHERE model = '%s'", name))
		for _, raw := range n.raws {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO meta.model_state SELECT '%s', '%s', '%s', w, n, (%s) FROM (SELECT max(%s) AS w, count(*) AS n FROM %s)",
				name, raw, static, atWatermark(raw, "w"), rowChanged, raw))
		}
	}
	if len(n.pdeps) > 0 {
		stmts = append(stmts, fmt.Sprintf("DELETE FROM meta.model_inputs WHERE model = '%s'", name))
		for _, d := range n.pdeps {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO meta.model_inputs VALUES ('%s', '%s', '%s', '%s')", name, d, static, versions[d]))
		}
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fail(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fail(err)
	}
	switch {
	case changedOnly:
		return fromChanges, nil
	case diff:
		return wholeDiffed, nil
	}
	return whole, nil
}

// tableStmts make m's table anew from query's rows. A model that names
// how to compress some columns has its table declared first, the columns
// as the query makes them (DESCRIBE), then filled.
func tableStmts(ctx context.Context, conn *sql.Conn, m *Model, query string) ([]string, error) {
	if len(m.Compression) == 0 {
		return []string{fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", m.Name, query)}, nil
	}
	rows, err := conn.QueryContext(ctx, "DESCRIBE SELECT * FROM (\n"+query+"\n)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var defs []string
	made := map[string]bool{}
	for rows.Next() {
		var col, typ string
		var null, key, dflt, extra sql.NullString
		if err := rows.Scan(&col, &typ, &null, &key, &dflt, &extra); err != nil {
			return nil, err
		}
		made[col] = true
		def := fmt.Sprintf(`"%s" %s`, strings.ReplaceAll(col, `"`, `""`), typ)
		if c, ok := m.Compression[col]; ok {
			def += " USING COMPRESSION " + c
		}
		defs = append(defs, def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, col := range slices.Sorted(maps.Keys(m.Compression)) {
		if !made[col] {
			return nil, fmt.Errorf("compression names column %s, which the model does not make", col)
		}
	}
	return []string{
		fmt.Sprintf("CREATE OR REPLACE TABLE %s (\n\t%s\n)", m.Name, strings.Join(defs, ",\n\t")),
		fmt.Sprintf("INSERT INTO %s SELECT * FROM (\n%s\n)", m.Name, query),
	}, nil
}

// changedDays notes in meta.model_changes the days of model's rows that
// differ between before and after, relations of each row's hash (h, of
// the whole row: hash(t) over the same columns in the same order), day
// and key, as a multiset: a row is the same when an equal row is in the
// other as many times. Counted per hash, ten times faster than EXCEPT ALL,
// which numbers every copy of each row to match them. A keyed model (p)
// notes the keys changed on each day, or the whole day (a NULL key) when
// they are half its keys or more: rebuilding most of a day key by key
// costs more than the whole day (the latest days synced, everyone's time).
// When at least as many days are noted whole as by key, every day is: a
// few more whole days cost less than what reads them keeping both apart.
func changedDays(model string, p *Partition, before, after string) string {
	side := func(rel string) string {
		return fmt.Sprintf("SELECT h, any_value(day) AS day, any_value(key) AS key, count(*) AS n FROM %s GROUP BY h", rel)
	}
	changed := fmt.Sprintf(`SELECT DISTINCT coalesce(b.day, a.day) AS day, CASE WHEN b.n IS NULL THEN a.key ELSE b.key END AS key
		FROM (%s) b FULL JOIN (%s) a USING (h)
		WHERE b.n IS DISTINCT FROM a.n`, side(before), side(after))
	if p.Key == "" {
		return fmt.Sprintf("INSERT INTO meta.model_changes SELECT '%s', day, key FROM (%s)", model, changed)
	}
	return fmt.Sprintf(`INSERT INTO meta.model_changes
		WITH c AS MATERIALIZED (%[1]s),
		per_day AS (SELECT day, count(DISTINCT key) AS changed FROM c GROUP BY day),
		keys AS (SELECT %[2]s AS day, count(DISTINCT %[3]s) AS keys FROM %[4]s
			WHERE %[5]s >= (SELECT min(day) FROM per_day) AND %[5]s <= (SELECT max(day) FROM per_day) AND %[2]s IN (SELECT day FROM per_day)
			GROUP BY ALL),
		days AS (SELECT day, 2 * changed >= coalesce(keys, 0) AS whole FROM per_day LEFT JOIN keys USING (day)),
		mostly AS (SELECT count(*) FILTER (WHERE whole) >= count(*) FILTER (WHERE NOT whole) AS whole FROM days)
		SELECT DISTINCT '%[6]s', c.day, CASE WHEN NOT d.whole AND NOT m.whole THEN c.key END
		FROM c JOIN days d USING (day) CROSS JOIN mostly m`,
		changed, dayOf(p), p.Key, model, p.Column, model)
}

// withinRE is the mark of Partition.within, its column captured.
var withinRE = regexp.MustCompile(`@@within\(([a-z_][a-z0-9_]*)\)@@`)

// fillDays puts the span of the periods a partitioned model is built for,
// first to the day before after (ISO dates), into its SQL's marks: those
// of its inputs' rows (Partition.within) and days_built's. first "" is
// every day (a whole build); so is a span from the period of the rows
// with no date, which the condition on the column would leave out.
func fillDays(sql, first, after string) string {
	days := "(SELECT DATE '0001-01-01' AS first_day, DATE '9999-12-31' AS last_day)"
	within := "true"
	if first != "" {
		days = fmt.Sprintf("(SELECT DATE '%s' AS first_day, DATE '%s' - 1 AS last_day)", first, after)
		if first != "0001-01-01" {
			within = fmt.Sprintf("($1 >= DATE '%s' AND $1 < DATE '%s')", first, after)
		}
	}
	return withinRE.ReplaceAllString(strings.ReplaceAll(sql, daysBuiltMark, days), within)
}

// periodDays notes every day of the periods (at grain) that the query
// periods gives as changed in model, with their keys: (period, key).
func periodDays(model, grain, periods string) string {
	return fmt.Sprintf(`INSERT INTO meta.model_changes SELECT '%s',
		unnest(generate_series(period::TIMESTAMP, (period + INTERVAL 1 %s - INTERVAL 1 DAY)::TIMESTAMP, INTERVAL 1 DAY))::DATE, key
		FROM (%s)`, model, grain, periods)
}

// partitionStmts fill periodsTable with the partitions a build of m from
// its changed inputs makes again: the periods their changed days fall in
// at m's grain, with the changed keys when m has a key and some input
// changed keys (keyed; NULL: the whole period). A model whose inputs know
// its rows by another key (Via) maps them through its own rows, and lists
// in inputKeysTable the inputs' keys of every partition it makes again.
func partitionStmts(m *Model, changedInputs []string, keyed bool) []string {
	p := m.Partition
	key := "NULL::VARCHAR"
	if p.Key != "" && keyed {
		key = "key"
	}
	changed := fmt.Sprintf("SELECT DISTINCT %s AS period, %s AS key FROM (SELECT day AS %s, key FROM meta.model_changes WHERE model IN (%s))",
		p.period(p.Grain), key, p.Column, quoteList(changedInputs))
	switch {
	case p.Via == "":
		return []string{"CREATE OR REPLACE TEMP TABLE conflux_periods AS " + changed}
	case !keyed:
		return []string{"CREATE OR REPLACE TEMP TABLE conflux_periods AS " + changed,
			"CREATE OR REPLACE TEMP TABLE conflux_input_keys AS SELECT * FROM " + periodsTable}
	}
	// Which of its keys each changed inputs' key is, and every inputs' key
	// of those, in the periods where keys changed (read between their
	// first and last: the scan skips the row groups outside): one the
	// model's rows there do not know yet rebuilds its whole period.
	span := fmt.Sprintf("%[1]s >= (SELECT min(period) FROM temp.main.conflux_changed_parts WHERE key IS NOT NULL) AND %[1]s < (SELECT max(period) + INTERVAL 1 %[2]s FROM temp.main.conflux_changed_parts WHERE key IS NOT NULL)",
		p.Column, p.Grain)
	return []string{
		"CREATE OR REPLACE TEMP TABLE conflux_changed_parts AS " + changed,
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE conflux_keymap AS
			WITH hit AS (SELECT DISTINCT %[1]s AS period, %[3]s AS key FROM %[4]s
				WHERE %[5]s AND (%[1]s, %[2]s::VARCHAR) IN (SELECT period, key FROM temp.main.conflux_changed_parts WHERE key IS NOT NULL))
			SELECT DISTINCT %[1]s AS period, %[2]s::VARCHAR AS via, %[3]s AS key FROM %[4]s
			WHERE %[5]s AND (%[1]s, %[3]s) IN (SELECT period, key FROM hit) AND %[2]s IS NOT NULL`,
			p.period(p.Grain), p.Via, p.key(), m.Name, span),
		`CREATE OR REPLACE TEMP TABLE conflux_periods AS SELECT DISTINCT c.period, CASE WHEN c.key IS NOT NULL THEN k.key END AS key
			FROM temp.main.conflux_changed_parts c LEFT JOIN temp.main.conflux_keymap k ON k.period = c.period AND k.via = c.key`,
		`CREATE OR REPLACE TEMP TABLE conflux_input_keys AS SELECT period, key FROM temp.main.conflux_periods WHERE key IS NULL
			UNION ALL SELECT DISTINCT p.period, k.via FROM temp.main.conflux_periods p JOIN temp.main.conflux_keymap k USING (period, key)`,
	}
}

// dayOf is the day a partitioned model's row falls on (undated rows on one
// day of their own, as in Partition.period).
func dayOf(p *Partition) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprintf("coalesce(%s::DATE, DATE '0001-01-01')", p.Column)
}

// modelRun is what meta.model_runs keeps of one model in one build.
type modelRun struct {
	ModelResult
	hash, version string
}

// record writes the build's model runs and every test's result, those of
// skipped models (kept from their last run) included, in one transaction:
// a build's rows share its time, so its results are known as its own
// (the data_test alert reads those of the last build), and one commit
// costs less than one per row (about 190 ms for some 240 rows). A build
// that stops before keeps the runs of its last whole build: its models
// are built again.
func record(ctx context.Context, db *sql.DB, runs []modelRun, tests []TestResult) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	errText := func(err error) sql.NullString {
		if err == nil {
			return sql.NullString{}
		}
		return sql.NullString{String: err.Error(), Valid: true}
	}
	// One statement per table, its rows as parameters.
	insert := func(table, row string, n int, args []any) error {
		if n == 0 {
			return nil
		}
		rows := strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" VALUES "+rows, args...)
		return err
	}
	var args []any
	for _, r := range runs {
		args = append(args, r.Name, r.hash, r.Duration.Milliseconds(), r.Rows, r.Status, errText(r.Err), r.version)
	}
	if err := insert("meta.model_runs", "(?, ?, now(), ?, ?, ?, ?, ?)", len(runs), args); err != nil {
		return err
	}
	args = nil
	for _, t := range tests {
		status := "pass"
		switch {
		case t.Err != nil:
			status = "error"
		case t.Failures > 0:
			status = "fail"
		}
		args = append(args, t.Name, t.Model, t.Failures, status, errText(t.Err))
	}
	if err := insert("meta.test_results", "(?, ?, now(), ?, ?, ?)", len(tests), args); err != nil {
		return err
	}
	if err := prune(ctx, tx, time.Now()); err != nil {
		return err
	}
	return tx.Commit()
}

// runsKept is how long meta.model_runs and meta.test_results keep a
// build's rows. A model's last run and a test's last result are kept
// whatever their age: a skipped model keeps its tests' last results, and
// the next build reads them (loadPrior).
const runsKept = 14 * 24 * time.Hour

// prune lets go of the runs and results older than runsKept, once a day
// at most (when the oldest run is a day past it). Kept for ever, a year of
// builds every 15 minutes (7.2M runs, 4.8M results) made a build with
// nothing changed twice as slow (358–394 ms against 156–225 ms pruned).
func prune(ctx context.Context, tx *sql.Tx, now time.Time) error {
	var oldest sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT min(built_at) FROM meta.model_runs`).Scan(&oldest); err != nil {
		return err
	}
	if !oldest.Valid || now.Sub(oldest.Time) < runsKept+24*time.Hour {
		return nil
	}
	cutoff := now.Add(-runsKept)
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta.model_runs WHERE built_at < ? AND (model, built_at) NOT IN (
		SELECT (model, max(built_at)) FROM meta.model_runs WHERE status IN ('built', 'skipped') GROUP BY model)`, cutoff); err != nil {
		return fmt.Errorf("prune model runs: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta.test_results WHERE run_at < ? AND (model, test, run_at) NOT IN (
		SELECT (model, test, max(run_at)) FROM meta.test_results GROUP BY model, test)`, cutoff); err != nil {
		return fmt.Errorf("prune test results: %w", err)
	}
	return nil
}

// narrowed is a test of a partitioned model built from its changes,
// narrowed to the days it changed (see Test.within) when the test passed
// at its last run: the rows of the other days are the ones it passed on,
// and the table a relationships test looks in did not change: it is an
// input, and one that changed other than by periods rebuilds the model
// whole. One partitioned changes by periods, so it keeps the whole test.
func narrowed(was *prior, n *node, mr ModelResult, t Test) (string, bool) {
	m := n.model
	last, ok := was.tests[m.Name+"\x00"+t.Name]
	if !mr.Incremental || !ok || last.Failures > 0 || last.Err != nil || slices.Contains(n.pdeps, t.target()) {
		return "", false
	}
	return t.within(m, fmt.Sprintf("SELECT day, key FROM meta.model_changes WHERE model = '%s'", m.Name))
}

func runTest(ctx context.Context, db *sql.DB, model string, t Test) TestResult {
	tr := TestResult{Model: model, Name: t.Name}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM (\n"+strings.TrimRight(strings.TrimSpace(t.SQL), ";")+"\n)").Scan(&tr.Failures); err != nil {
		tr.Err = err
	}
	return tr
}
