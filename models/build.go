package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
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
	if _, err := db.ExecContext(ctx, macros); err != nil {
		return nil, fmt.Errorf("create macros: %w", err)
	}
	known := map[string]bool{}
	for _, m := range all {
		if !m.Assertion {
			known[m.Name] = true
		}
	}
	nodes := map[string]*node{}
	for _, m := range all {
		n := &node{model: m, rawNames: map[string]string{}}
		sql, deps, err := render(m, known, func(connectorType, stream string) (string, error) {
			rel, raws, err := sourceRelation(ctx, db, opts.Sources, connectorType, stream, "")
			for _, r := range raws {
				n.raws = append(n.raws, r.table)
				n.rawNames[r.table] = r.name
			}
			return rel, err
		})
		if err != nil {
			return nil, err
		}
		n.sql, n.deps = sql, deps
		if m.Materialized == "incremental" {
			n.delta, _, err = render(m, known, func(connectorType, stream string) (string, error) {
				rel, _, err := sourceRelation(ctx, db, opts.Sources, connectorType, stream, m.Name)
				return rel, err
			})
			if err != nil {
				return nil, err
			}
		}
		nodes[m.Name] = n
	}
	order, err := topoSort(nodes)
	if err != nil {
		return nil, err
	}

	res := &Result{}
	hashes := map[string]string{}
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
			fmt.Fprintf(h, "%s=%s\x00", d, hashes[d])
		}
		static := hex.EncodeToString(h.Sum(nil)) // all but the raw tables' rows
		for _, r := range n.raws {
			if _, ok := rawPrints[r]; !ok {
				rawPrints[r] = rawFingerprint(ctx, db, r)
			}
			fmt.Fprintf(h, "%s=%s\x00", r, rawPrints[r])
		}
		hash := hex.EncodeToString(h.Sum(nil))
		hashes[name] = hash
		switch {
		case len(blockedBy) > 0:
			mr.Status, mr.Err = "blocked", fmt.Errorf("input %s did not build", strings.Join(blockedBy, ", "))
		case !opts.Force && unchanged(ctx, db, name, hash):
			mr.Status = "skipped"
		default:
			mr.Incremental = n.model.Materialized == "incremental" && !opts.Force && incremental(ctx, db, n, static)
			if err := materialize(ctx, db, n, mr.Incremental, static); err != nil {
				mr.Status, mr.Err = "failed", err
			} else {
				mr.Status = "built"
			}
		}
		if mr.Status == "built" || mr.Status == "skipped" {
			db.QueryRowContext(ctx, "SELECT count(*) FROM "+name).Scan(&mr.Rows)
		}
		mr.Duration = time.Since(start)
		status[name] = mr.Status
		recordModel(ctx, db, mr, hash)
		res.Models = append(res.Models, mr)
		if mr.Err != nil {
			log.Error("model failed", "model", name, "status", mr.Status, "error", mr.Err)
		} else {
			log.Debug("model", "model", name, "status", mr.Status, "rows", mr.Rows, "duration", mr.Duration)
		}
		if mr.Status == "built" || mr.Status == "skipped" {
			for _, t := range n.model.Tests {
				res.Tests = append(res.Tests, testOnce(ctx, db, name, t, mr.Status == "skipped"))
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
	// Keep today's forecasts, and score the ones whose time has come.
	if err := backtest.Record(ctx, db); err != nil {
		return res, err
	}
	if err := backtest.Score(ctx, db); err != nil {
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
// stream. With since (an incremental model's name) it is only the rows
// changed since that model's last build: synced or deleted at or after the
// watermark meta.model_state keeps (deleted ones are then left out by the
// same filter as always).
func sourceRelation(ctx context.Context, db *sql.DB, sources map[string]string, connectorType, stream, since string) (string, []rawSource, error) {
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
		var exists bool
		db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?`, name+"__"+stream).Scan(&exists)
		if !exists {
			continue
		}
		raws = append(raws, rawSource{name, table})
		where := "deleted_at IS NULL"
		if since != "" {
			where += " AND " + changedSince(since, table)
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

// changedSince is the condition on a raw table's rows changed at or after
// what model last saw of it. At, not after: a row seen twice is replaced
// by itself.
func changedSince(model, table string) string {
	return fmt.Sprintf("%s >= coalesce((SELECT watermark FROM meta.model_state WHERE model = '%s' AND raw_table = '%s'), '-infinity'::TIMESTAMPTZ)",
		rowChanged, model, table)
}

// incremental reports whether n can be built from the raw rows changed
// since its last build: it was built as it is now, from the same inputs
// but those raw tables, and none of them lost rows since.
func incremental(ctx context.Context, db *sql.DB, n *node, static string) bool {
	schema, table, _ := strings.Cut(n.model.Name, ".")
	var existing string
	db.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&existing)
	if existing != "BASE TABLE" || len(n.raws) == 0 {
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

func unchanged(ctx context.Context, db *sql.DB, name, hash string) bool {
	var last string
	err := db.QueryRowContext(ctx, `SELECT hash FROM meta.model_runs WHERE model = ? AND status IN ('built', 'skipped')
		ORDER BY built_at DESC LIMIT 1`, name).Scan(&last)
	if err != nil || last != hash {
		return false
	}
	schema, table, _ := strings.Cut(name, ".")
	var exists bool
	db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&exists)
	return exists
}

func materialize(ctx context.Context, db *sql.DB, n *node, changedOnly bool, static string) error {
	name := n.model.Name
	schema, table, _ := strings.Cut(name, ".")
	var existing string
	db.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&existing)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
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
	if changedOnly {
		// The rows of every raw record changed since, replaced by what
		// they make now (none for a record deleted).
		for _, raw := range n.raws {
			stmts = append(stmts, fmt.Sprintf("DELETE FROM %s WHERE source = '%s' AND source_id IN (SELECT id FROM %s WHERE %s)",
				name, n.rawNames[raw], raw, changedSince(n.model.Name, raw)))
		}
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s BY NAME\n%s", name, strings.TrimRight(strings.TrimSpace(n.delta), ";")))
	} else {
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, name, strings.TrimRight(strings.TrimSpace(n.sql), ";")))
	}
	if n.model.Materialized == "incremental" {
		// What this build read, in the same snapshot as the rows it made.
		stmts = append(stmts, fmt.Sprintf("DELETE FROM meta.model_state WHERE model = '%s'", name))
		for _, raw := range n.raws {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO meta.model_state SELECT '%s', '%s', '%s', max(%s), count(*) FROM %s",
				name, raw, static, rowChanged, raw))
		}
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			conn.ExecContext(context.Background(), "ROLLBACK")
			return fmt.Errorf("%s (%s): %w", name, n.model.Path, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func recordModel(ctx context.Context, db *sql.DB, mr ModelResult, hash string) {
	var msg sql.NullString
	if mr.Err != nil {
		msg = sql.NullString{String: mr.Err.Error(), Valid: true}
	}
	db.ExecContext(ctx, `INSERT INTO meta.model_runs VALUES (?, ?, now(), ?, ?, ?, ?)`,
		mr.Name, hash, mr.Duration.Milliseconds(), mr.Rows, mr.Status, msg)
}

// testOnce runs a data test, or, on a model skipped as unchanged (every
// input and test target too), gives the result it had when last run: the
// same rows give the same answer, a failure included.
func testOnce(ctx context.Context, db *sql.DB, model string, t Test, unchanged bool) TestResult {
	if unchanged {
		tr := TestResult{Model: model, Name: t.Name}
		var status string
		var msg sql.NullString
		err := db.QueryRowContext(ctx, `SELECT failures, status, error FROM meta.test_results WHERE test = ? AND model = ?
			ORDER BY run_at DESC LIMIT 1`, t.Name, model).Scan(&tr.Failures, &status, &msg)
		if err == nil {
			if status == "error" {
				tr.Err = errors.New(msg.String)
			}
			return tr
		}
	}
	return runTest(ctx, db, model, t)
}

func runTest(ctx context.Context, db *sql.DB, model string, t Test) TestResult {
	tr := TestResult{Model: model, Name: t.Name}
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM (\n"+strings.TrimRight(strings.TrimSpace(t.SQL), ";")+"\n)").Scan(&tr.Failures)
	status, msg := "pass", sql.NullString{}
	switch {
	case err != nil:
		tr.Err = err
		status, msg = "error", sql.NullString{String: err.Error(), Valid: true}
	case tr.Failures > 0:
		status = "fail"
	}
	db.ExecContext(ctx, `INSERT INTO meta.test_results VALUES (?, ?, now(), ?, ?, ?)`, t.Name, model, tr.Failures, status, msg)
	return tr
}
