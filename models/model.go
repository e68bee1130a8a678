package models

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

// Model is one SQL file.
type Model struct {
	Name string // schema.table, e.g. core.time_entries
	Path string // where it came from (embedded:... or a file)
	SQL  string // as written
	// Materialized is view, table or incremental: a table whose rows are
	// per raw record (columns source and source_id), rebuilt on each build
	// from only the raw rows changed since the last.
	Materialized string
	// Partition is set on an incremental model whose rows fall into
	// periods of a date column (-- partition: entry_date by day), and
	// optionally of a key within each period (-- partition: entry_date,
	// person_key): the rows of a period (and key) are made only from the
	// rows of the same period (and key) of the partitioned models it reads,
	// and from whole unpartitioned ones, so a build that changed some
	// periods upstream rebuilds only those.
	Partition *Partition
	// Compression is how a table model stores some of its columns
	// (-- compression: fsst(entry_key) dictionary(person_key)), column →
	// DuckDB method. A column left out is compressed as DuckDB finds best:
	// it tries every method on the column as it writes, which is most of
	// the cost of writing a wide table.
	Compression map[string]string
	Tests       []Test
	Assertion   bool // a tests/*.sql file: returns failing rows
}

// Partition is a model's date column and the grain of its periods, and
// the key that splits a period further, if any.
type Partition struct {
	Column string
	Grain  string // day, week or month
	// Key is a column whose value is the same in a row and in every input
	// row it is made from (the person an entry or a day is of): a change
	// to one person's day rebuilds that person's day, not everyone's. An
	// input without a key has its whole periods read.
	Key string
	// Via is set when the inputs know a row by another key than the
	// model's own (core.time_entries: the time tool's person, which the
	// entry keeps as source_person_key, where the entry's person_key is the
	// canonical one): the column of the model's rows holding the inputs'
	// key. An input key the model's rows do not map yet rebuilds its whole
	// period.
	Via string
}

// key is the SQL of a row's key (NULL without one: the whole period).
func (p *Partition) key() string {
	if p == nil || p.Key == "" {
		return "NULL::VARCHAR"
	}
	return p.Key + "::VARCHAR"
}

// in is the condition that a row, whose period is the SQL period and key
// the SQL key (NULL when its table has none), falls in the partitions of
// parts, a relation (period, key) where a NULL key is the whole period.
// Which of those it lists (see listed) picks the cheapest form: the OR
// of both costs a third more than either alone.
func in(period, key, parts string, listed listed) string {
	switch {
	case key == "NULL::VARCHAR" || listed == periodsOnly:
		return fmt.Sprintf("%s IN (SELECT period FROM %s)", period, parts)
	case listed == keysOnly:
		return fmt.Sprintf("(%s, %s) IN (SELECT period, key FROM %s)", period, key, parts)
	}
	return fmt.Sprintf("(%s IN (SELECT period FROM %s WHERE key IS NULL) OR (%s, %s) IN (SELECT period, key FROM %s WHERE key IS NOT NULL))",
		period, parts, period, key, parts)
}

// listed is what a relation of partitions (period, key) lists.
type listed int

const (
	periodsAndKeys listed = iota // either, or not known
	periodsOnly                  // only whole periods (every key NULL)
	keysOnly                     // only keys of periods (no key NULL)
)

// inMark stands in a model's delta for in(period, key, parts, …), which
// fillIn writes once the partitions being built are known.
func inMark(period, key, parts string) string {
	return "@@in(" + period + "|" + key + "|" + parts + ")@@"
}

var inRE = regexp.MustCompile(`@@in\((.*?)\|(.*?)\|(.*?)\)@@`)

// fillIn writes the conditions inMark stands for, for partitions as listed.
func fillIn(sql string, l listed) string {
	return inRE.ReplaceAllStringFunc(sql, func(mark string) string {
		g := inRE.FindStringSubmatch(mark)
		return in(g[1], g[2], g[3], l)
	})
}

// within is the condition that a row's partition column falls in the span
// of the periods being built, as a mark fillDays replaces with constants:
// a scan compares them with the column itself, so it skips the row groups
// outside the span and computes no period for them.
func (p *Partition) within() string {
	return "@@within(" + p.Column + ")@@"
}

// period is the SQL of the period a row falls in at grain: its date column
// truncated, an undated row counted on 0001-01-01 (so it is replaced like
// any other).
func (p *Partition) period(grain string) string {
	return fmt.Sprintf("date_trunc('%s', coalesce(%s::DATE, DATE '0001-01-01'))::DATE", grain, p.Column)
}

// Test is a declared data test.
type Test struct {
	Name string // e.g. unique(entry_key)
	SQL  string // returns one row per failure
	// A declared test's kind (unique, not_null, relationships,
	// accepted_values) and what is in its parentheses; "" for an assertion.
	kind, args string
}

var schemas = []string{"staging", "core", "marts"}

// Load reads the built-in models from builtin, then the user's folder (if it
// exists); a user file with the same name replaces the built-in one.
func Load(builtin fs.FS, userDir string) ([]*Model, error) {
	byName := map[string]*Model{}
	if err := loadFS(builtin, "embedded:", byName); err != nil {
		return nil, err
	}
	if userDir != "" {
		if st, err := os.Stat(userDir); err == nil && st.IsDir() {
			if err := loadFS(os.DirFS(userDir), userDir+string(filepath.Separator), byName); err != nil {
				return nil, err
			}
		}
	}
	var out []*Model
	for _, m := range byName {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Model) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func loadFS(fsys fs.FS, prefix string, into map[string]*Model) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".sql" {
			return nil
		}
		top, _, _ := strings.Cut(p, "/")
		base := strings.TrimSuffix(path.Base(p), ".sql")
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		m := &Model{Path: prefix + p, SQL: string(body)}
		switch {
		case top == "tests":
			m.Name, m.Assertion = "tests."+base, true
		case slices.Contains(schemas, top):
			m.Name = top + "." + base
			m.Materialized = "table"
			if top == "staging" {
				m.Materialized = "view"
			}
		default:
			return fmt.Errorf("%s: models live under staging/, core/, marts/ or tests/", m.Path)
		}
		if err := parseHeader(m); err != nil {
			return err
		}
		into[m.Name] = m
		return nil
	})
}

var directiveRE = regexp.MustCompile(`^--\s*(materialized|partition|compression|test):\s*(.+?)\s*$`)
var compressionRE = regexp.MustCompile(`([a-z_]+)\(([^()]*)\)`)

// compressions are the DuckDB methods a model may name for its columns.
var compressions = []string{"uncompressed", "rle", "dictionary", "fsst", "dict_fsst", "bitpacking", "alp", "alprd", "chimp", "patas", "zstd", "roaring"}
var partitionRE = regexp.MustCompile(`^([a-z_][a-z0-9_]*)(?:\s+by\s+(day|week|month))?(?:\s*,\s*([a-z_][a-z0-9_]*)(?:\s+via\s+([a-z_][a-z0-9_]*))?)?$`)
var testRE = regexp.MustCompile(`^(unique|not_null|relationships|accepted_values)\((.*)\)$`)

func parseHeader(m *Model) error {
	sc := bufio.NewScanner(strings.NewReader(m.SQL))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if !strings.HasPrefix(text, "--") {
			break
		}
		d := directiveRE.FindStringSubmatch(text)
		if d == nil {
			continue
		}
		switch d[1] {
		case "materialized":
			if d[2] != "view" && d[2] != "table" && d[2] != "incremental" {
				return fmt.Errorf("%s:%d: materialized must be view, table or incremental, not %q", m.Path, line, d[2])
			}
			m.Materialized = d[2]
		case "partition":
			p := partitionRE.FindStringSubmatch(d[2])
			if p == nil {
				return fmt.Errorf("%s:%d: write partition: <date column> [by day|week|month] [, <key column> [via <column>]], not %q", m.Path, line, d[2])
			}
			m.Partition = &Partition{Column: p[1], Grain: cmp.Or(p[2], "day"), Key: p[3], Via: p[4]}
		case "compression":
			if err := parseCompression(m, d[2]); err != nil {
				return fmt.Errorf("%s:%d: %w", m.Path, line, err)
			}
		case "test":
			t, err := declaredTest(m.Name, d[2])
			if err != nil {
				return fmt.Errorf("%s:%d: %w", m.Path, line, err)
			}
			m.Tests = append(m.Tests, t)
		}
	}
	if m.Partition != nil && m.Materialized != "incremental" {
		return fmt.Errorf("%s: a partitioned model must be materialized: incremental", m.Path)
	}
	if m.Compression != nil && m.Materialized == "view" {
		return fmt.Errorf("%s: a view stores nothing: compression needs materialized: table or incremental", m.Path)
	}
	return nil
}

// parseCompression reads "fsst(a, b) dictionary(c)" into m.Compression.
func parseCompression(m *Model, spec string) error {
	usage := fmt.Errorf("write compression: <method>(<columns>) ..., with methods among %s, not %q", strings.Join(compressions, ", "), spec)
	if strings.TrimSpace(compressionRE.ReplaceAllString(spec, "")) != "" {
		return usage
	}
	for _, g := range compressionRE.FindAllStringSubmatch(spec, -1) {
		if !slices.Contains(compressions, g[1]) || len(splitCols(g[2])) == 0 {
			return usage
		}
		for _, col := range splitCols(g[2]) {
			if m.Compression == nil {
				m.Compression = map[string]string{}
			}
			if was, ok := m.Compression[col]; ok {
				return fmt.Errorf("compression: column %s named twice (%s and %s)", col, was, g[1])
			}
			m.Compression[col] = g[1]
		}
	}
	return nil
}

func splitCols(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

func declaredTest(model, spec string) (Test, error) {
	m := testRE.FindStringSubmatch(spec)
	if m == nil {
		return Test{}, fmt.Errorf("test %q: write unique(cols), not_null(cols), relationships(col -> schema.table.col) or accepted_values(col: a, b)", spec)
	}
	t := Test{Name: spec, kind: m[1], args: m[2]}
	switch t.kind {
	case "relationships":
		_, target, ok := strings.Cut(t.args, "->")
		if !ok || !strings.Contains(target, ".") {
			return Test{}, fmt.Errorf("test %q: write relationships(col -> schema.table.col)", spec)
		}
	case "accepted_values":
		if !strings.Contains(t.args, ":") {
			return Test{}, fmt.Errorf("test %q: write accepted_values(col: a, b)", spec)
		}
	}
	t.SQL = t.on(model)
	return t, nil
}

// on is a declared test's query over rel, the model or some of its rows.
func (t Test) on(rel string) string {
	switch t.kind {
	case "unique":
		return fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", strings.Join(splitCols(t.args), ", "), rel)
	case "not_null":
		var conds []string
		for _, c := range splitCols(t.args) {
			conds = append(conds, c+" IS NULL")
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", rel, strings.Join(conds, " OR "))
	case "relationships":
		col, target, _ := strings.Cut(t.args, "->")
		col, target = strings.TrimSpace(col), strings.TrimSpace(target)
		dot := strings.LastIndex(target, ".")
		return fmt.Sprintf("SELECT m.%s FROM %s m WHERE m.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = m.%s)",
			col, rel, col, target[:dot], target[dot+1:], col)
	case "accepted_values":
		col, vals, _ := strings.Cut(t.args, ":")
		return fmt.Sprintf("SELECT %s FROM %s WHERE %s NOT IN (%s)", strings.TrimSpace(col), rel, strings.TrimSpace(col), quoteList(splitCols(vals)))
	}
	return t.SQL
}

// target is the model a relationships test looks in; "" for other tests.
func (t Test) target() string {
	if t.kind != "relationships" {
		return ""
	}
	_, target, _ := strings.Cut(t.args, "->")
	target = strings.TrimSpace(target)
	return target[:strings.LastIndex(target, ".")]
}

// within is the test of a partitioned model m narrowed to its rows of the
// days (and keys) a query lists, as (day, key) with a NULL key for every
// row of the day: for a build that changed only those, after the test
// passed on the whole table. A unique key without the partition column is
// looked for across the table, but only for the keys those rows hold; one
// without the partition's key, across the changed days.
// false when the test cannot be narrowed so.
func (t Test) within(m *Model, changes string) (string, bool) {
	p := m.Partition
	if p == nil || t.kind == "" {
		return "", false
	}
	parts := fmt.Sprintf("(SELECT day AS period, key FROM (%s))", changes)
	// The days first: one column compared, and the keys only on their rows.
	rows := fmt.Sprintf("(SELECT * FROM %s WHERE %s)", m.Name, in(dayOf(p), "NULL::VARCHAR", parts, periodsOnly))
	if p.Key != "" {
		rows = fmt.Sprintf("(SELECT * FROM %s WHERE %s)", rows, in(dayOf(p), p.key(), parts, periodsAndKeys))
	}
	if t.kind != "unique" {
		return t.on(rows), true
	}
	cols := splitCols(t.args)
	switch {
	case slices.Contains(cols, p.Column) && (p.Key == "" || slices.Contains(cols, p.Key)):
		return t.on(rows), true
	case slices.Contains(cols, p.Column):
		return t.on(fmt.Sprintf("(SELECT * FROM %s WHERE %s)", m.Name, in(dayOf(p), "NULL::VARCHAR", parts, periodsOnly))), true
	case len(cols) == 1:
		return t.on(fmt.Sprintf("(SELECT * FROM %s WHERE %s IN (SELECT %s FROM %s))", m.Name, cols[0], cols[0], rows)), true
	}
	return "", false
}

// daysBuiltMark is what days_built renders to; the build replaces it with
// the days a partitioned model is built for (see fillDays).
const daysBuiltMark = "@@days_built@@"

// SourceRelation renders the union of raw tables feeding one connector type.
type SourceRelation func(connectorType, stream string) (string, error)

// render expands the template functions and returns the SQL and the models
// it refers to (by ref or by a plain schema-qualified name).
// With refAs, a ref is rendered as what refAs gives for the model's name,
// and the SQL is that of a build from changes (from_changes).
func render(m *Model, known map[string]bool, source SourceRelation, refAs func(string) string) (string, []string, error) {
	var deps []string
	tmpl, err := template.New(m.Path).Option("missingkey=error").Funcs(template.FuncMap{
		"ref": func(name string) (string, error) {
			if !known[name] {
				return "", fmt.Errorf("ref %q: no such model", name)
			}
			deps = append(deps, name)
			if refAs != nil {
				return refAs(name), nil
			}
			return name, nil
		},
		"source": source,
		// The days a build of a partitioned model makes rows for, as one
		// row (first_day, last_day): every day in a whole build, the span
		// of the changed periods in a build from changes. For SQL that
		// makes rows from a calendar rather than from its inputs' rows.
		"days_built": func() string { return daysBuiltMark },
		// Whether this is the SQL of a build from changes (few rows) rather
		// than of a whole one: where one plan suits both badly, such as a
		// CTE worth copying once for a few rows but read again where used
		// for all of them.
		"from_changes": func() bool { return refAs != nil },
		// Whether the row of a day (and a key, for a keyed model) is one
		// of those this build makes: always in a whole build. For SQL that
		// makes rows from a calendar, to make only those of the people's
		// days being built.
		"built": func(day string, key ...string) (string, error) {
			p := m.Partition
			if p == nil || len(key) > 1 {
				return "", fmt.Errorf("built: only a partitioned model's SQL asks, with a day and at most a key")
			}
			if refAs == nil {
				return "true", nil
			}
			k := "NULL::VARCHAR"
			if len(key) == 1 && p.Key != "" {
				k = "(" + key[0] + ")::VARCHAR"
			}
			return inMark(fmt.Sprintf("date_trunc('%s', coalesce((%s)::DATE, DATE '0001-01-01'))::DATE", p.Grain, day), k, periodsTable), nil
		},
	}).Parse(m.SQL)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, nil); err != nil {
		return "", nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	sql := buf.String()
	for _, name := range qualifiedNames(sql) {
		if known[name] && name != m.Name {
			deps = append(deps, name)
		}
	}
	for _, t := range m.Tests {
		for _, name := range qualifiedNames(t.SQL) {
			if known[name] && name != m.Name && !m.Assertion {
				// A relationships test needs its target built first.
				deps = append(deps, name)
			}
		}
	}
	slices.Sort(deps)
	return sql, slices.Compact(deps), nil
}

var qualifiedRE = regexp.MustCompile(`\b((?:staging|core|marts)\.[a-z_][a-z0-9_]*)\b`)
var commentRE = regexp.MustCompile(`--[^\n]*`)

func qualifiedNames(sql string) []string {
	var out []string
	for _, m := range qualifiedRE.FindAllStringSubmatch(commentRE.ReplaceAllString(sql, ""), -1) {
		out = append(out, m[1])
	}
	return out
}
