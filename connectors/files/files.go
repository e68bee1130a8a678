package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/conflux-dev/conflux/connectors"
)

// DefaultMaxFileMB is the largest file read unless max_file_mb says more:
// a spreadsheet of inputs is kilobytes, and a time export of years a few
// megabytes; a bigger file is more likely a mistake than an input.
const DefaultMaxFileMB = 25

// Config is what the source needs.
type Config struct {
	Source    string
	Dir       string // the folder read, with its subfolders
	MaxFileMB int    // default DefaultMaxFileMB
	// People, when set, returns the emails the warehouse knows (core.people):
	// a cost of anyone else is a problem. Nil skips the check (first sync).
	People func(ctx context.Context) (map[string]bool, error)
	Logger *slog.Logger
}

// Connector reads one folder of spreadsheets.
type Connector struct {
	cfg Config

	mu    sync.Mutex
	scan  *scan  // one read of the folder, shared by the streams of a sync
	stamp string // the folder as that read found it
}

// New checks the folder exists.
func New(cfg Config) (*Connector, error) {
	if cfg.Source == "" {
		cfg.Source = "files"
	}
	if cfg.MaxFileMB <= 0 {
		cfg.MaxFileMB = DefaultMaxFileMB
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if st, err := os.Stat(cfg.Dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("sources.%s.path: %s is not a folder (create it, or `conflux templates write %s` writes one with an example of each file)", cfg.Source, cfg.Dir, cfg.Dir)
	}
	return &Connector{cfg: cfg}, nil
}

// Name is the type.
func (c *Connector) Name() string { return "files" }

// Check reads and checks every file, as a sync would, and reports every
// problem (`conflux doctor`): the files are kilobytes, the check is cheap.
func (c *Connector) Check(ctx context.Context) error {
	sc, err := Scan(ctx, c.cfg)
	if err != nil {
		return err
	}
	problems := sc.problems
	for _, u := range sc.units {
		problems = append(problems, u.Problems...)
	}
	if len(problems) > 0 {
		return &ProblemsError{Problems: problems}
	}
	return nil
}

// Streams are the shapes: one stream each, plus time entries from the
// vendors' exports.
func (c *Connector) Streams() []connectors.Stream {
	var out []connectors.Stream
	for _, s := range streamNames() {
		out = append(out, connectors.Stream{Name: s, PrimaryKey: "id", Cursor: "files", Read: c.reader(s)})
	}
	return out
}

// streamNames lists each shape's stream once (exports share time_entries).
func streamNames() []string {
	var out []string
	for _, s := range allShapes() {
		if !slices.Contains(out, s.stream()) {
			out = append(out, s.stream())
		}
	}
	return out
}

func (s *Shape) stream() string {
	if s.Vendor != "" {
		return "time_entries"
	}
	return s.Name
}

// unit is one shape's table in one file: what a stream's cursor tracks.
// A file holds each shape once; its rows are the records unit#1, unit#2 …
type unit struct {
	File     string
	Shape    *Shape
	Hash     string
	Rows     []json.RawMessage // each row's record: its values, file, sheet and row
	Problems []Problem
}

func (u *unit) key() string { return u.File + "|" + u.Shape.Name }

// scan is every file of the folder read and checked once.
type scan struct {
	units    []*unit
	problems []Problem       // files that are unreadable or match no shape, by stream "costs"
	broken   map[string]bool // files whose rows stay as they were (a problem before any shape was known)
}

// cursor is, per unit, the hash of the file its rows came from and how many.
type cursor struct {
	Units map[string]cursorUnit `json:"units"`
}

type cursorUnit struct {
	Hash string `json:"hash"`
	Rows int    `json:"rows"`
}

// reader reads the stream's units: unchanged ones cost nothing, a changed
// one is a page of its rows replacing the old (the rows beyond its new
// length deleted), a removed one a page of deletes. A unit with problems is
// skipped, its old rows kept, and its problems returned together at the end.
func (c *Connector) reader(stream string) func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
	return func(ctx context.Context, from connectors.Cursor, emit func(connectors.Page) error) error {
		sc, err := c.read(ctx)
		if err != nil {
			return err
		}
		var cur cursor
		if len(from) > 0 {
			if err := json.Unmarshal(from, &cur); err != nil {
				return fmt.Errorf("files cursor: %w", err)
			}
		}
		if cur.Units == nil {
			cur.Units = map[string]cursorUnit{}
		}
		var problems []Problem
		if stream == streamNames()[0] {
			problems = append(problems, sc.problems...)
		}
		seen := map[string]bool{}
		for _, u := range sc.units {
			if u.Shape.stream() != stream {
				continue
			}
			seen[u.key()] = true
			if len(u.Problems) > 0 {
				problems = append(problems, u.Problems...)
				continue
			}
			old := cur.Units[u.key()]
			if old.Hash == u.Hash && old.Rows == len(u.Rows) {
				continue
			}
			page := connectors.Page{Total: len(u.Rows)}
			page.Records = make([]connectors.Record, len(u.Rows))
			for i, row := range u.Rows {
				page.Records[i] = connectors.Record{ID: u.key() + "#" + strconv.Itoa(i+1), Payload: row}
			}
			for i := len(u.Rows); i < old.Rows; i++ {
				page.Deleted = append(page.Deleted, u.key()+"#"+strconv.Itoa(i+1))
			}
			cur.Units[u.key()] = cursorUnit{u.Hash, len(u.Rows)}
			if page.Next, err = marshal(cur); err != nil {
				return err
			}
			if err := emit(page); err != nil {
				return err
			}
		}
		// Units gone: the file was removed, or no longer holds the shape.
		// A file that could not be read keeps its rows until it can.
		var gone []string
		for k := range cur.Units {
			file, _, _ := strings.Cut(k, "|")
			if !seen[k] && !sc.broken[file] && shapeOfKey(k) != nil && shapeOfKey(k).stream() == stream {
				gone = append(gone, k)
			}
		}
		slices.Sort(gone)
		for _, k := range gone {
			page := connectors.Page{}
			for i := 0; i < cur.Units[k].Rows; i++ {
				page.Deleted = append(page.Deleted, k+"#"+strconv.Itoa(i+1))
			}
			delete(cur.Units, k)
			if page.Next, err = marshal(cur); err != nil {
				return err
			}
			if err := emit(page); err != nil {
				return err
			}
		}
		if len(problems) > 0 {
			return &ProblemsError{Problems: problems}
		}
		return nil
	}
}

func shapeOfKey(k string) *Shape {
	_, name, _ := strings.Cut(k, "|")
	for _, s := range allShapes() {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func marshal(cur cursor) (connectors.Cursor, error) {
	b, err := json.Marshal(cur)
	return connectors.Cursor(b), err
}

// ProblemsError is every problem found, one per line; the files they are
// in were not loaded and their previous rows stay.
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	const most = 200 // a file of thousands of bad rows: the first ones say what is wrong
	var lines []string
	for i, p := range e.Problems {
		if i == most {
			lines = append(lines, fmt.Sprintf("… and %d more like them", len(e.Problems)-most))
			break
		}
		lines = append(lines, p.String())
	}
	n := len(e.Problems)
	head := "1 problem"
	if n != 1 {
		head = strconv.Itoa(n) + " problems"
	}
	return head + " (the files named keep their previous version):\n  " + strings.Join(lines, "\n  ")
}

// Is makes a file problem a malformed page: the sync reports it and goes on.
func (e *ProblemsError) Is(target error) bool { return target == connectors.ErrMalformed }

// read scans the folder once per sync (the first stream reads, the
// others share it).
func (c *Connector) read(ctx context.Context) (*scan, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp, err := folderStamp(c.cfg.Dir)
	if err != nil {
		return nil, err
	}
	if c.scan != nil && c.stamp == stamp {
		return c.scan, nil
	}
	sc, err := Scan(ctx, c.cfg)
	if err != nil {
		return nil, err
	}
	c.scan, c.stamp = sc, stamp
	return sc, nil
}

// folderStamp names the folder's files as they are now (path, size and
// modification time): a scan is read again once it changes.
func folderStamp(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s|%d|%d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return b.String(), err
}

// Scan reads and checks every file of cfg.Dir.
func Scan(ctx context.Context, cfg Config) (*scan, error) {
	if cfg.MaxFileMB <= 0 {
		cfg.MaxFileMB = DefaultMaxFileMB
	}
	sc := &scan{broken: map[string]bool{}}
	var people map[string]bool
	if cfg.People != nil {
		var err error
		if people, err = cfg.People(ctx); err != nil {
			return nil, err
		}
	}
	err := filepath.WalkDir(cfg.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != cfg.Dir && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(extOf(name))
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || (ext != ".csv" && ext != ".xlsx" && ext != ".xlsm" && ext != ".txt") {
			return nil // hidden files, Excel's lock files, notes
		}
		rel, _ := filepath.Rel(filepath.Dir(cfg.Dir), path)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > int64(cfg.MaxFileMB)<<20 {
			sc.problems = append(sc.problems, Problem{File: rel, Msg: fmt.Sprintf("is %.1f MB, over the %d MB limit: split it, or raise sources.<name>.max_file_mb", float64(info.Size())/(1<<20), cfg.MaxFileMB)})
			sc.broken[rel] = true
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		units, problems := readFile(rel, data, people)
		if len(problems) > 0 {
			sc.problems = append(sc.problems, problems...)
			sc.broken[rel] = true
		}
		sc.units = append(sc.units, units...)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// readFile reads one file into its units. Problems of the file as a whole
// (unreadable, empty, a table of no known shape, a shape twice) are
// returned; problems of a unit's rows stay with the unit.
func readFile(rel string, data []byte, people map[string]bool) ([]*unit, []Problem) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	tables, err := readTables(rel, data)
	if err != nil {
		return nil, []Problem{{File: rel, Msg: err.Error()}}
	}
	var units []*unit
	var problems, unknown []Problem
	byShape := map[string]string{}
	nonEmpty := 0
	for _, t := range tables {
		header, first := headerOf(t.Rows)
		if header == nil {
			continue // an empty sheet beside others is not a problem
		}
		nonEmpty++
		shape, idx, missing := recognise(header)
		if shape == nil {
			unknown = append(unknown, Problem{File: rel, Sheet: t.Sheet, Row: first, Msg: fmt.Sprintf("the header (%s) is none of the known files: %s; `conflux templates write DIR` writes an example of each", strings.Join(trimmed(header), ", "), knownNames())})
			continue
		}
		if len(missing) > 0 {
			problems = append(problems, Problem{File: rel, Sheet: t.Sheet, Row: first, Msg: fmt.Sprintf("looks like %s but misses the column %s", shape.Name, strings.Join(missing, ", "))})
			continue
		}
		if prev, ok := byShape[shape.Name]; ok {
			problems = append(problems, Problem{File: rel, Sheet: t.Sheet, Msg: fmt.Sprintf("is a second %s table (the first is sheet %s): keep one per file", shape.Name, prev)})
			continue
		}
		byShape[shape.Name] = t.Sheet
		units = append(units, parseUnit(rel, hash, t, shape, idx, first, people))
	}
	// A workbook's other sheets (notes, a pivot) are its own business once
	// one sheet is an input; a file with none is a problem.
	if len(units) == 0 && len(problems) == 0 {
		problems = append(problems, unknown...)
	}
	if nonEmpty == 0 {
		problems = append(problems, Problem{File: rel, Msg: "is empty: it has no header row (delete it, or fill it from `conflux templates write DIR`)"})
	}
	return units, problems
}

// headerOf is the first row that is neither blank nor a # comment, and its
// row number.
func headerOf(rows [][]string) ([]string, int) {
	for i, r := range rows {
		if blank(r) || strings.HasPrefix(strings.TrimSpace(first(r)), "#") {
			continue
		}
		return r, i + 1
	}
	return nil, 0
}

func first(r []string) string {
	if len(r) == 0 {
		return ""
	}
	return r[0]
}

func blank(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func trimmed(h []string) []string {
	var out []string
	for _, c := range h {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func knownNames() string {
	var n []string
	for _, s := range allShapes() {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

// parseUnit reads a table's rows under its shape, every problem kept.
func parseUnit(rel, hash string, t table, shape *Shape, idx []int, headerRow int, people map[string]bool) *unit {
	u := &unit{File: rel, Shape: shape, Hash: hash}
	var parsed []parsedRow
	for i := headerRow; i < len(t.Rows); i++ {
		r := t.Rows[i]
		if blank(r) || strings.HasPrefix(strings.TrimSpace(first(r)), "#") {
			continue
		}
		row := parsedRow{Row: i + 1, Values: map[string]string{}}
		ok := true
		for ci, c := range shape.Columns {
			if idx[ci] < 0 {
				continue
			}
			raw := ""
			if idx[ci] < len(r) {
				raw = r[idx[ci]]
			}
			v, err := parseCell(c, raw, t)
			switch {
			case err != nil:
				u.Problems = append(u.Problems, Problem{File: rel, Sheet: t.Sheet, Row: i + 1, Column: c.Name, Msg: err.Error()})
				ok = false
			case v == "" && c.Required:
				u.Problems = append(u.Problems, Problem{File: rel, Sheet: t.Sheet, Row: i + 1, Column: c.Name, Msg: "is empty"})
				ok = false
			case c.Known && v != "" && people != nil && !people[v]:
				u.Problems = append(u.Problems, Problem{File: rel, Sheet: t.Sheet, Row: i + 1, Column: c.Name, Msg: fmt.Sprintf("%s is no one the tools know (check the spelling against the time tool, or add the person there first)", v)})
				ok = false
			}
			row.Values[c.Name] = v
		}
		if ok {
			parsed = append(parsed, row)
		}
	}
	if shape.check != nil {
		for _, p := range shape.check(parsed) {
			p.File, p.Sheet = rel, t.Sheet
			u.Problems = append(u.Problems, p)
		}
	}
	slices.SortStableFunc(u.Problems, func(a, b Problem) int { return a.Row - b.Row })
	head := appendString(append(appendString([]byte(`{"file":`), rel), `,"shape":`...), shape.Name)
	if t.Sheet != "" {
		head = appendString(append(head, `,"sheet":`...), t.Sheet)
	}
	u.Rows = make([]json.RawMessage, 0, len(parsed))
	for _, r := range parsed {
		values := r.Values
		if shape.toEntry != nil {
			values = shape.toEntry(values)
		}
		rec := append(make([]byte, 0, len(head)+128), head...)
		rec = strconv.AppendInt(append(rec, `,"row":`...), int64(r.Row), 10)
		for k, v := range values {
			if v != "" {
				rec = appendString(append(appendString(append(rec, ','), k), ':'), v)
			}
		}
		u.Rows = append(u.Rows, append(rec, '}'))
	}
	return u
}

// appendString appends s as a JSON string: as it is when nothing in it
// needs escaping (the usual cell), else through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Rows counts the good rows a Scan read, for the benchmark.
func Rows(sc *scan) int {
	n := 0
	for _, u := range sc.units {
		n += len(u.Rows)
	}
	return n
}
